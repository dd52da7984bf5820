import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveWithRetry } from '../../src/ports/state-store.js';
import { type FakeArtifacts, startFakeArtifacts } from '../helpers/fake-actions-artifacts/index.js';
import { appendAttempt, emptyManifest, jobIds } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores } from '../helpers/fake-actions-artifacts/state-store.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';

// Overlapping Action runs (a tick, a relaunch, a comment) saving the manifest as artifacts at
// once. Artifacts have no conditional write: the store checks before uploading and, after
// finalizing, withdraws a save that lost the race, so saveWithRetry re-applies the loser's
// transitions on the winner and no attempt is lost.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;
let runId = 500;
let n = 0;

beforeAll(async () => {
  gh = await startFakeGitHub();
  artifacts = await startFakeArtifacts(gh);
});
afterEach(() => {
  artifacts.results.beforeHandle = null;
  gh.expectNoViolations();
  artifacts.expectNoViolations();
});
afterAll(async () => {
  await artifacts.close();
  await gh.close();
});

function runStore() {
  runId += 1;
  return artifactStores(gh, artifacts, artifacts.run({ runId }), `conc${n}`).store;
}

const fast = { maxAttempts: 60, backoffMs: () => Math.random() * 5 };

describe('the manifest as artifacts, saved by overlapping runs', () => {
  it('loses no attempt when several runs save at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat(5), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
        async (writers) => {
          n += 1;
          const exp = `conc${n}`;
          await Promise.all(
            writers.map(async (picks, w) => {
              // Each writer is its own run, with its own runtime token, as separate jobs are.
              const mine = runStore();
              for (const [k, pick] of picks.entries()) {
                const apply = appendAttempt(pick, `w${w}-${k}`);
                await saveWithRetry(mine, (m) => apply(m ?? emptyManifest(exp)), fast);
              }
            }),
          );
          const stored = (await runStore().load())?.manifest;
          const expected = writers.flatMap((picks, w) => picks.map((_, k) => `w${w}-${k}`));
          expect(jobIds(stored).sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 10 },
    );
  }, 120_000);

  it('when two runs pass the check together, the later to finalize withdraws its save and retries', async () => {
    n += 1;
    const exp = `conc${n}`;
    const base = await runStore().save(emptyManifest(exp), null);
    if (!base.ok) throw new Error('conflict');
    // Hold the first two uploads until both have passed their check against the same version.
    let arrived = 0;
    let release: () => void = () => {};
    const bothChecked = new Promise<void>((resolve) => {
      release = resolve;
    });
    artifacts.results.beforeHandle = async (method) => {
      if (method !== 'CreateArtifact' || arrived >= 2) return;
      arrived += 1;
      if (arrived === 2) release();
      await bothChecked;
    };
    const calls = artifacts.results.calls.length;
    const uploads = artifacts.backend.finalizedCount();

    const [a, b] = [runStore(), runStore()];
    const results = await Promise.all([
      saveWithRetry(a, (m) => appendAttempt(0, 'job-a')(m ?? emptyManifest(exp)), fast),
      saveWithRetry(b, (m) => appendAttempt(1, 'job-b')(m ?? emptyManifest(exp)), fast),
    ]);

    expect(results.map((r) => r.rounds).sort()).toEqual([1, 2]);
    const deletes = artifacts.results.calls.slice(calls).filter((c) => c.method === 'DeleteArtifact');
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    // Three uploads: both racers, and the loser's retry on top of the winner.
    expect(artifacts.backend.finalizedCount() - uploads).toBe(3);
    const stored = await runStore().load();
    expect(jobIds(stored?.manifest).sort()).toEqual(['job-a', 'job-b']);
    expect(stored?.version).toBe(results.find((r) => r.rounds === 2)?.version);
  });
});
