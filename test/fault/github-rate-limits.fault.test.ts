/**
 * GitHub's rate limits during the Action's tick, through main() against the fake GitHub: a 403
 * secondary limit and a 429, both with retry-after, and a primary limit with x-ratelimit-reset.
 * The wait must be the one the headers ask for (measured on the wire, with 1 "second" = 40 ms),
 * bounded (a retry-after past 120 s is not waited for), and the tick must then carry on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeGitHub,
  primaryRateLimit,
  secondaryRateLimit,
  startFakeGitHub,
} from '../helpers/fake-github/index.js';
import { judgeAction, unclearFailure } from '../helpers/reliability/action-judge.js';
import { type ActionWorld, actionWorld, failedBatch } from '../helpers/reliability/action-world.js';
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
const filed = (w: ActionWorld) =>
  [...w.repo().issues.values()].filter((i) => i.labels.some((l) => l.startsWith('root-cause:')));

async function ready(): Promise<ActionWorld> {
  const w = actionWorld(gh);
  await failedBatch(w);
  return w;
}

describe('GitHub rate limits', () => {
  /** The wait between the rate-limited answer and the retry of the same request, in ms. */
  function waitAfter(w: ActionWorld, status: number, path: RegExp): number | null {
    const at = w.sent.findIndex((r) => r.status === status && path.test(r.path));
    const limited = w.sent[at];
    const retry = w.sent.slice(at + 1).find((r) => r.method === limited?.method && r.path === limited?.path);
    return limited === undefined || retry === undefined ? null : retry.sentAt - limited.sentAt;
  }

  it.each([
    ['403 secondary rate limit', secondaryRateLimit(3, 403), 403],
    ['429 too many requests', secondaryRateLimit(3, 429), 429],
  ])('%s with retry-after 3 s: waits what the header says, then goes on', async (name, fault, status) => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'GET', route: ISSUES, ...fault });
    // 1 "second" = 40 ms here: the wait must be ≥ 3 of them, and not much more.
    const tick = await w.action('tick', undefined, {}, { msPerSecond: 40 });
    const waited = waitAfter(w, status, /\/issues$/);
    const problems = mergeProblems(judgeAction(w, before), { crash: unclearFailure(tick, /^$/) });
    if (waited === null) problems.crash.push('the rate-limited request was never retried');
    else if (waited < 120 || waited > 120 + 1500)
      problems.crash.push(`waited ${Math.round(waited)} ms for retry-after 3 × 40 ms`);
    if (filed(w).length !== 1) problems.lost.push('the issue was not filed after the wait');
    expect(
      rec.check(
        spec(`${name} with retry-after`, 'waits retry-after (header-driven), then retries; ≤ 2 retries'),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('a primary rate limit: waits until x-ratelimit-reset, then goes on', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'GET', route: ISSUES, ...primaryRateLimit(Math.floor(Date.now() / 1000) + 2) });
    const tick = await w.action('tick', undefined, {}, { msPerSecond: 40 });
    const waited = waitAfter(w, 403, /\/issues$/);
    const problems = mergeProblems(judgeAction(w, before), { crash: unclearFailure(tick, /^$/) });
    if (waited === null || waited > 4 * 40 + 1500)
      problems.crash.push(`waited ${waited} ms for a reset 2 s away`);
    if (filed(w).length !== 1) problems.lost.push('the issue was not filed after the wait');
    expect(
      rec.check(
        spec('403 primary rate limit (x-ratelimit-reset)', 'waits until the reset (bounded), then retries'),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('a retry-after of an hour: not waited for (bounded), reported; the next tick files the issue', async () => {
    const w = await ready();
    const before = w.manifest();
    gh.inject({ method: 'GET', route: ISSUES, ...secondaryRateLimit(3600) });
    const started = performance.now();
    const tick = await w.action('tick', undefined, {}, { msPerSecond: 40 });
    const took = performance.now() - started;
    const problems = judgeAction(w, before);
    if (took > 3000) problems.crash.push(`the tick stalled ${Math.round(took)} ms on a 1 h retry-after`);
    if (!/secondary rate limit/.test(tick.summary))
      problems.crash.push('the summary does not name the rate limit');
    await w.action('tick');
    if (filed(w).length !== 1) problems.lost.push(`${filed(w).length} issues after the next tick`);
    expect(
      rec.check(
        spec(
          'rate limit with retry-after > 120 s',
          'gives up at once with the reason; the next tick retries',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });
});
