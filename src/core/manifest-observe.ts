/**
 * What one tick's observations do to the manifest. Only what changed is rewritten: an attempt
 * whose observation matches the record keeps its object (and its line in the file), and a
 * field the scheduler did not report this time keeps its last known value (squeue knows less
 * than sacct). A failed observation does not erase state: markStale flags it instead.
 */

import { exitStatus } from './exit-status.js';
import {
  ATTEMPT_SLOTS,
  type Attempt,
  type AttemptRef,
  bounded,
  type ConditionRecord,
  compactTime,
  jobSlots,
  type Manifest,
} from './manifest-model.js';
import { type ExitStatus, isFailedState, type JobObservation } from './types.js';

export interface ObservationResult {
  readonly manifest: Manifest;
  /** Attempts that entered a failed state with these observations: the ones to diagnose. */
  readonly newlyFailed: readonly AttemptRef[];
  /** Observed job ids the manifest does not know (never acted upon). */
  readonly unknownJobIds: readonly string[];
}

const sameExit = (a: ExitStatus | null, b: ExitStatus | null) =>
  a === b || (a !== null && b !== null && a.code === b.code && a.signal === b.signal);

/**
 * The attempt as `o` reports it, or `a` itself when nothing changed. `now` is compactTime() of
 * the tick's time, made once per call rather than once per attempt. Fields are compared before
 * anything is built: the first tick after a launch sees every attempt change, and at 100,000
 * jobs each extra object per attempt was megabytes of garbage.
 */
function observed(a: Attempt, o: JobObservation, now: string): Attempt {
  const prior = a.used;
  const elapsedSeconds =
    o.elapsedSeconds === undefined ? (prior?.elapsedSeconds ?? null) : Math.round(o.elapsedSeconds);
  const nodes = o.nodes === undefined ? (prior?.nodes ?? null) : bounded(o.nodes);
  const restarts = o.restarts ?? prior?.restarts ?? null;
  const usedReported = o.elapsedSeconds !== undefined || o.nodes !== undefined || o.restarts !== undefined;
  const usedChanged =
    usedReported &&
    (prior === null ||
      prior.elapsedSeconds !== elapsedSeconds ||
      prior.nodes !== nodes ||
      prior.restarts !== restarts);
  const rawState = bounded(o.rawState);
  const reason = o.reason === undefined ? a.reason : bounded(o.reason);
  const exitChanged = o.exit !== undefined && !sameExit(o.exit, a.exit);
  const startedAt = o.startedAt === undefined ? a.startedAt : compactTime(o.startedAt);
  const endedAt = o.endedAt === undefined ? a.endedAt : compactTime(o.endedAt);
  const stdoutPath = o.stdoutPath === undefined ? a.stdoutPath : bounded(o.stdoutPath);
  const stderrPath = o.stderrPath === undefined ? a.stderrPath : bounded(o.stderrPath);
  const changed =
    o.state !== a.state ||
    rawState !== a.rawState ||
    reason !== a.reason ||
    exitChanged ||
    startedAt !== a.startedAt ||
    endedAt !== a.endedAt ||
    usedChanged ||
    stdoutPath !== a.stdoutPath ||
    stderrPath !== a.stderrPath ||
    a.staleSince !== null;
  if (!changed) return a;
  return {
    ...a,
    state: o.state,
    rawState,
    reason,
    exit: exitChanged && o.exit !== undefined ? exitStatus(o.exit.code, o.exit.signal) : a.exit,
    startedAt,
    endedAt,
    used: usedChanged ? { elapsedSeconds, maxRssMb: prior?.maxRssMb ?? null, nodes, restarts } : prior,
    stdoutPath,
    stderrPath,
    staleSince: null,
    observedAt: now,
  };
}

/** Updates the observed attempts (matched by job id) and stamps the manifest's observedAt. */
export function applyObservations(
  m: Manifest,
  observations: readonly JobObservation[],
  now: string,
): ObservationResult {
  const index = jobSlots(m);
  // Observations per condition as linked lists over the observations' positions (first, next):
  // two typed arrays instead of a map per condition.
  const first = new Int32Array(m.conditions.length).fill(-1);
  const last = new Int32Array(m.conditions.length).fill(-1);
  const next = new Int32Array(observations.length).fill(-1);
  const attemptOf = new Int32Array(observations.length);
  const unknownJobIds: string[] = [];
  observations.forEach((o, oi) => {
    const slot = index.get(o.jobId);
    if (slot === undefined) {
      unknownJobIds.push(o.jobId);
      return;
    }
    const ci = Math.floor(slot / ATTEMPT_SLOTS);
    attemptOf[oi] = slot % ATTEMPT_SLOTS;
    const tail = last[ci] ?? -1;
    if (tail === -1) first[ci] = oi;
    else next[tail] = oi;
    last[ci] = oi;
  });
  const newlyFailed: AttemptRef[] = [];
  const at = compactTime(now);
  const conditions = m.conditions.map((c, ci): ConditionRecord => {
    const head = first[ci] ?? -1;
    if (head === -1) return c;
    let attempts: Attempt[] | null = null;
    for (const [ai, o] of perAttempt(observations, next, attemptOf, head)) {
      const before = c.attempts[ai];
      if (before === undefined) continue;
      const after = observed(before, o, at);
      if (after === before) continue;
      attempts ??= [...c.attempts];
      attempts[ai] = after;
      const wasFailed = before.state !== null && isFailedState(before.state);
      if (!wasFailed && isFailedState(after.state ?? 'UNKNOWN'))
        newlyFailed.push({ conditionId: c.id, attempt: ai });
    }
    return attempts === null ? c : { ...c, attempts };
  });
  return { manifest: { ...m, observedAt: at, conditions }, newlyFailed, unknownJobIds };
}

/**
 * One condition's observations by attempt, in the order each attempt was first observed, the
 * last observation of a job winning. Nearly always one: then no map is built.
 */
function perAttempt(
  observations: readonly JobObservation[],
  next: Int32Array,
  attemptOf: Int32Array,
  head: number,
): Iterable<readonly [number, JobObservation]> {
  const only = observations[head];
  if ((next[head] ?? -1) === -1 && only !== undefined) return [[attemptOf[head] ?? 0, only]];
  const byAttempt = new Map<number, JobObservation>();
  for (let oi = head; oi !== -1; oi = next[oi] ?? -1) {
    const o = observations[oi];
    if (o !== undefined) byAttempt.set(attemptOf[oi] ?? 0, o);
  }
  return byAttempt;
}

/** The observation of these jobs failed: keep their last known state, flagged stale since now. */
export function markStale(m: Manifest, jobIds: readonly string[], now: string): Manifest {
  const wanted = new Set(jobIds);
  if (wanted.size === 0) return m;
  const at = compactTime(now);
  let changed = false;
  const conditions = m.conditions.map((c): ConditionRecord => {
    if (!c.attempts.some((a) => a.jobId !== null && wanted.has(a.jobId) && a.staleSince === null)) return c;
    changed = true;
    const attempts = c.attempts.map((a) =>
      a.jobId !== null && wanted.has(a.jobId) && a.staleSince === null ? { ...a, staleSince: at } : a,
    );
    return { ...c, attempts };
  });
  return changed ? { ...m, conditions } : m;
}
