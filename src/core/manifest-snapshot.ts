/**
 * Manifest → SweepSnapshot: the decision core's view of what the manifest records. The core
 * never sees how state is stored; this mapping is the one place that decides how the
 * manifest's in-between phases (a submission in flight, a refused submission) look to it.
 */
import { type StateCounts, StateTally } from './aggregate.js';
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
import { attemptStatus, toEpochMs } from './snapshot.js';

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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function resourcesFrom(memoryMb: number | null, timeMinutes: number | null): AttemptResources | undefined {
  if (memoryMb === null && timeMinutes === null) return undefined;
  const resources: Mutable<AttemptResources> = {};
  if (memoryMb !== null) resources.memoryMb = memoryMb;
  if (timeMinutes !== null) resources.timeMinutes = timeMinutes;
  return resources;
}

/**
 * The template's resources as a view, made once per options: nearly every attempt asks for
 * just those, and views are readonly, so 100,000 views share one object instead of one each.
 */
const TEMPLATE_RESOURCES = new WeakMap<SnapshotOptions, AttemptResources | undefined>();

function resourcesOf(a: Attempt, options: SnapshotOptions): AttemptResources | undefined {
  const memoryMb = a.requested?.memoryMb ?? options.defaults?.memoryMb ?? null;
  const timeMinutes = a.requested?.timeMinutes ?? options.defaults?.timeMinutes ?? null;
  if (a.requested !== null) return resourcesFrom(memoryMb, timeMinutes);
  if (!TEMPLATE_RESOURCES.has(options)) TEMPLATE_RESOURCES.set(options, resourcesFrom(memoryMb, timeMinutes));
  return TEMPLATE_RESOURCES.get(options);
}

/** Adds what a pending attempt's wait says: how long, why, and whether that is a problem. */
function addPendingFacts(
  view: Mutable<AttemptView>,
  a: Attempt,
  now: number,
  options: SnapshotOptions,
): void {
  if (a.state !== null && a.state !== 'PENDING') return;
  const since = Math.round((now - toEpochMs(a.submittedAt)) / 1000);
  const pendingSinceSeconds = Number.isFinite(since) ? Math.max(0, since) : undefined;
  if (pendingSinceSeconds !== undefined) view.pendingSinceSeconds = pendingSinceSeconds;
  if (a.reason === null) return;
  view.pendingReason = a.reason;
  const problem =
    options.heldPatienceSeconds !== undefined &&
    classifyPendingReason(a.reason, {
      heldPatienceSeconds: options.heldPatienceSeconds,
      ...(pendingSinceSeconds !== undefined ? { pendingSeconds: pendingSinceSeconds } : {}),
    }).kind === 'problem';
  if (problem) view.pendingProblem = true;
}

// Views are built field by field on one object: at 100,000 conditions a tick makes one per
// attempt, and the spread-per-optional-field form tripled the garbage the tick left behind.
export function attemptView(a: Attempt, now: number, options: SnapshotOptions): AttemptView {
  const resources = resourcesOf(a, options);
  // In flight: neither live nor failed as far as anyone knows; UNKNOWN keeps F1 closed (nothing
  // is relaunched while a launch may still be submitting) and stale keeps it out of cancels.
  if (a.phase === 'submitting') {
    const view: Mutable<AttemptView> = { cycle: a.cycle, jobId: NO_JOB_ID, state: 'UNKNOWN', stale: true };
    if (resources !== undefined) view.resources = resources;
    return view;
  }
  if (a.phase === 'submit_failed') {
    const evidence = [a.submitError ?? 'the scheduler refused the submission'];
    const view: Mutable<AttemptView> = {
      cycle: a.cycle,
      jobId: NO_JOB_ID,
      state: 'FAILED',
      endedAt: a.observedAt ?? a.submittedAt,
      // A refusal recorded with its cause (provisioning) keeps it; any other is a rejection.
      classification: a.classification ?? {
        rootCause: 'submission_rejected',
        signature: signatureOf('submission_rejected', evidence),
        confidence: 1,
        evidence,
      },
    };
    if (resources !== undefined) view.resources = resources;
    return view;
  }
  const elapsed = a.used?.elapsedSeconds ?? elapsedFromTimes(a.startedAt, a.endedAt);
  // Submitted but not observed yet: the scheduler accepted it, so it is queued.
  const view: Mutable<AttemptView> = {
    cycle: a.cycle,
    jobId: a.jobId ?? NO_JOB_ID,
    state: a.state ?? 'PENDING',
  };
  if (resources !== undefined) view.resources = resources;
  if (a.staleSince !== null) view.stale = true;
  if (a.startedAt !== null) view.startedAt = a.startedAt;
  if (a.endedAt !== null) view.endedAt = a.endedAt;
  if (elapsed !== null) view.elapsedSeconds = elapsed;
  if (a.classification !== null) view.classification = a.classification;
  addPendingFacts(view, a, now, options);
  return view;
}

/** Whether every level is a string already (as in nearly every sweep): then it is its own text. */
function allText(values: ConditionRecord['values']): values is Readonly<Record<string, string>> {
  for (const name in values) if (typeof values[name] !== 'string') return false;
  return true;
}

/**
 * Factor name → level text of a condition. A condition's values never change and transitions
 * share the object, so the map is made once per process, not once per snapshot, and not at all
 * when the values are all text.
 */
const FACTOR_TEXT = new WeakMap<ConditionRecord['values'], Readonly<Record<string, string>>>();

function factorText(values: ConditionRecord['values']): Readonly<Record<string, string>> {
  if (allText(values)) return values;
  let text = FACTOR_TEXT.get(values);
  if (text === undefined) {
    const built: Record<string, string> = {};
    for (const name of Object.keys(values)) {
      const value = values[name];
      if (value !== undefined) built[name] = levelText(value);
    }
    text = built;
    FACTOR_TEXT.set(values, text);
  }
  return text;
}

export function conditionView(c: ConditionRecord, now: number, options: SnapshotOptions): ConditionView {
  // map(), not push(): an array grown by push() reserves room for 17 views (~150 bytes a condition).
  const attempts = c.attempts.map((a) => attemptView(a, now, options));
  return { id: c.id, factors: factorText(c.values), attempts };
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

/**
 * countStates(currentConditions(manifestToSnapshot(m))) without building the snapshot: only
 * each condition's latest attempt is viewed, and no factor maps are made. The tick needs the
 * previous tick's counts (for the deltas) and nothing else of the manifest it loaded.
 */
export function countManifestStates(m: Manifest, options: SnapshotOptions): StateCounts {
  const now = toEpochMs(options.now);
  const tally = new StateTally();
  for (const c of m.conditions) {
    let latest: Attempt | undefined;
    // The same pick as latestAttempt(): the highest cycle, the last of equals.
    for (const a of c.attempts) if (latest === undefined || a.cycle >= latest.cycle) latest = a;
    if (latest === undefined) continue;
    const view = attemptView(latest, now, options);
    // Views made from the manifest carry no output check (see conditionView), so none is invalid.
    tally.add(attemptStatus(view), view.state, false);
  }
  return tally.counts();
}
