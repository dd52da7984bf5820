/**
 * GitHub faults during the Action's tick, through main(): the real GitHub adapters against a
 * fake GitHub that answers 5xx and 404s, and loses a dispatch (rate limits: github-rate-limits). Each run must not lose an attempt, invent a failure, file or submit anything
 * twice, or fail without saying what broke; the next tick must recover.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, serverError, startFakeGitHub } from '../helpers/fake-github/index.js';
import { judgeAction, unclearFailure } from '../helpers/reliability/action-judge.js';
import {
  type ActionWorld,
  actionWorld,
  failedBatch,
  runDispatchedRelaunches,
} from '../helpers/reliability/action-world.js';
import { type ClassSpec, mergeProblems, noProblems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';

const rec = recorder(import.meta.url);
let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterEach(() => {
  gh.faults.clear();
  gh.expectNoViolations();
});
afterAll(async () => {
  await gh.close();
  writeReliabilityReport();
});

const spec = (klass: string, expected: string): ClassSpec => ({
  area: 'GitHub',
  klass,
  against: 'fake GitHub (OpenAPI-checked), through main()',
  expected,
});
const ISSUES = '/repos/{owner}/{repo}/issues';
const CONTENTS = '/repos/{owner}/{repo}/contents/{path}';
const DISPATCH = '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';
const filed = (w: ActionWorld) =>
  [...w.repo().issues.values()].filter((i) => i.labels.some((l) => l.startsWith('root-cause:')));

/** A failed batch launched; returns the manifest before the faulty tick. */
async function ready(): Promise<ActionWorld> {
  const w = actionWorld(gh);
  await failedBatch(w);
  return w;
}

describe('GitHub answering 500 and 502', () => {
  it('an issue created but answered 502: found again by its marker, filed once', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'POST', route: ISSUES, ...serverError(502), applied: true });
    const tick = await w.action('tick');
    const again = await w.action('tick');
    const problems = mergeProblems(judgeAction(w, before), { crash: unclearFailure(tick, /./) });
    if (filed(w).length !== 1) problems.duplicate.push(`${filed(w).length} issues filed`);
    if (again.failed !== undefined) problems.crash.push(`next tick failed: ${again.failed}`);
    expect(
      rec.check(
        spec('500/502 on issue creation (it landed)', 'the marker lookup finds it: one issue'),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('an issue creation refused with 500: the tick says so, the next tick files it once', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'POST', route: ISSUES, ...serverError(500) });
    const tick = await w.action('tick');
    const problems = judgeAction(w, before);
    if (!/issue for code\\?_error not written/.test(tick.summary))
      problems.crash.push('the summary does not say the issue failed');
    if (filed(w).length !== 0) problems.duplicate.push('an issue despite the 500');
    await w.action('tick');
    if (filed(w).length !== 1) problems.lost.push(`${filed(w).length} issues after the next tick`);
    mergeProblems(problems, judgeAction(w, before));
    expect(
      rec.check(
        spec(
          '500 on issue creation (it did not land)',
          'reported in the summary; filed once by the next tick',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('502 twice on the state file write: retried with backoff, saved once', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'PUT', route: CONTENTS, ...serverError(502), times: 2 });
    const tick = await w.action('tick');
    const problems = mergeProblems(judgeAction(w, before), { crash: unclearFailure(tick, /^$/) });
    if (gh.faults.pending() !== 0) problems.crash.push('the faults were not all served');
    if (w.manifest()?.decisions.length === before?.decisions.length)
      problems.lost.push('the tick was not saved');
    expect(
      rec.check(
        spec('502 on the state file write (transient)', 'retried (≤ 3, growing delays); saved'),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('GitHub down for the whole run: a clear failure, nothing acted on, the next tick recovers', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({
      method: 'GET',
      route: CONTENTS,
      ...serverError(502),
      times: 50,
    });
    const tick = await w.action('tick');
    gh.faults.clear();
    // Clear: the outputs must not call a GitHub outage a sweepwatch bug, and the message must
    // say it was GitHub that failed.
    const problems = mergeProblems(judgeAction(w, before), {
      crash:
        tick.failed === undefined
          ? ['a tick without its manifest did not fail']
          : unclearFailure(tick, /GitHub/),
    });
    if (tick.outputs['reason-code'] === 'internal_error')
      problems.crash.push(`reason-code internal_error for a GitHub outage: ${tick.failed}`);
    if (w.repo().dispatches.length > 0 || filed(w).length > 0)
      problems.leak.push('acted without its manifest');
    const again = await w.action('tick');
    if (again.failed !== undefined) problems.crash.push(`the next tick failed: ${again.failed}`);
    expect(
      rec.check(
        spec(
          '500/502 on every request (GitHub down)',
          'fails with the cause; acts on nothing; next tick recovers',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });
});

describe('an issue deleted by a person', () => {
  it('a 404 on updating it is reported, never a crash, and the next tick that writes it files one anew', async () => {
    const w = await ready();
    await w.action('tick');
    const [issue] = filed(w);
    if (issue === undefined) throw new Error('no issue filed');
    // The relaunched canary fails again: the next tick rewrites the issue (cycle 1 of 2)...
    const from = w.scheduler.calls.submit.length;
    await runDispatchedRelaunches(w);
    const canary = [...w.scheduler.jobs.values()].at(-1);
    if (canary === undefined || w.scheduler.calls.submit.length === from)
      throw new Error('no canary submitted');
    w.scheduler.set(canary.jobId, 'FAILED', {
      exit: { code: 1, signal: null },
      log: 'torch.OutOfMemoryError: CUDA out of memory.',
    });
    const before = w.manifest();
    // ...and a person deletes it between the tick's listing and its update.
    w.before(
      'PATCH',
      new RegExp(`/issues/${issue.number}$`),
      () => void w.repo().issues.delete(issue.number),
    );
    const tick = await w.action('tick');
    const problems = mergeProblems(judgeAction(w, before), { crash: unclearFailure(tick, /^$/) });
    if (!/not written: Not Found/.test(tick.summary)) problems.crash.push('the 404 is not reported');
    if (w.manifest()?.decisions.length === before?.decisions.length)
      problems.lost.push('the tick was not saved');
    expect(
      rec.check(
        spec('404 on a deleted issue', 'reported as not written; state saved; no crash, no duplicate'),
        problems,
      ),
    ).toEqual(noProblems());
  });
});

describe('a dispatch that fails', () => {
  it('refused (500): not recorded, so the next tick dispatches it once', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'POST', route: DISPATCH, ...serverError(500) });
    const tick = await w.action('tick');
    const problems = judgeAction(w, before);
    if (!/relaunch dispatch failed/.test(tick.summary))
      problems.crash.push('the dispatch failure is not reported');
    await w.action('tick');
    if (w.repo().dispatches.length !== 1) problems.duplicate.push(`${w.repo().dispatches.length} dispatches`);
    await runDispatchedRelaunches(w);
    mergeProblems(problems, judgeAction(w, before));
    expect(
      rec.check(
        spec('failing relaunch dispatch (500)', 'reported; dispatched once by the next tick'),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('dispatched but answered 502: dispatched again, and the second relaunch run submits nothing twice', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'POST', route: DISPATCH, ...serverError(502), applied: true });
    await w.action('tick');
    await w.action('tick');
    const runs = await runDispatchedRelaunches(w);
    const problems = judgeAction(w, before);
    if (runs.length < 2) problems.crash.push(`${runs.length} dispatches: the lost answer was not retried`);
    for (const r of runs) problems.crash.push(...unclearFailure(r, /^$/));
    expect(
      rec.check(
        spec(
          'dispatch landed, answer lost (502)',
          'dispatched again; the duplicate run resumes and submits nothing twice',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });
});
