/**
 * What one tick's observations do to the manifest. Only what changed is rewritten: an attempt
 * whose observation matches the record keeps its object (and its line in the file), and a
 * field the scheduler did not report this time keeps its last known value (squeue knows less
 * than sacct). A failed observation does not erase state: markStale flags it instead.
 */
import {
  type Attempt,
  type AttemptRef,
  bounded,
  type ConditionRecord,
  compactTime,
  jobIndex,
  type Manifest,
  type ResourcesUsed,
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

const sameUsed = (a: ResourcesUsed | null, b: ResourcesUsed | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.elapsedSeconds === b.elapsedSeconds &&
    a.maxRssMb === b.maxRssMb &&
    a.nodes === b.nodes &&
    a.restarts === b.restarts);

/** `now` is compactTime() of the tick's time, made once per call rather than once per attempt. */
function observed(a: Attempt, o: JobObservation, now: string): Attempt {
  const used: ResourcesUsed | null =
    o.elapsedSeconds === undefined && o.nodes === undefined && o.restarts === undefined
      ? a.used
      : {
          elapsedSeconds:
            o.elapsedSeconds === undefined ? (a.used?.elapsedSeconds ?? null) : Math.round(o.elapsedSeconds),
          maxRssMb: a.used?.maxRssMb ?? null,
          nodes: o.nodes === undefined ? (a.used?.nodes ?? null) : bounded(o.nodes),
          restarts: o.restarts ?? a.used?.restarts ?? null,
        };
  const next: Attempt = {
    ...a,
    state: o.state,
    rawState: bounded(o.rawState),
    reason: o.reason === undefined ? a.reason : bounded(o.reason),
    exit: o.exit === undefined ? a.exit : { code: o.exit.code, signal: o.exit.signal },
    startedAt: o.startedAt === undefined ? a.startedAt : compactTime(o.startedAt),
    endedAt: o.endedAt === undefined ? a.endedAt : compactTime(o.endedAt),
    used,
    stdoutPath: o.stdoutPath === undefined ? a.stdoutPath : bounded(o.stdoutPath),
    stderrPath: o.stderrPath === undefined ? a.stderrPath : bounded(o.stderrPath),
    staleSince: null,
  };
  const changed =
    next.state !== a.state ||
    next.rawState !== a.rawState ||
    next.reason !== a.reason ||
    !sameExit(next.exit, a.exit) ||
    next.startedAt !== a.startedAt ||
    next.endedAt !== a.endedAt ||
    !sameUsed(next.used, a.used) ||
    next.stdoutPath !== a.stdoutPath ||
    next.stderrPath !== a.stderrPath ||
    a.staleSince !== null;
  return changed ? { ...next, observedAt: now } : a;
}

/** Updates the observed attempts (matched by job id) and stamps the manifest's observedAt. */
export function applyObservations(
  m: Manifest,
  observations: readonly JobObservation[],
  now: string,
): ObservationResult {
  const index = jobIndex(m);
  const byCondition = new Map<number, Map<number, JobObservation>>();
  const unknownJobIds: string[] = [];
  for (const o of observations) {
    const at = index.get(o.jobId);
    if (at === undefined) {
      unknownJobIds.push(o.jobId);
      continue;
    }
    const perCondition = byCondition.get(at.condition) ?? new Map<number, JobObservation>();
    perCondition.set(at.attempt, o);
    byCondition.set(at.condition, perCondition);
  }
  const newlyFailed: AttemptRef[] = [];
  const at = compactTime(now);
  const conditions = m.conditions.map((c, ci): ConditionRecord => {
    const perCondition = byCondition.get(ci);
    if (perCondition === undefined) return c;
    let attempts: Attempt[] | null = null;
    for (const [ai, o] of perCondition) {
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
