/**
 * The relaunch run (the relaunch workflow, or `sweepwatch relaunch`): resubmits only the
 * failed conditions the payload names, with the plan's escalated resources, as relaunch cycle
 * N. Refuses past the cycle budget (F4), and reruns of causes that need a fix on the digest
 * that failed (F3, unless forced). With canaries, only one condition per systemic cause goes
 * first; the others are held (a ledger entry in the manifest) until a tick sees the canary
 * succeed and dispatches their release, which this run then submits in the same cycle N.
 */
import type { SweepConfig } from '../config/sweep-config.js';
import type { Manifest } from '../core/manifest.js';
import {
  currentCycle,
  findCondition,
  latestAttempt,
  MAX_RELAUNCH_CYCLES,
  relaunchCyclesUsed,
} from '../core/manifest-model.js';
import { manifestToSnapshot } from '../core/manifest-snapshot.js';
import { recordDecision, recordRelaunchCycle } from '../core/manifest-transitions.js';
import { renderRelaunchSummary } from '../core/report-launch.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterFiles } from '../ports/cluster-files.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { SaveWithRetryOptions, StateStore } from '../ports/state-store.js';
import { adoptInFlight } from './adopt.js';
import { manifestMissing, UseCaseError } from './errors.js';
import { ledgerRecord, readLedger } from './ledger.js';
import { quarantineOutputs } from './quarantine.js';
import { POLICY_ACTOR, type RelaunchPayload } from './relaunch-payload.js';
import { type Selection, selectForNewCycle, selectForResume } from './relaunch-select.js';
import { submitBatch } from './submit-batch.js';

export interface RelaunchDeps {
  readonly store: StateStore;
  readonly scheduler: Pick<Scheduler, 'submit' | 'findByName'>;
  /** Moves partial outputs aside; without it they stay (and the result says so). */
  readonly files?: ClusterFiles;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly saveOptions?: SaveWithRetryOptions;
}

export interface RelaunchInput {
  readonly config: SweepConfig;
  readonly payload: RelaunchPayload;
  /** The commit or image digest this relaunch runs (F3 compares it with the failed cycle's). */
  readonly digest: string;
  /** Bypass F3; also taken from payload.force. Recorded in the cycle's reason. */
  readonly force?: boolean;
  readonly chunkSize?: number;
}

export type RelaunchReasonCode =
  | 'relaunched'
  | 'canary_submitted'
  | 'released'
  | 'resumed'
  | 'nothing_to_relaunch'
  | 'relaunch_budget_exhausted'
  | 'fix_required'
  | 'waiting_for_terminal'
  | 'stale_payload'
  | 'paused'
  | 'quarantine_failed'
  | 'submission_rejected'
  | 'submit_interrupted';

export interface RelaunchResult {
  readonly reasonCode: RelaunchReasonCode;
  readonly reason: string;
  /** The cycle this run was asked for (the payload's). */
  readonly cycle: number;
  /** Relaunch cycles used once this run is over, per the saved manifest (0..max). */
  readonly cyclesUsed: number;
  readonly submitted: readonly { readonly conditionId: string; readonly jobId: string }[];
  readonly adopted: readonly { readonly conditionId: string; readonly jobId: string }[];
  readonly rejected: readonly { readonly conditionId: string; readonly message: string }[];
  /** Kept back behind a canary, for a later tick to release. */
  readonly held: readonly string[];
  readonly refused: readonly { readonly conditionId: string; readonly reason: string }[];
  /** F3 refusals overridden by force. */
  readonly forced: readonly string[];
  readonly quarantined: readonly { readonly conditionId: string; readonly paths: readonly string[] }[];
  readonly notes: readonly string[];
  /** null when nothing was written. */
  readonly manifest: Manifest | null;
  readonly summaryMarkdown: string;
}

type Draft = Omit<RelaunchResult, 'summaryMarkdown' | 'cyclesUsed'>;

export async function relaunch(deps: RelaunchDeps, input: RelaunchInput): Promise<RelaunchResult> {
  const logger = deps.logger ?? silentLogger;
  const { config, payload } = input;
  if (payload.experiment !== config.experiment) {
    throw new UseCaseError(
      'wrong_experiment',
      `the payload is for "${payload.experiment}", not "${config.experiment}"`,
    );
  }
  const loaded = await deps.store.load();
  if (loaded === null) throw manifestMissing(config.experiment);
  const finish = (d: Draft): RelaunchResult => {
    logger.info(`relaunch: ${d.reasonCode}: ${d.reason}`);
    const cyclesUsed = relaunchCyclesUsed(d.manifest ?? loaded.manifest);
    return { ...d, cyclesUsed, summaryMarkdown: renderRelaunchSummary(config.experiment, d.cycle, d) };
  };
  const empty = {
    submitted: [],
    adopted: [],
    rejected: [],
    held: [],
    refused: [],
    forced: [],
    quarantined: [],
    notes: [],
  };
  const refuse = (
    reasonCode: RelaunchReasonCode,
    reason: string,
    extra: Partial<Draft> = {},
  ): RelaunchResult =>
    finish({ ...empty, cycle: payload.cycle, manifest: null, reasonCode, reason, ...extra });

  const byPolicy = payload.requested_by === POLICY_ACTOR;
  if (loaded.manifest.paused && byPolicy) return refuse('paused', 'sweepwatch is paused for this sweep');
  const adoption = await adoptInFlight(deps, loaded.manifest);
  let m = adoption.manifest;
  const cycle = currentCycle(m);
  const resume = payload.cycle === cycle && cycle > 0;
  if (!resume && payload.cycle !== cycle + 1) {
    return refuse(
      'stale_payload',
      `the payload is for cycle ${payload.cycle}, the manifest is at cycle ${cycle}`,
      {
        adopted: adoption.adopted,
      },
    );
  }
  const limit = Math.min(config.policy.maxRelaunchCycles, MAX_RELAUNCH_CYCLES);
  if (!resume && relaunchCyclesUsed(m) >= limit) {
    return refuse('relaunch_budget_exhausted', `all ${limit} relaunch cycles are used (rule F4)`);
  }

  const now = deps.clock.now().toISOString();
  const snapshot = manifestToSnapshot(m, { now, defaults: config.template.resources });
  const force = input.force === true || payload.force === true;
  const selectInput = {
    manifest: m,
    snapshot,
    policy: config.policy,
    template: config.template.resources,
    wanted: payload.conditions === 'plan' ? null : new Set(payload.conditions),
    person: !byPolicy,
    digest: input.digest,
    force,
  };
  const selection: Selection = resume
    ? selectForResume(selectInput, readLedger(m).holds.get(cycle) ?? [])
    : selectForNewCycle(selectInput);
  const base = {
    ...empty,
    cycle: payload.cycle,
    adopted: adoption.adopted,
    refused: selection.refused,
    forced: selection.forced,
  };
  if (selection.waiting) return refuse('waiting_for_terminal', 'jobs are still live (rule F1)', base);
  if (selection.submit.length === 0) {
    const fix = selection.refused.some((r) => r.reason.startsWith('same_digest'));
    if (fix) return refuse('fix_required', 'every requested condition needs a fix first (rule F3)', base);
    return finish({
      ...base,
      manifest: m,
      reasonCode: adoption.adopted.length > 0 ? 'resumed' : 'nothing_to_relaunch',
      reason: 'no requested condition is relaunchable now',
    });
  }

  const chosen = selection.submit.map((s) => findCondition(m, s.conditionId)).filter((c) => c !== null);
  let quarantined: Awaited<ReturnType<typeof quarantineOutputs>>;
  try {
    quarantined = await quarantineOutputs(deps.files, config, chosen);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return refuse('quarantine_failed', `could not move partial outputs aside: ${why}`, base);
  }
  const n = payload.cycle;
  const who = byPolicy ? 'the policy' : payload.requested_by;
  const reason = `${payload.reason} (by ${who})${selection.forced.length > 0 ? `; F3 overridden with force for ${selection.forced.length}` : ''}`;
  const batch = await submitBatch(
    { ...deps, logger },
    config,
    selection.submit.map((s) => ({ conditionId: s.conditionId, cycle: n, requested: s.requested })),
    {
      chunkSize: input.chunkSize ?? 50,
      wanted: (c) => {
        const last = latestAttempt(c);
        return (
          last !== null && (last.cycle < n ? last.phase !== 'submitting' : last.phase === 'submit_failed')
        );
      },
      prepare: (current) => {
        if (current === null) throw manifestMissing(config.experiment);
        if (currentCycle(current) >= n) return current;
        const opened = recordRelaunchCycle(current, {
          digest: input.digest,
          reason,
          requestedBy: payload.requested_by,
          at: now,
        });
        if (selection.held.length === 0) return opened;
        const hold = { kind: 'hold' as const, cycle: n, causes: selection.heldCauses };
        const text = `canary: ${selection.submit.length} submitted, ${selection.held.length} held`;
        return recordDecision(opened, ledgerRecord(opened, now, 'canary_held', [hold], text));
      },
    },
  );
  m = batch.manifest;
  const reasonCode: RelaunchReasonCode =
    batch.interrupted !== null
      ? 'submit_interrupted'
      : batch.rejected.length > 0
        ? 'submission_rejected'
        : resume
          ? 'released'
          : selection.held.length > 0
            ? 'canary_submitted'
            : 'relaunched';
  return finish({
    ...base,
    reasonCode,
    reason: `cycle ${n}: ${batch.submitted.length} submitted, ${batch.rejected.length} rejected, ${selection.held.length} held${batch.interrupted !== null ? ` (interrupted: ${batch.interrupted})` : ''}`,
    submitted: batch.submitted,
    rejected: batch.rejected,
    held: selection.held,
    quarantined: quarantined.moved,
    notes: quarantined.note === null ? [] : [quarantined.note],
    manifest: m,
  });
}
