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

export interface Views<A = JobObservation> {
  readonly squeue: ReadonlyMap<string, JobObservation>;
  /** Undefined when sacct was unavailable. */
  readonly sacct: ReadonlyMap<string, A> | undefined;
  readonly scontrol: ReadonlyMap<string, JobObservation>;
}

/** Fields that describe the job rather than one reading of its state: safe to borrow. */
const STATIC_FIELDS = ['name', 'jobIdRaw', 'submittedAt', 'stdoutPath', 'stderrPath'] as const;

type Draft = { -readonly [K in keyof JobObservation]: JobObservation[K] };

/**
 * A copy to set fields on, as `{ ...o }` copies (same keys, same order). Not a spread: V8 gives a
 * spread's copy a map of its own once a key is added to it, and a map per merged job was ~7 MB
 * kept at 100,000 jobs; a copy built key by key shares its maps with every other.
 */
function draftOf(o: JobObservation): Draft {
  return Object.assign({}, o);
}

/**
 * The merged observation is built in at most one copy of the view it starts from, with fields
 * set in place (`own`: `primary` is such a copy already, made here, so it may be changed). Setting
 * a key on a copy puts it where a spread `{ ...o, [key]: value }` would (last if new, in place if
 * present): the key order is the one a spread per change gave, without an object per change.
 */
function borrow(
  primary: JobObservation,
  own: boolean,
  x: JobObservation | undefined,
  y?: JobObservation,
): JobObservation {
  let out: Draft | undefined = own ? primary : undefined;
  for (const field of STATIC_FIELDS) {
    if ((out ?? primary)[field] !== undefined) continue;
    const value = x?.[field] !== undefined ? x[field] : y?.[field];
    if (value === undefined) continue;
    out ??= draftOf(primary);
    out[field] = value;
  }
  return out ?? primary;
}

function withRestarts(
  obs: JobObservation,
  own: boolean,
  x: JobObservation | undefined,
  y: JobObservation | undefined,
): JobObservation {
  const restarts = x?.restarts !== undefined ? x.restarts : y?.restarts;
  if (restarts === undefined) return obs;
  const out: Draft = own ? obs : draftOf(obs);
  out.restarts = restarts;
  return out;
}

/** A copy of `view` with squeue's reason (when it has one), as `{ ...view, reason }` made it. */
function withReason(view: JobObservation, reason: string | undefined): Draft {
  const out: Draft = draftOf(view);
  if (reason !== undefined) out.reason = reason;
  return out;
}

export function mergeJob(
  q: JobObservation | undefined,
  a: JobObservation | undefined,
  c: JobObservation | undefined,
): JobObservation | undefined {
  if (q && isLiveState(q.state)) {
    const merged = borrow(q, false, a, c);
    return withRestarts(merged, merged !== q, a, c);
  }
  if (q) {
    // Finished while slurmctld still holds it.
    if (a && isTerminal(a.state)) return borrow(withReason(a, q.reason ?? a.reason), true, q, c);
    if (c && !isLiveState(c.state)) {
      return withRestarts(borrow(withReason(c, q.reason ?? c.reason), true, q), true, a, c);
    }
    const merged = borrow(q, false, a, c);
    return withRestarts(merged, merged !== q, a, c);
  }
  if (a) return borrow(a, false, c);
  return c;
}

/** Every job of any view, in the order: squeue's, then sacct's, then scontrol's (each once). */
export function mergeViews(views: Views): Map<string, JobObservation> {
  const out = new Map<string, JobObservation>();
  forEachMerged(
    views,
    (a) => a,
    (id, merged) => out.set(id, merged),
  );
  return out;
}

/**
 * mergeViews without the map, for a caller that indexes the jobs its own way; sacct's view may
 * hold what `sacctView` makes an observation of, when it is needed (no map of 100,000 of them).
 */
export function forEachMerged<A>(
  views: Views<A>,
  sacctView: (a: A) => JobObservation,
  visit: (id: string, merged: JobObservation) => void,
): void {
  const { squeue, sacct, scontrol } = views;
  for (const [id, q] of squeue) {
    const a = sacct?.get(id);
    const merged = mergeJob(q, a === undefined ? undefined : sacctView(a), scontrol.get(id));
    if (merged) visit(id, merged);
  }
  if (sacct) {
    for (const [id, a] of sacct) {
      if (squeue.has(id)) continue;
      const merged = mergeJob(undefined, sacctView(a), scontrol.get(id));
      if (merged) visit(id, merged);
    }
  }
  for (const [id, c] of scontrol) {
    if (squeue.has(id) || sacct?.has(id)) continue;
    visit(id, c);
  }
}
