import { describe, expect, it } from 'vitest';
import { serializeManifest } from '../../src/core/manifest.js';
import type { Manifest } from '../../src/core/manifest-model.js';
import type { FakeArtifacts, FakeRun } from '../helpers/fake-actions-artifacts/index.js';
import { appendAttempt, emptyManifest, jobIds } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores, plantState } from '../helpers/fake-actions-artifacts/state-store.js';
import { runsAndNames, useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';

// Any workflow run may upload an artifact under any name, and the manifest is trusted: the next
// tick tails the log paths it names into an issue. Dependabot's and pull requests' runs on branches
// of the repository itself run unreviewed code with a token that can upload artifacts, so only the
// runs on the default branch (where sweepwatch's schedule, dispatch and comment runs are) count.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
});

const { run, experiment } = runsAndNames(() => artifacts, 1600, 'trust');

/** A manifest whose attempt's log is the runner's SSH key: what a tick would tail into an issue. */
function planted(exp: string): string {
  const base = appendAttempt(1, 'job-evil')(emptyManifest(exp));
  const evil: Manifest = {
    ...base,
    conditions: base.conditions.map((c) => ({
      ...c,
      attempts: c.attempts.map((a) => ({ ...a, stdoutPath: '/home/runner/.ssh/id_ed25519' })),
    })),
  };
  return serializeManifest(evil);
}

const logPaths = (m: Manifest | undefined) =>
  m?.conditions.flatMap((c) => c.attempts.map((a) => a.stdoutPath)) ?? [];

describe('which runs the artifact store trusts with the manifest', () => {
  it.each([
    ['a Dependabot run', 'dependabot/npm_and_yarn/lodash-4.17.21'],
    ['a pull request from a branch of the repository', 'feature/faster-ticks'],
  ])('ignores a state artifact planted by %s, so its paths never reach a tick', async (_, branch) => {
    const exp = experiment();
    const mine = await artifactStores(gh, artifacts, run(), exp).store.save(
      appendAttempt(0, 'job-mine')(emptyManifest(exp)),
      null,
    );
    if (!mine.ok) throw new Error('conflict');
    // Newer than the real state, same repository, same name: only its branch tells it apart.
    const id = await plantState(
      artifacts,
      run({ headBranch: branch }),
      `sweepwatch-state-${exp}+1`,
      planted(exp),
    );
    expect(id).toBeGreaterThan(Number(mine.version));

    const loaded = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(loaded?.version).toBe(mine.version);
    expect(jobIds(loaded?.manifest)).toEqual(['job-mine']);
    expect(logPaths(loaded?.manifest)).not.toContain('/home/runner/.ssh/id_ed25519');
  });

  it('a repository whose default branch is not main finds the state its runs saved', async () => {
    const exp = experiment();
    const onTrunk = (r: FakeRun) => artifactStores(gh, artifacts, r, exp, { defaultBranch: 'trunk' }).store;
    const saved = await onTrunk(run({ headBranch: 'trunk' })).save(
      appendAttempt(2, 'job-trunk')(emptyManifest(exp)),
      null,
    );
    if (!saved.ok) throw new Error('conflict');
    await plantState(artifacts, run(), `sweepwatch-state-${exp}+1`, planted(exp));

    const loaded = await onTrunk(run({ headBranch: 'trunk' })).load();
    expect(loaded?.version).toBe(saved.version);
    expect(jobIds(loaded?.manifest)).toEqual(['job-trunk']);
  });
});
