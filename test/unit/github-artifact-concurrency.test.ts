import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { saveWithRetry } from '../../src/ports/state-store.js';
import type { FakeArtifacts, FakeRun } from '../helpers/fake-actions-artifacts/index.js';
import { appendAttempt, emptyManifest, jobIds } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores } from '../helpers/fake-actions-artifacts/state-store.js';
import { useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';

// Overlapping Action runs (a tick, a relaunch, a comment) saving the manifest as artifacts at
// once. Artifacts have no conditional write: the store checks before uploading and, after
// finalizing, withdraws its save when any other state appeared above the version it started from,
// so saveWithRetry re-applies the transitions on what is newest then and no attempt is lost,
// whether the service numbers artifacts when they are created or when they are finalized.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;
let runId = 500;
let n = 0;

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
});

function newRun(): FakeRun {
  runId += 1;
  return artifacts.run({ runId });
}

function runStore(run = newRun()) {
  return artifactStores(gh, artifacts, run, `conc${n}`).store;
}

/** A promise and the function that resolves it. */
function gate(): { readonly opened: Promise<void>; readonly open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

async function baseVersion(exp: string): Promise<string> {
  const base = await runStore().save(emptyManifest(exp), null);
  if (!base.ok) throw new Error('conflict');
  return base.version;
}

/**
 * Quick, but jittered past one save's length (~0.1 s against the fakes) as rounds go on: two
 * racers that each see the other both withdraw, and with a jitter that stays smaller than a round
 * they could collide round after round (up to 46 rounds were seen) until the attempts run out.
 */
const fast = { maxAttempts: 60, backoffMs: (round: number) => Math.random() * Math.min(200, 5 * 2 ** round) };

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

  it('when two runs pass the check together, a racer that sees the other withdraws and retries, and both changes land', async () => {
    n += 1;
    const exp = `conc${n}`;
    await baseVersion(exp);
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

    // At least one racer withdrew (both may have, when each saw the other) and saved again.
    expect(Math.max(...results.map((r) => r.rounds))).toBeGreaterThanOrEqual(2);
    const deletes = artifacts.results.calls.slice(calls).filter((c) => c.method === 'DeleteArtifact');
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    expect(artifacts.backend.finalizedCount() - uploads).toBeGreaterThanOrEqual(3);
    const stored = await runStore().load();
    expect(jobIds(stored?.manifest).sort()).toEqual(['job-a', 'job-b']);
    expect(stored?.version).toBe(String(Math.max(...results.map((r) => Number(r.version)))));
  });

  it('keeps both runs’ changes when artifact ids are given at creation and the first created finalizes last', async () => {
    n += 1;
    const exp = `conc${n}`;
    const base = await baseVersion(exp);
    artifacts.backend.idsAt = 'create';
    const [runA, runB] = [newRun(), newRun()];
    // A creates its artifact (the lower id), then waits at finalize until B's save is over.
    const aAtFinalize = gate();
    const bDone = gate();
    let heldA = false;
    artifacts.results.beforeHandle = async (method, run) => {
      if (method !== 'FinalizeArtifact' || run.runId !== runA.info.runId || heldA) return;
      heldA = true;
      aAtFinalize.open();
      await bDone.opened;
    };
    const a = artifactStores(gh, artifacts, runA, exp).store;
    const b = artifactStores(gh, artifacts, runB, exp).store;
    const loaded = await a.load();
    const savingA = a.save(appendAttempt(0, 'job-a')(loaded?.manifest ?? null), base);
    await aAtFinalize.opened;
    const savedB = await b.save(appendAttempt(1, 'job-b')(loaded?.manifest ?? null), base);
    bDone.open();
    const savedA = await savingA;

    // B's id is the higher one and B finalized first: A must see it and withdraw, not keep its save.
    expect(savedB).toMatchObject({ ok: true });
    expect(savedA).toMatchObject({
      ok: false,
      conflict: true,
      currentVersion: savedB.ok ? savedB.version : '',
    });
    const retried = await saveWithRetry(a, (m) => appendAttempt(0, 'job-a')(m ?? emptyManifest(exp)), fast);
    const stored = await runStore().load();
    expect(stored?.version).toBe(retried.version);
    expect(jobIds(stored?.manifest).sort()).toEqual(['job-a', 'job-b']);
  });

  it('when both racers see each other after finalizing, both withdraw and both changes land on retry', async () => {
    n += 1;
    const exp = `conc${n}`;
    await baseVersion(exp);
    // Both finalizes take effect before either is answered, so each listing shows the other.
    const bothFinalized = gate();
    let finalized = 0;
    artifacts.results.afterHandle = async (method) => {
      if (method !== 'FinalizeArtifact' || finalized >= 2) return;
      finalized += 1;
      if (finalized === 2) bothFinalized.open();
      await bothFinalized.opened;
    };
    const [a, b] = [runStore(), runStore()];
    const results = await Promise.all([
      saveWithRetry(a, (m) => appendAttempt(0, 'job-a')(m ?? emptyManifest(exp)), fast),
      saveWithRetry(b, (m) => appendAttempt(1, 'job-b')(m ?? emptyManifest(exp)), fast),
    ]);

    expect(results.every((r) => r.rounds >= 2)).toBe(true);
    const stored = await runStore().load();
    expect(jobIds(stored?.manifest).sort()).toEqual(['job-a', 'job-b']);
  });

  it('a racer whose retry built on the other’s save while that one was being withdrawn withdraws too, and each change lands once', async () => {
    n += 1;
    const exp = `conc${n}`;
    await baseVersion(exp);
    const [runA, runB] = [newRun(), newRun()];
    const isA = (run: FakeRun['info']) => run.runId === runA.info.runId;
    // Both pass the check on the base and both finalize before either lists: both withdraw.
    const bothChecked = gate();
    const bothFinalized = gate();
    // B's withdrawal is slow: it starts only once A's retry, which read B's artifact, has passed
    // its check, and A's retry finalizes only once B's artifact is gone.
    const aRetried = gate();
    const bWithdrawn = gate();
    let [creates, finalized, aCreates, aFinalizes] = [0, 0, 0, 0];
    artifacts.results.beforeHandle = async (method, run) => {
      if (method === 'CreateArtifact') {
        creates += 1;
        if (isA(run) && ++aCreates === 2) aRetried.open();
        if (creates === 2) bothChecked.open();
        if (creates <= 2) await bothChecked.opened;
      }
      if (method === 'FinalizeArtifact' && isA(run) && ++aFinalizes === 2) await bWithdrawn.opened;
      if (method === 'DeleteArtifact' && !isA(run)) await aRetried.opened;
    };
    artifacts.results.afterHandle = async (method, run) => {
      if (method === 'DeleteArtifact' && !isA(run)) bWithdrawn.open();
      if (method !== 'FinalizeArtifact' || finalized >= 2) return;
      finalized += 1;
      if (finalized === 2) bothFinalized.open();
      await bothFinalized.opened;
    };
    const results = await Promise.all([
      saveWithRetry(runStore(runA), (m) => appendAttempt(0, 'job-a')(m ?? emptyManifest(exp)), fast),
      saveWithRetry(runStore(runB), (m) => appendAttempt(1, 'job-b')(m ?? emptyManifest(exp)), fast),
    ]);

    // A's first retry was withdrawn as well: it carried B's change, which B then made again.
    expect(aFinalizes).toBeGreaterThanOrEqual(3);
    const stored = await runStore().load();
    expect(jobIds(stored?.manifest).sort()).toEqual(['job-a', 'job-b']);
    expect(stored?.version).toBe(String(Math.max(...results.map((r) => Number(r.version)))));
  });
});
