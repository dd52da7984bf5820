/**
 * Manifest → SweepSnapshot: the decision core's view of what the manifest records. The core
 * never sees how state is stored; this mapping is the one place that decides how the
 * manifest's in-between phases (a submission in flight, a refused submission) look to it.
 */
import { levelText } from './conditions.js';
import {
  type Attempt,
  type ConditionRecord,
  elapsedFromTimes,
  type Manifest,
  relaunchCyclesUsed,
} from './manifest-model.js';
import { classifyPendingReason } from './pending-reasons.js';
import { signatureOf } from './signature.js';
import type { AttemptResources, AttemptView, ConditionView, SweepSnapshot } from './snapshot.js';
import { toEpochMs } from './snapshot.js';

export interface SnapshotOptions {
  /** ISO 8601: the tick's time (the core never reads the clock). */
  readonly now: string;
  /** The template's resources: what an attempt asked for when it recorded no override. */
  readonly defaults?: { readonly memoryMb?: number | null; readonly timeMinutes?: number | null };
  /** policy.pending.heldPatienceSeconds; without it held jobs are judged by the core alone. */
  readonly heldPatienceSeconds?: number;
  readonly replicateFactor?: string;
}

/** Job id of attempts that have none (in flight, or refused): never cancellable, never observed. */
export const NO_JOB_ID = '';

function resourcesOf(a: Attempt, options: SnapshotOptions): AttemptResources | undefined {
  const memoryMb = a.requested?.memoryMb ?? options.defaults?.memoryMb ?? null;
  const timeMinutes = a.requested?.timeMinutes ?? options.defaults?.timeMinutes ?? null;
  if (memoryMb === null && timeMinutes === null) return undefined;
  return {
    ...(memoryMb !== null ? { memoryMb } : {}),
    ...(timeMinutes !== null ? { timeMinutes } : {}),
  };
}

function pendingFacts(a: Attempt, now: number, options: SnapshotOptions): Partial<AttemptView> {
  if (a.state !== null && a.state !== 'PENDING') return {};
  const since = Math.round((now - toEpochMs(a.submittedAt)) / 1000);
  const pendingSinceSeconds = Number.isFinite(since) ? Math.max(0, since) : undefined;
  const facts: Partial<AttemptView> = pendingSinceSeconds === undefined ? {} : { pendingSinceSeconds };
  if (a.reason === null) return facts;
  const problem =
    options.heldPatienceSeconds !== undefined &&
    classifyPendingReason(a.reason, {
      heldPatienceSeconds: options.heldPatienceSeconds,
      ...(pendingSinceSeconds !== undefined ? { pendingSeconds: pendingSinceSeconds } : {}),
    }).kind === 'problem';
  return { ...facts, pendingReason: a.reason, ...(problem ? { pendingProblem: true } : {}) };
}

export function attemptView(a: Attempt, now: number, options: SnapshotOptions): AttemptView {
  const resources = resourcesOf(a, options);
  const base = { cycle: a.cycle, ...(resources !== undefined ? { resources } : {}) };
  // In flight: neither live nor failed as far as anyone knows; UNKNOWN keeps F1 closed (nothing
  // is relaunched while a launch may still be submitting) and stale keeps it out of cancels.
  if (a.phase === 'submitting') return { ...base, jobId: NO_JOB_ID, state: 'UNKNOWN', stale: true };
  if (a.phase === 'submit_failed') {
    const evidence = [a.submitError ?? 'the scheduler refused the submission'];
    const endedAt = a.observedAt ?? a.submittedAt;
    return {
      ...base,
      jobId: NO_JOB_ID,
      state: 'FAILED',
      endedAt,
      classification: {
        rootCause: 'submission_rejected',
        signature: signatureOf('submission_rejected', evidence),
        confidence: 1,
        evidence,
      },
    };
  }
  const elapsed = a.used?.elapsedSeconds ?? elapsedFromTimes(a.startedAt, a.endedAt);
  return {
    ...base,
    jobId: a.jobId ?? NO_JOB_ID,
    // Submitted but not observed yet: the scheduler accepted it, so it is queued.
    state: a.state ?? 'PENDING',
    ...(a.staleSince !== null ? { stale: true } : {}),
    ...(a.startedAt !== null ? { startedAt: a.startedAt } : {}),
    ...(a.endedAt !== null ? { endedAt: a.endedAt } : {}),
    ...(elapsed !== null ? { elapsedSeconds: elapsed } : {}),
    ...(a.classification !== null ? { classification: a.classification } : {}),
    ...pendingFacts(a, now, options),
  };
}

export function conditionView(c: ConditionRecord, now: number, options: SnapshotOptions): ConditionView {
  return {
    id: c.id,
    factors: Object.fromEntries(Object.entries(c.values).map(([name, v]) => [name, levelText(v)])),
    attempts: c.attempts.map((a) => attemptView(a, now, options)),
  };
}

export function manifestToSnapshot(m: Manifest, options: SnapshotOptions): SweepSnapshot {
  const now = toEpochMs(options.now);
  return {
    now: options.now,
    factors: m.factors.map((f) => ({ name: f.name, levels: f.levels.map(levelText) })),
    conditions: m.conditions.map((c) => conditionView(c, now, options)),
    relaunchCycles: relaunchCyclesUsed(m),
    ...(options.replicateFactor !== undefined ? { replicateFactor: options.replicateFactor } : {}),
    ...(m.paused ? { paused: true } : {}),
  };
}
