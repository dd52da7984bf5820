/**
 * Every change to a manifest, as pure functions: each returns a new manifest (sharing what did
 * not change) and never mutates its input. They take batches, because a launch records
 * thousands of submissions and copying 10,000 conditions per job would be quadratic. Asking
 * for an impossible change (an unknown condition, a third relaunch) throws
 * ManifestError('transition'): that is a bug in the caller, not a state to record.
 */
import type { ConditionId } from './conditions.js';
import { ManifestError } from './manifest-errors.js';
import {
  type Attempt,
  type AttemptRef,
  bounded,
  type ConditionRecord,
  type CycleRecord,
  compactTime,
  conditionPosition,
  currentCycle,
  DECISION_HISTORY,
  type DecisionRecord,
  EVIDENCE_MAX_LINES,
  jobSlots,
  MAX_RELAUNCH_CYCLES,
  type Manifest,
  type ResourcesRequested,
} from './manifest-model.js';
import { FINGERPRINT, JOB_ID } from './manifest-wire.js';
import { signatureOf } from './signature.js';
import type { Classification } from './types.js';
import { isFailedState } from './types.js';

export { applyObservations, markStale, type ObservationResult } from './manifest-observe.js';

export function transitionError(m: Manifest, problem: string): ManifestError {
  const source = `manifest of ${m.experiment}`;
  return new ManifestError('transition', `${source}: ${problem}`, source);
}

/** Applies `change` to the conditions named in `byId`, copying the array once. */
export function updateConditions(
  m: Manifest,
  byId: ReadonlyMap<ConditionId, (c: ConditionRecord) => ConditionRecord>,
): Manifest {
  // Looked up by position: a transition touching a few conditions of a large sweep costs one
  // array copy, not a lookup per condition.
  const conditions = [...m.conditions];
  const missing: ConditionId[] = [];
  for (const [id, change] of byId) {
    const at = conditionPosition(m, id);
    const c = conditions[at];
    if (c === undefined) missing.push(id);
    else conditions[at] = change(c);
  }
  if (missing.length > 0) throw transitionError(m, `unknown condition(s): ${missing.slice(0, 5).join('; ')}`);
  return { ...m, conditions };
}

function withLatest(m: Manifest, c: ConditionRecord, change: (a: Attempt) => Attempt): ConditionRecord {
  const last = c.attempts.at(-1);
  if (last === undefined) throw transitionError(m, `condition ${c.id} has no submission in flight`);
  return { ...c, attempts: [...c.attempts.slice(0, -1), change(last)] };
}

function guard(m: Manifest, ok: boolean, problem: string): asserts ok {
  if (!ok) throw transitionError(m, problem);
}

export interface SubmittingEntry {
  readonly conditionId: ConditionId;
  readonly cycle: number;
  /** Resources that differ from the template (an escalated relaunch), else null. */
  readonly requested?: ResourcesRequested | null;
}

/** Opens an attempt before the scheduler is asked, so a crash mid-submit leaves a trace. */
export function recordSubmitting(m: Manifest, entries: readonly SubmittingEntry[], now: string): Manifest {
  const recorded = currentCycle(m);
  const byId = new Map<ConditionId, (c: ConditionRecord) => ConditionRecord>();
  for (const e of entries) {
    guard(m, e.cycle <= recorded, `cycle ${e.cycle} is not recorded yet (record the relaunch cycle first)`);
    guard(m, !byId.has(e.conditionId), `condition ${e.conditionId} is listed twice`);
    byId.set(e.conditionId, (c) => {
      const last = c.attempts.at(-1);
      guard(m, last?.phase !== 'submitting', `condition ${c.id} already has a submission in flight`);
      guard(
        m,
        (last?.cycle ?? 0) <= e.cycle,
        `condition ${c.id} already has an attempt of cycle ${last?.cycle}`,
      );
      const attempt: Attempt = {
        cycle: e.cycle,
        phase: 'submitting',
        jobId: null,
        submittedAt: compactTime(now),
        startedAt: null,
        endedAt: null,
        state: null,
        rawState: null,
        reason: null,
        exit: null,
        classification: null,
        requested: e.requested ?? null,
        used: null,
        stdoutPath: null,
        stderrPath: null,
        submitError: null,
        image: null,
        observedAt: null,
        staleSince: null,
      };
      return { ...c, attempts: [...c.attempts, attempt] };
    });
  }
  return updateConditions(m, byId);
}

export interface SubmittedEntry {
  readonly conditionId: ConditionId;
  readonly jobId: string;
  readonly stdoutPath?: string | null;
  readonly stderrPath?: string | null;
  /** The image digest the scheduler launched it with (SubmitResult.imageDigest). */
  readonly image?: string;
}

/** The scheduler accepted the submission: the in-flight attempt gets its job id. */
export function recordSubmitted(m: Manifest, entries: readonly SubmittedEntry[], now: string): Manifest {
  const jobs = jobSlots(m);
  const added = new Set<string>();
  const byId = new Map<ConditionId, (c: ConditionRecord) => ConditionRecord>();
  for (const e of entries) {
    guard(m, JOB_ID.test(e.jobId), `"${e.jobId}" is not a job id`);
    guard(m, !jobs.has(e.jobId) && !added.has(e.jobId), `job ${e.jobId} is already recorded`);
    added.add(e.jobId);
    byId.set(e.conditionId, (c) =>
      withLatest(m, c, (a) => {
        guard(m, a.phase === 'submitting', `condition ${c.id} has no submission in flight`);
        const stdoutPath = e.stdoutPath === undefined || e.stdoutPath === null ? null : bounded(e.stdoutPath);
        const stderrPath =
          e.stderrPath === undefined ? stdoutPath : e.stderrPath === null ? null : bounded(e.stderrPath);
        return {
          ...a,
          phase: 'submitted',
          jobId: e.jobId,
          stdoutPath,
          stderrPath,
          image: e.image === undefined ? a.image : bounded(e.image),
          observedAt: compactTime(now),
        };
      }),
    );
  }
  return updateConditions(m, byId);
}

export interface SubmitFailedEntry {
  readonly conditionId: ConditionId;
  readonly error: string;
  /**
   * What the refusal means (the Scheduler port's SubmitResult): `provisioning` when no cloud or
   * cluster could provide the resources, which policy may retry, unlike a rejected submission.
   * Absent: submission_rejected.
   */
  readonly rootCause?: 'submission_rejected' | 'provisioning';
}

/** The scheduler refused (or the transport failed): the attempt closes without a job. */
export function recordSubmitFailed(
  m: Manifest,
  entries: readonly SubmitFailedEntry[],
  now: string,
): Manifest {
  const byId = new Map<ConditionId, (c: ConditionRecord) => ConditionRecord>();
  for (const e of entries) {
    byId.set(e.conditionId, (c) =>
      withLatest(m, c, (a) => {
        guard(m, a.phase === 'submitting', `condition ${c.id} has no submission in flight`);
        const submitError = bounded(e.error);
        // Only a cause other than the default is written down: the snapshot reads a missing
        // classification of a refused submission as submission_rejected.
        const classification =
          e.rootCause === 'provisioning'
            ? {
                rootCause: e.rootCause,
                signature: signatureOf(e.rootCause, [submitError]),
                confidence: 1,
                evidence: [submitError],
              }
            : a.classification;
        return { ...a, phase: 'submit_failed', submitError, classification, observedAt: compactTime(now) };
      }),
    );
  }
  return updateConditions(m, byId);
}

export interface ClassificationEntry {
  readonly ref: AttemptRef;
  readonly classification: Pick<Classification, 'rootCause' | 'signature' | 'confidence' | 'evidence'>;
}

/** Stores the diagnosis of failed attempts, evidence bounded to EVIDENCE_MAX_LINES lines. */
export function recordClassification(m: Manifest, entries: readonly ClassificationEntry[]): Manifest {
  const byCondition = new Map<ConditionId, ClassificationEntry[]>();
  for (const e of entries)
    byCondition.set(e.ref.conditionId, [...(byCondition.get(e.ref.conditionId) ?? []), e]);
  const byId = new Map<ConditionId, (c: ConditionRecord) => ConditionRecord>();
  for (const [id, list] of byCondition) {
    byId.set(id, (c) => {
      const attempts = [...c.attempts];
      for (const { ref, classification: k } of list) {
        const a = attempts[ref.attempt];
        guard(m, a !== undefined, `condition ${id} has no attempt ${ref.attempt}`);
        const confidence = Math.min(1, Math.max(0, Math.round(k.confidence * 100) / 100));
        const evidence = k.evidence.slice(-EVIDENCE_MAX_LINES).map((line) => bounded(line));
        attempts[ref.attempt] = {
          ...a,
          classification: { rootCause: k.rootCause, signature: bounded(k.signature), confidence, evidence },
        };
      }
      return { ...c, attempts };
    });
  }
  return updateConditions(m, byId);
}

/** Opens relaunch cycle 1 or 2; the attempts of that cycle are then recorded with it. */
export function recordRelaunchCycle(m: Manifest, cycle: Omit<CycleRecord, 'cycle'>): Manifest {
  const next = currentCycle(m) + 1;
  guard(m, next <= MAX_RELAUNCH_CYCLES, `all ${MAX_RELAUNCH_CYCLES} relaunch cycles are used`);
  const record: CycleRecord = {
    cycle: next,
    digest: bounded(cycle.digest),
    reason: bounded(cycle.reason),
    requestedBy: bounded(cycle.requestedBy),
    at: compactTime(cycle.at),
  };
  return { ...m, cycles: [...m.cycles, record] };
}

/** Appends a tick's decision, keeping the last DECISION_HISTORY. */
export function recordDecision(m: Manifest, decision: DecisionRecord): Manifest {
  const record: DecisionRecord = {
    ...decision,
    at: compactTime(decision.at),
    reasonCode: bounded(decision.reasonCode),
    note: decision.note === null ? null : bounded(decision.note),
  };
  return { ...m, decisions: [...m.decisions, record].slice(-DECISION_HISTORY) };
}

/** Remembers the issue opened for a root-cause fingerprint, so later ticks update it. */
export function recordIssue(m: Manifest, fingerprint: string, issueNumber: number): Manifest {
  guard(m, FINGERPRINT.test(fingerprint), `"${fingerprint}" is not a fingerprint`);
  guard(m, Number.isInteger(issueNumber) && issueNumber > 0, `${issueNumber} is not an issue number`);
  if (m.issues[fingerprint] === issueNumber) return m;
  return { ...m, issues: { ...m.issues, [fingerprint]: issueNumber } };
}

/** Remembers where the experiment's dashboard issue is, so later ticks write it without a lookup. */
export function recordDashboardIssue(m: Manifest, issueNumber: number): Manifest {
  guard(m, Number.isInteger(issueNumber) && issueNumber > 0, `${issueNumber} is not an issue number`);
  return m.dashboardIssue === issueNumber ? m : { ...m, dashboardIssue: issueNumber };
}

export function setPaused(m: Manifest, paused: boolean): Manifest {
  return m.paused === paused ? m : { ...m, paused };
}

/** Whether an attempt's state counts as a failure (for callers that only hold the manifest). */
export function attemptFailed(a: Attempt): boolean {
  return a.phase === 'submit_failed' || (a.state !== null && isFailedState(a.state));
}
