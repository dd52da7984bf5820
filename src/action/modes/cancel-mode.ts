import { cancelSweep } from '../../app/cancel.js';
import { systemClock } from '../../ports/clock.js';
import { toOutputs } from '../outputs.js';
import type { ActionRuntime } from '../runtime.js';
import type { Session } from '../session.js';
import type { Trigger } from '../trigger.js';
import { dryRunNote } from './dry-run-note.js';
import type { RunResult } from './run-result.js';

/**
 * Cancels the sweep's live jobs, or those matching `{"match": {"model": "vit"}}` in the dispatch
 * payload. Only the manifest's own jobs can be touched.
 */
export async function runCancel(
  session: Session,
  trigger: Trigger,
  runtime: ActionRuntime,
): Promise<RunResult> {
  const match = trigger.kind === 'dispatch' && trigger.payload !== '' ? parseMatch(trigger.payload) : {};
  const result = await cancelSweep(
    { store: session.store, scheduler: session.scheduler, clock: systemClock, logger: session.logger },
    { experiment: session.config.experiment, match, requestedBy: runtime.github.actor || 'github-actions' },
  );
  return {
    outputs: toOutputs({
      decision: 'intervene',
      reasonCode: result.reasonCode,
      manifestPath: session.manifestPath,
      details: { cancelled: result.cancelled, refused: result.refused, in_flight: result.inFlight },
    }),
    summary: result.summaryMarkdown + dryRunNote(session),
  };
}

function parseMatch(payload: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new Error('the cancel payload is not JSON: expected {"match": {"<factor>": "<level>"}}');
  }
  const match = (json as { match?: unknown }).match;
  if (match === undefined) return {};
  if (
    typeof match !== 'object' ||
    match === null ||
    Object.values(match).some((v) => typeof v !== 'string')
  ) {
    throw new Error('the cancel payload\'s "match" must map factor names to level strings');
  }
  return match as Record<string, string>;
}
