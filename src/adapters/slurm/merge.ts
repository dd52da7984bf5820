/**
 * One observation per job from up to three views of it:
 * - squeue is authoritative for live jobs (state, pending reason, time pending): slurmdbd lags
 *   behind slurmctld, and its Reason for never-started jobs is stale.
 * - sacct is authoritative for finished jobs (final state incl. `CANCELLED by uid`, exit code,
 *   hidden step OOM) and counts restarts; squeue's reason for the end (NonZeroExitCode, …) is kept.
 * - scontrol stands in for sacct when accounting is down (exit code, restarts, log paths).
 * A job squeue calls finished while sacct still calls it running is finished (sacct lags).
 */
import { isTerminal, type JobObservation } from '../../core/types.js';
import { isLiveState } from './states.js';

export interface Views {
  readonly squeue: ReadonlyMap<string, JobObservation>;
  /** Undefined when sacct was unavailable. */
  readonly sacct: ReadonlyMap<string, JobObservation> | undefined;
  readonly scontrol: ReadonlyMap<string, JobObservation>;
}

/** Fields that describe the job rather than one reading of its state: safe to borrow. */
const STATIC_FIELDS = ['name', 'jobIdRaw', 'submittedAt', 'stdoutPath', 'stderrPath'] as const;

function borrow(primary: JobObservation, ...others: (JobObservation | undefined)[]): JobObservation {
  let out: JobObservation = primary;
  for (const field of STATIC_FIELDS) {
    if (out[field] !== undefined) continue;
    const value = others.find((o) => o?.[field] !== undefined)?.[field];
    if (value !== undefined) out = { ...out, [field]: value };
  }
  return out;
}

function withRestarts(obs: JobObservation, ...sources: (JobObservation | undefined)[]): JobObservation {
  const restarts = sources.find((s) => s?.restarts !== undefined)?.restarts;
  return restarts === undefined ? obs : { ...obs, restarts };
}

export function mergeJob(
  q: JobObservation | undefined,
  a: JobObservation | undefined,
  c: JobObservation | undefined,
): JobObservation | undefined {
  if (q && isLiveState(q.state)) {
    return withRestarts(borrow(q, a, c), a, c);
  }
  if (q) {
    // Finished while slurmctld still holds it.
    if (a && isTerminal(a.state)) {
      const reason = q.reason ?? a.reason;
      return borrow({ ...a, ...(reason !== undefined ? { reason } : {}) }, q, c);
    }
    if (c && !isLiveState(c.state)) {
      const reason = q.reason ?? c.reason;
      return withRestarts(borrow({ ...c, ...(reason !== undefined ? { reason } : {}) }, q), a, c);
    }
    return withRestarts(borrow(q, a, c), a, c);
  }
  if (a) return borrow(a, c);
  return c;
}

export function mergeViews(views: Views): Map<string, JobObservation> {
  const ids = new Set<string>([
    ...views.squeue.keys(),
    ...(views.sacct?.keys() ?? []),
    ...views.scontrol.keys(),
  ]);
  const out = new Map<string, JobObservation>();
  for (const id of ids) {
    const merged = mergeJob(views.squeue.get(id), views.sacct?.get(id), views.scontrol.get(id));
    if (merged) out.set(id, merged);
  }
  return out;
}
