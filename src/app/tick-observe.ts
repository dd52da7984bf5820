/**
 * The observing half of a tick: one observe() of every live job, then log tails for the
 * attempts newly seen failed (one batched call) and their classification. Everything the
 * scheduler could not answer stays at its last known state, flagged stale: a monitoring error
 * is never a job failure. The result is a list of transitions to apply (and re-apply on a
 * save conflict), not a manifest.
 */
import type { AttemptRef, Manifest } from '../core/manifest.js';
import { type Attempt, getAttempt } from '../core/manifest-model.js';
import {
  applyObservations,
  type ClassificationEntry,
  markStale,
  recordClassification,
} from '../core/manifest-transitions.js';
import { classify } from '../core/root-cause.js';
import type { ExitStatus, JobObservation } from '../core/types.js';
import type { ObservationError, ObserveDiagnostic, Scheduler } from '../ports/scheduler.js';
import { SchedulerError } from '../ports/scheduler.js';
import { TransportError } from '../ports/transport.js';
import { liveJobIds } from './job-request.js';

export interface Observed {
  readonly observations: readonly JobObservation[];
  /** Requested ids whose state is unknown this tick (unobserved, missing, or the call failed). */
  readonly staleIds: readonly string[];
  readonly requested: number;
  readonly errors: readonly ObservationError[];
  readonly diagnostics: readonly ObserveDiagnostic[];
  /** Nothing at all could be observed: the tick must not act on the last known states. */
  readonly blind: boolean;
}

/**
 * Only passing remote failures are observation errors. A bug in our code must still surface, and
 * so must a refused host key or login: those are not outages, and waiting would hide them.
 */
function isRemoteFailure(error: unknown): error is Error {
  return (error instanceof TransportError && error.transient) || error instanceof SchedulerError;
}

export async function observeLive(scheduler: Pick<Scheduler, 'observe'>, m: Manifest): Promise<Observed> {
  const ids = liveJobIds(m);
  if (ids.length === 0) {
    return { observations: [], staleIds: [], requested: 0, errors: [], diagnostics: [], blind: false };
  }
  try {
    const result = await scheduler.observe(ids);
    const missing = result.missing.map((id) => ({
      source: 'observe',
      line: id,
      why: 'the scheduler does not know this job (purged from accounting?); last known state kept',
    }));
    const staleIds = [...new Set([...result.unobserved, ...result.missing])];
    // An adapter that leaves jobs unobserved should say why; if it did not, say that it happened.
    const unexplained: ObservationError[] =
      result.unobserved.length > 0 && result.errors.length === 0
        ? [
            {
              kind: 'incomplete_output',
              source: 'observe',
              message: `${result.unobserved.length} of ${ids.length} jobs were not observed`,
            },
          ]
        : [];
    return {
      observations: [...result.observations.values()],
      staleIds,
      requested: ids.length,
      errors: [...result.errors, ...unexplained],
      diagnostics: [...result.diagnostics, ...missing],
      blind: result.observations.size === 0 && result.unobserved.length > 0,
    };
  } catch (error) {
    if (!isRemoteFailure(error)) throw error;
    const source = error instanceof SchedulerError ? error.source : 'transport';
    return {
      observations: [],
      staleIds: ids,
      requested: ids.length,
      errors: [{ kind: 'transport', source, message: error.message }],
      diagnostics: [],
      blind: true,
    };
  }
}

/** `137:0`, as Slurm writes it and classify() reads it. */
function exitText(exit: ExitStatus | null): string | null {
  if (exit === null || (exit.code === null && exit.signal === null)) return null;
  return `${exit.code ?? 0}:${exit.signal ?? 0}`;
}

export interface Diagnosed {
  readonly entries: readonly ClassificationEntry[];
  /** Log tail requests made (one batched call carries them all). */
  readonly tailRequests: number;
  readonly errors: readonly ObservationError[];
}

/** Reads the newly failed attempts' log tails in one call and classifies each. */
export async function diagnose(
  scheduler: Pick<Scheduler, 'readLogTails'>,
  m: Manifest,
  newlyFailed: readonly AttemptRef[],
  maxBytesPerFile: number,
): Promise<Diagnosed> {
  const attemptOf = attemptIndex(m);
  const targets = newlyFailed.flatMap((ref) => {
    const a = attemptOf(ref);
    return a === null || a.jobId === null ? [] : [{ ref, attempt: a, jobId: a.jobId }];
  });
  const requests = targets.map((t) => ({
    jobId: t.jobId,
    paths: [...new Set([t.attempt.stdoutPath, t.attempt.stderrPath].filter((p): p is string => p !== null))],
  }));
  const withPaths = requests.filter((r) => r.paths.length > 0);
  let tails = new Map<string, { text: string }>();
  const errors: ObservationError[] = [];
  if (withPaths.length > 0) {
    try {
      tails = await scheduler.readLogTails(withPaths, maxBytesPerFile);
    } catch (error) {
      if (!isRemoteFailure(error)) throw error;
      // Classified from the scheduler state alone: weaker, but the failure is still grouped.
      errors.push({ kind: 'transport', source: 'log_tails', message: error.message });
    }
  }
  const entries = targets.map((t) => ({
    ref: t.ref,
    classification: classify({
      log: tails.get(t.jobId)?.text ?? '',
      schedulerState: t.attempt.rawState,
      exitCode: exitText(t.attempt.exit),
    }),
  }));
  return { entries, tailRequests: withPaths.length, errors };
}

/** This tick's observing transitions, as one function of the manifest (re-applied on conflict). */
export function applyObserved(
  m: Manifest,
  observed: Observed,
  classifications: readonly ClassificationEntry[],
  now: string,
): Manifest {
  const seen =
    observed.observations.length > 0 ? applyObservations(m, observed.observations, now).manifest : m;
  return settleObserved(seen, observed, classifications, now);
}

/**
 * The rest of applyObserved on a manifest the observations were already applied to: the tick
 * applies them once to learn what newly failed, and finishes from there instead of twice.
 */
export function settleObserved(
  seen: Manifest,
  observed: Observed,
  classifications: readonly ClassificationEntry[],
  now: string,
): Manifest {
  const next = markStale(seen, observed.staleIds, now);
  // Against a newer manifest an attempt may have been classified meanwhile: same result, kept.
  const attemptOf = attemptIndex(next);
  const fresh = classifications.filter((e) => attemptOf(e.ref)?.classification === null);
  return fresh.length > 0 ? recordClassification(next, fresh) : next;
}

/** getAttempt() for many refs (an indexed lookup each, see conditionPosition). */
function attemptIndex(m: Manifest): (ref: AttemptRef) => Attempt | null {
  return (ref) => getAttempt(m, ref);
}
