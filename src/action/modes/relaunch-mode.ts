import { relaunch } from '../../app/relaunch.js';
import { POLICY_ACTOR, parsePayload } from '../../app/relaunch-payload.js';
import { systemClock } from '../../ports/clock.js';
import { atLeast } from '../../ports/permissions.js';
import { toOutputs } from '../outputs.js';
import type { ActionRuntime } from '../runtime.js';
import type { Session } from '../session.js';
import type { Trigger } from '../trigger.js';
import { dryRunNote } from './dry-run-note.js';
import type { RunResult } from './run-result.js';

/** Refusals that fail the relaunch run: it was asked to resubmit and did not. */
const FAILING = new Set([
  'relaunch_budget_exhausted',
  'fix_required',
  'stale_payload',
  'quarantine_failed',
  'submission_rejected',
  'submit_interrupted',
]);

/**
 * The relaunch workflow's run: the JSON payload comes from the dispatch, never from a shell or
 * an expression; F4 (cycle budget) and F3 (rebuild before relaunch) are checked by the use case.
 */
export async function runRelaunch(
  session: Session,
  trigger: Trigger,
  runtime: ActionRuntime,
): Promise<RunResult> {
  if (trigger.kind !== 'dispatch' || trigger.payload === '') {
    throw new Error(
      'relaunch runs from workflow_dispatch with the JSON `payload` input that a tick dispatches',
    );
  }
  const payload = parsePayload(trigger.payload);
  // Anyone who can dispatch can write a payload, so a person named in it is checked again here,
  // now: a relaunch asked for by someone without write access never runs.
  if (payload.requested_by !== POLICY_ACTOR) {
    const level = await session.permissions.permission(payload.requested_by);
    if (!atLeast(level, 'write')) {
      const message = `relaunch refused: ${payload.requested_by} has ${level} permission; write is required`;
      return {
        outputs: toOutputs({
          decision: 'no-intervention',
          reasonCode: 'requester_not_allowed',
          details: { requested_by: payload.requested_by, permission: level },
        }),
        summary: `## sweepwatch relaunch refused\n\n${message}\n`,
        failure: message,
      };
    }
  }
  const result = await relaunch(
    {
      store: session.store,
      scheduler: session.scheduler,
      files: session.files,
      clock: systemClock,
      logger: session.logger,
    },
    {
      config: session.config,
      payload,
      digest: runtime.github.sha || 'unknown',
      force: payload.force === true,
    },
  );
  runtime.info(`relaunch cycle ${result.cycle}: ${result.reasonCode}: ${result.reason}`);
  return {
    outputs: toOutputs({
      decision: 'intervene',
      reasonCode: result.reasonCode,
      relaunchCycle: result.cyclesUsed,
      manifestPath: session.manifestPath,
      failedConditions: result.refused.map((r) => r.conditionId),
      details: {
        submitted: result.submitted,
        held: result.held,
        refused: result.refused,
        forced: result.forced,
        quarantined: result.quarantined,
        requested_by: payload.requested_by,
      },
    }),
    summary: result.summaryMarkdown + dryRunNote(session),
    ...(FAILING.has(result.reasonCode) ? { failure: `relaunch refused: ${result.reason}` } : {}),
  };
}
