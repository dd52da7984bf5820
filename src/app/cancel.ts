/**
 * Cancelling a sweep (or part of it, by factor levels) on a person's request. Only the
 * manifest's own jobs are touched, and the scheduler is told the sweep's name prefix as well,
 * so a job id reused by the cluster for someone else's job is refused there too. Cancelled
 * jobs are `cancelled` (policy: ignore), so no tick relaunches them by itself.
 */

import { levelText } from '../core/conditions.js';
import type { Manifest } from '../core/manifest.js';
import { recordDecision } from '../core/manifest-transitions.js';
import { renderCancelSummary } from '../core/report-launch.js';
import { isTerminal } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import { manifestMissing } from './errors.js';
import { cancelScope } from './job-request.js';
import { ledgerRecord } from './ledger.js';

export interface CancelDeps {
  readonly store: StateStore;
  readonly scheduler: Pick<Scheduler, 'cancel'>;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly saveOptions?: SaveWithRetryOptions;
}

export interface CancelInput {
  readonly experiment: string;
  /** Only conditions with every one of these factor levels (`{model: 'vit'}`); default all. */
  readonly match?: Readonly<Record<string, string>>;
  readonly requestedBy: string;
}

export interface CancelResult {
  readonly reasonCode: 'cancelled' | 'nothing_to_cancel';
  readonly reason: string;
  readonly cancelled: readonly string[];
  readonly refused: readonly { readonly jobId: string; readonly reason: string }[];
  /** Conditions whose submission is in flight (no job id yet): run cancel again after the launch. */
  readonly inFlight: readonly string[];
  readonly manifest: Manifest;
  readonly summaryMarkdown: string;
}

function selected(m: Manifest, match: Readonly<Record<string, string>>) {
  return m.conditions.filter((c) =>
    Object.entries(match).every(([name, level]) => {
      const value = c.values[name];
      return value !== undefined && levelText(value) === level;
    }),
  );
}

export async function cancelSweep(deps: CancelDeps, input: CancelInput): Promise<CancelResult> {
  const logger = deps.logger ?? silentLogger;
  const loaded = await deps.store.load();
  if (loaded === null) throw manifestMissing(input.experiment);
  const m = loaded.manifest;
  const conditions = selected(m, input.match ?? {});
  const ids: string[] = [];
  const inFlight: string[] = [];
  for (const c of conditions) {
    for (const a of c.attempts) {
      if (a.phase === 'submitting') inFlight.push(c.id);
      if (a.phase === 'submitted' && a.jobId !== null && (a.state === null || !isTerminal(a.state)))
        ids.push(a.jobId);
    }
  }
  const result =
    ids.length > 0 ? await deps.scheduler.cancel(ids, cancelScope(m)) : { cancelled: [], refused: [] };
  const refused = result.refused.map((r) => ({ jobId: r.jobId, reason: `${r.reason}: ${r.detail}` }));
  const scope =
    Object.entries(input.match ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || 'all conditions';
  const reason = `${result.cancelled.length} of ${ids.length} live jobs cancelled (${scope}) by ${input.requestedBy}`;
  const now = deps.clock.now().toISOString();
  const saved =
    result.cancelled.length === 0
      ? { manifest: m }
      : await saveWithRetry(
          deps.store,
          (current) => {
            if (current === null) throw manifestMissing(input.experiment);
            return recordDecision(current, ledgerRecord(current, now, 'cancelled_by_request', [], reason));
          },
          deps.saveOptions,
        );
  logger.info(`cancel: ${reason}`);
  const draft = {
    reasonCode: result.cancelled.length > 0 ? ('cancelled' as const) : ('nothing_to_cancel' as const),
    reason,
    cancelled: result.cancelled,
    refused,
    inFlight,
    manifest: saved.manifest,
  };
  return { ...draft, summaryMarkdown: renderCancelSummary(m.experiment, draft) };
}
