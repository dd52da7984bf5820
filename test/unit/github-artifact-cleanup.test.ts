import { describe, expect, it } from 'vitest';
import { saveWithRetry } from '../../src/ports/state-store.js';
import type { FakeArtifacts } from '../helpers/fake-actions-artifacts/index.js';
import { appendAttempt, emptyManifest, jobIds } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores } from '../helpers/fake-actions-artifacts/state-store.js';
import { runsAndNames, useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';

// Every save uploads a new artifact. A tick every 5 minutes is 288 runs a day, each kept for the
// retention period (90 days by default) unless deleted: the repository's artifact storage fills
// and then every save fails. So a save that landed deletes the state it superseded, whichever run
// uploaded it, and a failure to do so is a warning, never a failed save.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
});

const { run, experiment } = runsAndNames(() => artifacts, 1400, 'tidy');

const stateOf = (exp: string) =>
  artifacts.artifacts().filter((a) => a.name.startsWith(`sweepwatch-state-${exp}`));

describe('the state artifacts a repository keeps', () => {
  it('a tick every few minutes leaves one state artifact, not one per run', async () => {
    const exp = experiment();
    const uploads = artifacts.backend.finalizedCount();
    for (const k of [0, 1, 2, 3, 4, 5]) {
      // Each tick is its own run, as scheduled runs are.
      const { store } = artifactStores(gh, artifacts, run(), exp);
      await saveWithRetry(store, (m) => appendAttempt(k, `job-${k}`)(m ?? emptyManifest(exp)));
    }

    expect(artifacts.backend.finalizedCount() - uploads).toBe(6);
    expect(stateOf(exp)).toHaveLength(1);
    const loaded = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(jobIds(loaded?.manifest).sort()).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4', 'job-5']);
  });

  it('deletes the superseded state through the REST API and this run’s own previous one through the service', async () => {
    const exp = experiment();
    const since = gh.requests().length;
    const first = await artifactStores(gh, artifacts, run(), exp).store.save(emptyManifest(exp), null);
    if (!first.ok) throw new Error('conflict');
    const { store } = artifactStores(gh, artifacts, run(), exp);
    const second = await store.save(appendAttempt(0, 'job-0')(emptyManifest(exp)), first.version);
    if (!second.ok) throw new Error('conflict');
    const third = await store.save(appendAttempt(1, 'job-1')(emptyManifest(exp)), second.version);
    if (!third.ok) throw new Error('conflict');

    const deletes = gh
      .requests()
      .slice(since)
      .filter((r) => r.operationId === 'actions/delete-artifact');
    expect(deletes.map((r) => [r.path, r.status])).toEqual([
      [`/repos/acme/sweeps/actions/artifacts/${first.version}`, 204],
    ]);
    expect(stateOf(exp).map((a) => String(a.id))).toEqual([third.version]);
  });

  it('still saves, with a warning naming actions: write, when the superseded state cannot be deleted', async () => {
    const exp = experiment();
    const first = await artifactStores(gh, artifacts, run(), exp).store.save(emptyManifest(exp), null);
    if (!first.ok) throw new Error('conflict');
    gh.faults.inject({
      method: 'DELETE',
      route: 'actions/delete-artifact',
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    const warnings: string[] = [];
    const { store } = artifactStores(gh, artifacts, run(), exp, {
      logger: { warning: (m) => warnings.push(m) },
    });

    const second = await store.save(appendAttempt(0, 'job-0')(emptyManifest(exp)), first.version);

    expect(second).toMatchObject({ ok: true });
    expect(gh.faults.pending()).toBe(0);
    expect(warnings).toEqual([
      expect.stringContaining(
        `could not delete artifact sweepwatch-state-${exp} (id ${first.version}) in acme/sweeps, the state ` +
          'this save superseded (HTTP 403: the workflow needs `permissions: actions: write`)',
      ),
    ]);
    expect(stateOf(exp)).toHaveLength(2);
    const loaded = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(loaded?.version).toBe(second.ok ? second.version : '');
  });
});
