import type { JobState, RootCause } from './types.js';
import { isFailedState, isTerminal } from './types.js';

/**
 * The read-only view of a sweep that the decision core computes from. It is deliberately
 * smaller than the manifest: an adapter maps the manifest (and the latest observations) into
 * it, so the decision core never depends on how state is stored.
 */

/** What the sweep's outputs look like for a condition, when a checker has looked. */
export type OutputValidity = 'ok' | 'missing' | 'empty' | 'non_finite';

export interface AttemptClassification {
  readonly rootCause: RootCause;
  readonly signature: string;
  /** 0..1 */
  readonly confidence: number;
  readonly evidence: readonly string[];
  /** Files of the user's code involved, when the classifier extracted them. */
  readonly affectedFiles?: readonly string[];
}

export interface AttemptResources {
  readonly memoryMb?: number;
  /** The wall-clock limit requested for the attempt. */
  readonly timeMinutes?: number;
}

export interface AttemptView {
  /** 0 for the first launch, +1 per relaunch cycle. */
  readonly cycle: number;
  readonly jobId: string;
  readonly state: JobState;
  /** Not observed on the last tick (or the observation failed): the state may be out of date. */
  readonly stale?: boolean;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly elapsedSeconds?: number;
  readonly classification?: AttemptClassification;
  readonly resources?: AttemptResources;
  readonly pendingReason?: string;
  readonly pendingSinceSeconds?: number;
  /** Set by the scheduler adapter when the pending reason is a problem (PartitionDown, InvalidQOS…). */
  readonly pendingProblem?: boolean;
}

export interface ConditionView {
  readonly id: string;
  /** Factor name → level, for every factor of the sweep. */
  readonly factors: Readonly<Record<string, string>>;
  /** In launch order; the last one (highest cycle) is the current state. */
  readonly attempts: readonly AttemptView[];
  readonly outputs?: OutputValidity;
}

export interface FactorView {
  readonly name: string;
  readonly levels: readonly string[];
}

export interface SweepSnapshot {
  /** ISO 8601 or epoch milliseconds: the core never reads the clock. */
  readonly now: string | number;
  readonly factors: readonly FactorView[];
  readonly conditions: readonly ConditionView[];
  /** Relaunch cycles already used by the sweep. */
  readonly relaunchCycles: number;
  /** The factor whose levels are replicates (fold, seed); see learning-value.ts. */
  readonly replicateFactor?: string;
  /** A person paused sweepwatch for this sweep: observe, never act. */
  readonly paused?: boolean;
}

/** Where the latest attempt stands. `unknown` is non-terminal: UNKNOWN is never a failure. */
export type AttemptStatus =
  | 'pending'
  | 'running'
  | 'unknown'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'revoked';

const PENDING_STATES: ReadonlySet<JobState> = new Set<JobState>(['PENDING', 'REQUEUED', 'REQUEUE_HOLD']);

/**
 * The scheduler state alone already says this much when no classification exists yet; the
 * classifier refines it. Only the unambiguous states are mapped.
 */
const CAUSE_BY_STATE: Partial<Record<JobState, RootCause>> = {
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  DEADLINE: 'timeout',
  OUT_OF_MEMORY: 'host_oom',
  NODE_FAIL: 'node_failure',
  BOOT_FAIL: 'node_failure',
  PREEMPTED: 'preempted',
};

/**
 * Causes that belong to the cluster or to the clock, not to the configuration: timeouts all
 * end at the limit, preemptions and node failures follow the cluster. Neither the kill switch
 * nor the crash-pattern hard stop reads anything about the code into them.
 */
export const NOT_CONFIG_BOUND: ReadonlySet<RootCause> = new Set<RootCause>([
  'timeout',
  'preempted',
  'node_failure',
  'provisioning',
  'controller_error',
  'submission_rejected',
  'cancelled',
  'none',
]);

export const INVALID_OUTPUTS: ReadonlySet<OutputValidity> = new Set<OutputValidity>([
  'missing',
  'empty',
  'non_finite',
]);

export function toEpochMs(time: string | number): number {
  if (typeof time === 'number') return time;
  // Date.parse is slow and one evaluation reads each job's times from several places; the jobs
  // of a sweep share few distinct seconds. Bounded: cleared rather than grown past its size.
  let ms = EPOCH_MS.get(time);
  if (ms === undefined) {
    ms = Date.parse(time);
    if (EPOCH_MS.size >= EPOCH_CACHE_SIZE) EPOCH_MS.clear();
    EPOCH_MS.set(time, ms);
  }
  return ms;
}

const EPOCH_CACHE_SIZE = 65_536;
const EPOCH_MS = new Map<string, number>();

export function nowMs(snapshot: SweepSnapshot): number {
  return toEpochMs(snapshot.now);
}

/** The attempt that counts for the condition's current state: the highest cycle, then the last listed. */
export function latestAttempt(condition: ConditionView): AttemptView | undefined {
  let latest: AttemptView | undefined;
  for (const attempt of condition.attempts) {
    if (latest === undefined || attempt.cycle >= latest.cycle) latest = attempt;
  }
  return latest;
}

/** The root cause of a finished attempt: the classifier's, else what the state alone implies. */
export function effectiveCause(attempt: AttemptView): RootCause {
  const cause = attempt.classification?.rootCause;
  if (cause !== undefined && cause !== 'none') return cause;
  if (cause === 'none' && !isFailedState(attempt.state)) return 'none';
  return CAUSE_BY_STATE[attempt.state] ?? 'unknown';
}

/** The failure fingerprint; unclassified failures get a coarse one from their state. */
export function effectiveSignature(attempt: AttemptView): string {
  return attempt.classification?.signature ?? `unclassified:${attempt.state}`;
}

export function attemptStatus(attempt: AttemptView): AttemptStatus {
  const { state } = attempt;
  if (!isTerminal(state)) {
    if (PENDING_STATES.has(state)) return 'pending';
    return state === 'UNKNOWN' ? 'unknown' : 'running';
  }
  if (state === 'REVOKED') return 'revoked';
  // Evidence beats the exit code: an oom_kill under COMPLETED is still a failure.
  if (state === 'COMPLETED') {
    const cause = attempt.classification?.rootCause;
    if (cause === undefined || cause === 'none') return 'succeeded';
    return cause === 'cancelled' ? 'cancelled' : 'failed';
  }
  return effectiveCause(attempt) === 'cancelled' ? 'cancelled' : 'failed';
}

export function isLive(status: AttemptStatus): boolean {
  return status === 'pending' || status === 'running' || status === 'unknown';
}

/** Seconds the attempt has run: reported, else derived from its timestamps (running: until now). */
export function elapsedSeconds(attempt: AttemptView, now: number): number | undefined {
  if (attempt.elapsedSeconds !== undefined) return attempt.elapsedSeconds;
  if (attempt.startedAt === undefined) return attempt.state === 'PENDING' ? 0 : undefined;
  const end = attempt.endedAt !== undefined ? toEpochMs(attempt.endedAt) : now;
  const seconds = (end - toEpochMs(attempt.startedAt)) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}

/** A condition with its current attempt and status, the unit most of the core iterates over. */
export interface CurrentCondition {
  readonly condition: ConditionView;
  readonly attempt: AttemptView;
  readonly status: AttemptStatus;
}

/** Conditions that have at least one attempt, with their current state. */
export function currentConditions(snapshot: SweepSnapshot): readonly CurrentCondition[] {
  // Built once per snapshot: one evaluation asks for it from eight places.
  let cached = CURRENT.get(snapshot);
  if (cached === undefined) {
    const out: CurrentCondition[] = [];
    for (const condition of snapshot.conditions) {
      const attempt = latestAttempt(condition);
      if (attempt !== undefined) out.push({ condition, attempt, status: attemptStatus(attempt) });
    }
    cached = out;
    CURRENT.set(snapshot, cached);
  }
  // Shared, not copied: readonly to every caller (a copy per call was 100,000 entries × 8).
  return cached;
}

const CURRENT = new WeakMap<SweepSnapshot, readonly CurrentCondition[]>();

/** Succeeded, but a checker found its outputs missing, empty or non-finite. */
export function hasInvalidOutputs(current: CurrentCondition): boolean {
  const outputs = current.condition.outputs;
  return current.status === 'succeeded' && outputs !== undefined && INVALID_OUTPUTS.has(outputs);
}

/** True when the condition's factor values include every pair of `match`. */
export function matchesFactors(
  factors: Readonly<Record<string, string>>,
  match: Readonly<Record<string, string>>,
): boolean {
  // Called for every running job per burst of the kill switch: no entries array per call.
  for (const name in match) if (factors[name] !== match[name]) return false;
  return true;
}

/** The factor values all the given conditions agree on: what "the same configuration" means. */
export function sharedFactors(
  all: readonly Readonly<Record<string, string>>[],
): Readonly<Record<string, string>> {
  const [first, ...rest] = all;
  if (first === undefined) return {};
  return Object.fromEntries(
    Object.entries(first).filter(([name, level]) => rest.every((f) => f[name] === level)),
  );
}

const FACTORS_BY_ID = new WeakMap<SweepSnapshot, ReadonlyMap<string, Readonly<Record<string, string>>>>();

/** Condition id → its factor levels, built once per snapshot (reports look up many groups). */
export function factorsById(snapshot: SweepSnapshot): ReadonlyMap<string, Readonly<Record<string, string>>> {
  let byId = FACTORS_BY_ID.get(snapshot);
  if (byId === undefined) {
    byId = new Map(snapshot.conditions.map((c) => [c.id, c.factors]));
    FACTORS_BY_ID.set(snapshot, byId);
  }
  return byId;
}
