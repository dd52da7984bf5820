/**
 * The promises every fault case is held to, as functions that list what broke them: no attempt
 * lost, no job failed that did not fail, nothing done twice, nothing touched outside the
 * manifest. They return descriptions (not booleans) so a failing case says what happened.
 */
import { manifestJobIds } from '../../../src/app/job-request.js';
import type { Manifest } from '../../../src/core/manifest.js';
import { isFailedState, type JobState } from '../../../src/core/types.js';
import type { CancelResult, CancelScope, Scheduler, SubmitRequest } from '../../../src/ports/scheduler.js';

/** Every condition and every attempt of `before` is still in `after`, with the same job id. */
export function lostAttempts(before: Manifest, after: Manifest | null): string[] {
  if (after === null) return ['the manifest is gone'];
  const problems: string[] = [];
  for (const c of before.conditions) {
    const now = after.conditions.find((x) => x.id === c.id);
    if (now === undefined) {
      problems.push(`condition ${c.id} disappeared`);
      continue;
    }
    c.attempts.forEach((a, i) => {
      const b = now.attempts[i];
      if (b === undefined) problems.push(`${c.id} attempt ${i} disappeared`);
      else if (a.jobId !== null && b.jobId !== a.jobId)
        problems.push(`${c.id} attempt ${i}: job ${a.jobId} became ${b.jobId ?? 'null'}`);
    });
  }
  return problems;
}

/**
 * Attempts recorded in a failed state whose job, by the ground truth, did not fail. A failure
 * the truth cannot confirm counts: sweepwatch must not invent one.
 */
export function falseFailures(
  after: Manifest | null,
  truth: (jobId: string) => JobState | undefined,
): string[] {
  if (after === null) return [];
  const problems: string[] = [];
  for (const c of after.conditions) {
    for (const a of c.attempts) {
      if (a.jobId === null || a.state === null || !isFailedState(a.state)) continue;
      const real = truth(a.jobId);
      if (real === undefined || !isFailedState(real))
        problems.push(`${c.id}: job ${a.jobId} recorded ${a.state}, really ${real ?? 'unknown'}`);
    }
  }
  return problems;
}

/** Values that occur more than once (job names submitted, markers filed, payloads dispatched). */
export function duplicates(values: readonly string[], what: string): string[] {
  const seen = new Map<string, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${what} ${v} ${n} times`);
}

const MARKER = /<!-- sweepwatch:[^>]*-->/;

/** Open issues carrying the same hidden marker: the duplicates the marker lookup must prevent. */
export function duplicateIssues(issues: Iterable<{ body: string | null; state: string }>): string[] {
  const markers: string[] = [];
  for (const issue of issues) {
    const marker = MARKER.exec(issue.body ?? '')?.[0];
    if (marker !== undefined && issue.state === 'open') markers.push(marker);
  }
  return duplicates(markers, 'issue');
}

/** Cancel requests for ids the manifest does not hold. */
export function cancelsOutside(requested: readonly string[], m: Manifest | null): string[] {
  const known = m === null ? new Set<string>() : manifestJobIds(m);
  return requested.filter((id) => !known.has(id)).map((id) => `cancel of job ${id}, not in the manifest`);
}

/** What a spied scheduler saw: every submission's name and every id it was asked to cancel. */
export interface SchedulerSpy {
  readonly submitted: string[];
  readonly cancelRequested: string[];
}

/**
 * Wraps a scheduler to record submissions and cancel requests, delegating everything else.
 * `afterSubmit` runs once the cluster accepted a job and before the caller hears of it: the
 * place to simulate a crash.
 */
export function spyOn<S extends Scheduler>(
  inner: S,
  afterSubmit?: (jobId: string, count: number) => void | Promise<void>,
): { scheduler: Scheduler; spy: SchedulerSpy } {
  const spy: SchedulerSpy = { submitted: [], cancelRequested: [] };
  const scheduler: Scheduler = {
    observe: (ids) => inner.observe(ids),
    readLogTails: (requests, max) => inner.readLogTails(requests, max),
    preflight: (request) => inner.preflight(request),
    findByName: (prefix) => inner.findByName(prefix),
    async submit(request: SubmitRequest) {
      const result = await inner.submit(request);
      if (result.ok) {
        spy.submitted.push(request.name);
        await afterSubmit?.(result.jobId, spy.submitted.length);
      }
      return result;
    },
    cancel(ids: readonly string[], scope: CancelScope): Promise<CancelResult> {
      spy.cancelRequested.push(...ids);
      return inner.cancel(ids, scope);
    },
  };
  return { scheduler, spy };
}
