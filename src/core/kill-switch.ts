import type { Policy } from './policy.js';
import type { CurrentCondition, SweepSnapshot } from './snapshot.js';
import {
  currentConditions,
  effectiveCause,
  elapsedSeconds,
  matchesFactors,
  NOT_CONFIG_BOUND,
  nowMs,
  sharedFactors,
  toEpochMs,
} from './snapshot.js';
import type { JobState, RootCause } from './types.js';

/**
 * The kill switch: when the same failure hits several jobs of one configuration in a short
 * window, the still-running jobs of that configuration that have not reached the point where
 * the others died are doomed, so they are cancelled instead of burning GPU hours. Everything
 * else goes on. It is one of the two actions allowed while jobs run (rule F1).
 */

export interface KillSwitchTrigger {
  readonly rootCause: RootCause;
  readonly signature: string;
  readonly failedJobIds: readonly string[];
  /** Factor values every failed job of the burst shares: what "same configuration" means. */
  readonly sharedFactors: Readonly<Record<string, string>>;
  /** The latest elapsed time at which a job of the burst failed. */
  readonly failurePointSeconds: number;
  readonly cancelJobIds: readonly string[];
  readonly reason: string;
}

export interface KillSwitchResult {
  readonly fired: boolean;
  /** Union of the triggers' jobs to cancel, sorted. */
  readonly jobIds: readonly string[];
  readonly reason: string;
  readonly triggers: readonly KillSwitchTrigger[];
}

// Running jobs only: pending ones have spent nothing yet, and a COMPLETING job is done.
const CANCELLABLE: ReadonlySet<JobState> = new Set<JobState>(['RUNNING', 'SUSPENDED']);

interface Failure {
  readonly current: CurrentCondition;
  readonly endMs: number;
  readonly elapsed: number | undefined;
}

export function evaluateKillSwitch(snapshot: SweepSnapshot, policy: Policy): KillSwitchResult {
  const now = nowMs(snapshot);
  const current = currentConditions(snapshot);
  const bursts = new Map<string, Failure[]>();
  for (const c of current) {
    const a = c.attempt;
    // Only observed, classified failures count: a stale state or a coarse unclassified
    // signature is not evidence that two jobs failed identically.
    if (c.status !== 'failed' || a.stale === true || a.classification === undefined) continue;
    if (NOT_CONFIG_BOUND.has(effectiveCause(a)) || a.endedAt === undefined) continue;
    const endMs = toEpochMs(a.endedAt);
    if (!Number.isFinite(endMs)) continue;
    const key = `${a.classification.rootCause}|${a.classification.signature}`;
    const list = bursts.get(key) ?? [];
    list.push({ current: c, endMs, elapsed: elapsedSeconds(a, now) });
    bursts.set(key, list);
  }

  const triggers: KillSwitchTrigger[] = [];
  const notes: string[] = [];
  // The candidates for a cancel, once, with how long each has run: a burst then scans the
  // running jobs, not the whole sweep (at 100,000 jobs, 17 bursts × 10,000 running ones).
  const cancellable = current.filter((c) => CANCELLABLE.has(c.attempt.state) && c.attempt.stale !== true);
  const ran = cancellable.map((c) => elapsedSeconds(c.attempt, now));
  for (const failures of bursts.values()) {
    const burst = largestWindow(failures, policy.killSwitch.windowSeconds * 1000);
    if (burst.length < policy.killSwitch.identical) continue;
    const first = burst[0]?.current.attempt.classification;
    if (first === undefined) continue;
    const label = `${burst.length} × ${first.rootCause} "${first.signature}" within ${policy.killSwitch.windowSeconds} s`;
    const points = burst.map((f) => f.elapsed).filter((e): e is number => e !== undefined);
    if (points.length === 0) {
      notes.push(`${label}, but no failure time is known`);
      continue;
    }
    // A loop, not Math.max(...points): a burst can hold tens of thousands of failures.
    let point = Number.NEGATIVE_INFINITY;
    for (const e of points) if (e > point) point = e;
    const shared = sharedFactors(burst.map((f) => f.current.condition.factors));
    let sameConfig = 0;
    const doomed: CurrentCondition[] = [];
    cancellable.forEach((c, i) => {
      if (!matchesFactors(c.condition.factors, shared)) return;
      sameConfig++;
      const e = ran[i];
      if (e !== undefined && e <= point) doomed.push(c);
    });
    const where = describe(shared);
    if (doomed.length === 0) {
      notes.push(
        sameConfig > 0
          ? `${label} (${where}), but the running jobs of that configuration are already past ${Math.round(point)} s`
          : `${label} (${where}), but no job of that configuration is running`,
      );
      continue;
    }
    triggers.push({
      rootCause: first.rootCause,
      signature: first.signature,
      failedJobIds: burst.map((f) => f.current.attempt.jobId),
      sharedFactors: shared,
      failurePointSeconds: point,
      cancelJobIds: doomed.map((c) => c.attempt.jobId),
      reason: `${label} (${where}): cancelling ${doomed.length} running jobs of that configuration that have not reached ${Math.round(point)} s`,
    });
  }
  // A loop into one set, not a flatMap of every trigger's list (they overlap: often all of it).
  const union = new Set<string>();
  for (const t of triggers) for (const id of t.cancelJobIds) union.add(id);
  const jobIds = [...union].sort();
  const reason =
    triggers.length > 0
      ? triggers.map((t) => t.reason).join('; ')
      : notes.length > 0
        ? notes.join('; ')
        : `no ${policy.killSwitch.identical} identical failures within ${policy.killSwitch.windowSeconds} s`;
  return { fired: triggers.length > 0, jobIds, reason, triggers };
}

/** The most failures whose end times fit in one window (the earliest such window on ties). */
function largestWindow(failures: readonly Failure[], windowMs: number): Failure[] {
  const sorted = [...failures].sort((a, b) => a.endMs - b.endMs);
  let best = { start: 0, length: 0 };
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end]?.endMs ?? 0) - (sorted[start]?.endMs ?? 0) > windowMs) start++;
    if (end - start + 1 > best.length) best = { start, length: end - start + 1 };
  }
  return sorted.slice(best.start, best.start + best.length);
}

function describe(factors: Readonly<Record<string, string>>): string {
  const parts = Object.entries(factors).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : 'every configuration';
}
