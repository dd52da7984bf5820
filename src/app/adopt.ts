/**
 * Recovery after a crash between "submitting" (saved) and "submitted" (not saved): the job may
 * exist on the cluster without the manifest knowing its id. It is found by its scoped name and
 * adopted, so that nothing is ever submitted twice. An in-flight attempt with no such job was
 * never submitted; it is closed as interrupted, which makes the condition eligible again.
 */
import type { ConditionId } from '../core/conditions.js';
import type { Manifest } from '../core/manifest.js';
import { latestAttempt } from '../core/manifest-model.js';
import { recordSubmitFailed, recordSubmitted } from '../core/manifest-transitions.js';
import type { JobObservation } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { Scheduler } from '../ports/scheduler.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import { manifestJobIds, sweepNamePrefix } from './job-request.js';

/**
 * How much older than our attempt a job may look and still be ours. Slurm reports submit times in
 * the cluster's local time without a zone, read here as if they were the runner's, and the two
 * clocks may also drift: up to 14 hours of zone offset plus skew. Jobs already in the manifest are
 * excluded by id and the newest match wins, so the window only has to keep out jobs of an earlier
 * day's run of the same experiment name.
 */
const CLOCK_SKEW_MS = 26 * 3600_000;

export interface Adoption {
  readonly adopted: readonly { readonly conditionId: ConditionId; readonly jobId: string }[];
  /** In flight in the manifest, absent on the cluster: closed as interrupted. */
  readonly lost: readonly ConditionId[];
  readonly manifest: Manifest;
}

export interface AdoptDeps {
  readonly store: StateStore;
  readonly scheduler: Pick<Scheduler, 'findByName'>;
  readonly clock: Clock;
  readonly saveOptions?: SaveWithRetryOptions;
}

function newest(a: JobObservation, b: JobObservation): JobObservation {
  const ta = Date.parse(a.submittedAt ?? '');
  const tb = Date.parse(b.submittedAt ?? '');
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta > tb ? a : b;
  return a.jobId.localeCompare(b.jobId, 'en', { numeric: true }) >= 0 ? a : b;
}

/** The cluster job each in-flight attempt became, if any. Pure. */
export function matchInFlight(
  m: Manifest,
  jobs: readonly JobObservation[],
): { adopted: Map<ConditionId, JobObservation>; lost: ConditionId[] } {
  const taken = manifestJobIds(m);
  const adopted = new Map<ConditionId, JobObservation>();
  const lost: ConditionId[] = [];
  for (const c of m.conditions) {
    const a = latestAttempt(c);
    if (a?.phase !== 'submitting') continue;
    const since = Date.parse(a.submittedAt) - CLOCK_SKEW_MS;
    let best: JobObservation | null = null;
    for (const j of jobs) {
      if (j.name !== c.jobName || taken.has(j.jobId)) continue;
      const at = Date.parse(j.submittedAt ?? '');
      // A job of the same name from before this attempt is an older attempt's (or another sweep's).
      if (Number.isFinite(at) && at < since) continue;
      best = best === null ? j : newest(best, j);
    }
    if (best === null) lost.push(c.id);
    else {
      taken.add(best.jobId);
      adopted.set(c.id, best);
    }
  }
  return { adopted, lost };
}

export function hasInFlight(m: Manifest): boolean {
  return m.conditions.some((c) => latestAttempt(c)?.phase === 'submitting');
}

/**
 * Adopts or closes every in-flight attempt. findByName throws (SchedulerError) rather than
 * answer from partial data, and that error propagates: guessing here could submit twice.
 */
export async function adoptInFlight(deps: AdoptDeps, m: Manifest): Promise<Adoption> {
  if (!hasInFlight(m)) return { adopted: [], lost: [], manifest: m };
  const jobs = await deps.scheduler.findByName(sweepNamePrefix(m.experiment));
  const { adopted, lost } = matchInFlight(m, jobs);
  const now = deps.clock.now().toISOString();
  const stillInFlight = (cur: Manifest, id: ConditionId) =>
    cur.conditions.find((c) => c.id === id)?.attempts.at(-1)?.phase === 'submitting';
  const saved = await saveWithRetry(
    deps.store,
    (current) => {
      if (current === null) throw new Error('the manifest disappeared during adoption');
      const known = manifestJobIds(current);
      const found = [...adopted]
        .filter(([id, job]) => stillInFlight(current, id) && !known.has(job.jobId))
        .map(([conditionId, job]) => ({
          conditionId,
          jobId: job.jobId,
          ...(job.stdoutPath !== undefined ? { stdoutPath: job.stdoutPath } : {}),
          ...(job.stderrPath !== undefined ? { stderrPath: job.stderrPath } : {}),
        }));
      const gone = lost
        .filter((id) => stillInFlight(current, id))
        .map((conditionId) => ({
          conditionId,
          error: 'interrupted: the submission was cut off and the cluster has no job of this name',
        }));
      if (found.length === 0 && gone.length === 0) return current;
      return recordSubmitFailed(recordSubmitted(current, found, now), gone, now);
    },
    deps.saveOptions,
  );
  return {
    adopted: [...adopted].map(([conditionId, job]) => ({ conditionId, jobId: job.jobId })),
    lost,
    manifest: saved.manifest,
  };
}
