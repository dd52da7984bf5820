/**
 * Races on the state branch, through main() against the fake GitHub: another writer saves the
 * manifest between a tick's load and its save (GitHub answers 409: the file no longer matches the
 * sha the tick names), GitHub answers 409 although the file is unchanged (its answer when the
 * branch's head moved under the write), and two ticks run at once on the same branch. The
 * manifest is a compare-and-swap file: a lost race must be re-applied on top of the winner,
 * never overwrite it, never lose an attempt, and never make the pair of runs file or dispatch
 * anything twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitBranchStore, manifestPath } from '../../src/adapters/github/git-branch-store.js';
import { ManifestStore } from '../../src/adapters/github/manifest-store.js';
import { setPaused } from '../../src/core/manifest-transitions.js';
import { saveWithRetry } from '../../src/ports/state-store.js';
import { fakeGitHubRepo } from '../helpers/fake-github/client.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import { judgeAction, unclearFailure } from '../helpers/reliability/action-judge.js';
import {
  type ActionWorld,
  actionWorld,
  failedBatch,
  runDispatchedRelaunches,
} from '../helpers/reliability/action-world.js';
import { duplicates } from '../helpers/reliability/invariants.js';
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
const CONTENTS = '/repos/{owner}/{repo}/contents/{path}';

/** Another writer of the same manifest (a `/sweepwatch pause` run, say), saving on its own. */
async function anotherWriterPauses(w: ActionWorld): Promise<void> {
  const gh2 = fakeGitHubRepo(gh, w.owner, 'sweeps');
  const path = manifestPath('calib');
  const store = new ManifestStore(new GitBranchStore(gh2, { path, branch: 'sweepwatch-state' }), {
    source: `sweepwatch-state:${path}`,
  });
  await saveWithRetry(store, (m) => {
    if (m === null) throw new Error('no manifest');
    return setPaused(m, true);
  });
}

describe('a concurrent writer saves the state file', () => {
  it('409 (sha does not match): the tick re-applies its changes on top of the winner’s', async () => {
    const w = actionWorld(gh);
    await failedBatch(w);
    const before = w.manifest();
    // Right before the tick writes the file, the other writer's save lands.
    w.before('PUT', /\/contents\/sweepwatch(\/|%2F)calib\.json$/i, () => anotherWriterPauses(w));
    const tick = await w.action('tick');
    const after = w.manifest();
    const problems = mergeProblems(judgeAction(w, before), { crash: unclearFailure(tick, /^$/) });
    const refused = w.sent.filter((r) => r.method === 'PUT' && r.status === 409).length;
    if (refused === 0) problems.crash.push('the race did not happen: no 409 on the state file');
    if (after?.paused !== true) problems.lost.push('the other writer’s pause was overwritten');
    if (after?.decisions.length === before?.decisions.length)
      problems.lost.push('the tick’s own changes were lost');
    expect(
      rec.check(
        spec(
          '409 on the state file (concurrent writer)',
          'reloads and re-applies its transitions; both writes kept',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('409 with the file unchanged: saved on reload, nothing overwritten, the next tick recovers', async () => {
    const w = actionWorld(gh);
    await failedBatch(w);
    const before = w.manifest();
    gh.inject({
      method: 'PUT',
      route: CONTENTS,
      status: 409,
      body: {
        message:
          'is at 0000000000000000000000000000000000000000 but expected 1111111111111111111111111111111111111111',
      },
    });
    const tick = await w.action('tick');
    const problems = judgeAction(w, before);
    if (gh.faults.pending() > 0) problems.crash.push('the 409 was never served: the tick did not write');
    const saved = w.manifest()?.decisions.length !== before?.decisions.length;
    if (!saved) {
      // Not saved: it must fail, and say it was the state branch on GitHub.
      if (tick.failed === undefined) problems.lost.push('the tick was not saved and did not fail');
      else problems.crash.push(...unclearFailure(tick, /GitHub|state/i));
    }
    const again = await w.action('tick');
    if (again.failed !== undefined) problems.crash.push(`the next tick failed: ${again.failed}`);
    if (w.repo().dispatches.length > 2) problems.duplicate.push(`${w.repo().dispatches.length} dispatches`);
    await runDispatchedRelaunches(w);
    mergeProblems(problems, judgeAction(w, before));
    expect(
      rec.check(
        spec(
          '409 on the state file (head moved under the write)',
          'saved on retry or a clear failure; next tick recovers, no double submit',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });
});

describe('two ticks at once on the same state branch', () => {
  it('both finish; one issue, one relaunch dispatch, every attempt kept', async () => {
    const w = actionWorld(gh);
    await failedBatch(w);
    const before = w.manifest();
    const [a, b] = await Promise.all([w.action('tick'), w.action('tick')]);
    const problems = judgeAction(w, before);
    for (const r of [a, b]) problems.crash.push(...unclearFailure(r, /^$/));
    const payloads = w.repo().dispatches.map((d) => {
      const p = JSON.parse(String(d.inputs.payload)) as { cycle: number };
      return `cycle ${p.cycle}`;
    });
    problems.duplicate.push(...duplicates(payloads, 'relaunch dispatch of'));
    // Whatever was dispatched twice must not submit twice.
    await runDispatchedRelaunches(w);
    mergeProblems(problems, judgeAction(w, before));
    expect(
      rec.check(
        spec(
          'two ticks at once (same state branch)',
          'one wins the save, the other re-applies; one issue, one dispatch',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });
});
