/**
 * The invariants of an Action run against the fake GitHub and the fake cluster: nothing lost
 * from the manifest on the state branch, no failure the cluster did not report, no issue filed
 * twice, no job submitted more often than the manifest has attempts for it, no cancel outside
 * the manifest, and no error that does not say what broke.
 */
import type { Manifest } from '../../../src/core/manifest.js';
import type { ActionWorld } from './action-world.js';
import { cancelsOutside, duplicateIssues, falseFailures, lostAttempts } from './invariants.js';
import { noProblems, type Problems } from './recorder.js';

/** Root causes the fixture batch really has (failedBatch): anything else filed is invented. */
const REAL_CAUSES = new Set(['gpu_oom', 'code_error']);

export function judgeAction(w: ActionWorld, before: Manifest | null): Problems {
  const after = w.manifest();
  const problems = noProblems();
  if (before !== null) problems.lost.push(...lostAttempts(before, after));
  problems.falseFailure.push(...falseFailures(after, (id) => w.scheduler.jobs.get(id)?.observation.state));
  for (const issue of w.repo().issues.values()) {
    for (const label of issue.labels) {
      const cause = /^root-cause:(.+)$/.exec(label)?.[1];
      if (cause !== undefined && !REAL_CAUSES.has(cause))
        problems.falseFailure.push(`issue filed for ${cause}`);
    }
  }
  problems.duplicate.push(...duplicateIssues(w.repo().issues.values()));
  // Each submission must be an attempt of the manifest: one more is a job submitted twice.
  const attempts = new Map<string, number>();
  for (const c of after?.conditions ?? [])
    attempts.set(c.jobName, c.attempts.filter((a) => a.phase !== 'submit_failed').length);
  const submitted = new Map<string, number>();
  for (const r of w.scheduler.calls.submit) submitted.set(r.name, (submitted.get(r.name) ?? 0) + 1);
  for (const [name, n] of submitted) {
    const recorded = attempts.get(name) ?? 0;
    if (n > recorded) problems.duplicate.push(`${name} submitted ${n} times, ${recorded} attempts recorded`);
  }
  problems.leak.push(
    ...cancelsOutside(
      w.scheduler.calls.cancel.flatMap((c) => c.ids),
      after,
    ),
  );
  return problems;
}

/** A failed run must say what failed in words a person can act on. */
export function unclearFailure(
  record: { failed?: string | undefined; outputs: Record<string, string> },
  clear: RegExp,
): string[] {
  if (record.failed === undefined) return [];
  return clear.test(record.failed)
    ? []
    : [`unclear failure (${record.outputs['reason-code'] ?? '?'}): ${record.failed}`];
}
