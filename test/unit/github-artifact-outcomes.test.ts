import { describe, expect, it } from 'vitest';
import type { FakeArtifacts } from '../helpers/fake-actions-artifacts/index.js';
import { appendAttempt, emptyManifest, jobIds } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores } from '../helpers/fake-actions-artifacts/state-store.js';
import { runsAndNames, useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';

// CreateArtifact and FinalizeArtifact are not idempotent: sent a second time after a lost answer,
// they fail (the name is taken, nothing is pending) although the first one took effect. The store
// sends them once and, when a finalize's outcome is unknown, asks the run's listing whether it
// landed. Reads and deletes are still retried.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
});

const { run, experiment } = runsAndNames(() => artifacts, 1200, 'out');

const callsOf = (method: string, since: number) =>
  artifacts.results.calls.slice(since).filter((c) => c.method === method).length;

describe('the artifact store when the results service answers badly', () => {
  it('reports a save whose finalize landed but whose answer was lost as saved, and loads find it', async () => {
    const exp = experiment();
    const { store } = artifactStores(gh, artifacts, run(), exp);
    const since = artifacts.results.calls.length;
    artifacts.results.inject({ method: 'FinalizeArtifact', status: 502, code: 'unavailable', applied: true });

    const saved = await store.save(appendAttempt(0, 'job-1')(emptyManifest(exp)), null);

    expect(saved).toEqual({ ok: true, version: expect.any(String) });
    expect(callsOf('FinalizeArtifact', since)).toBe(1);
    const loaded = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(loaded?.version).toBe(saved.ok ? saved.version : '');
    expect(jobIds(loaded?.manifest)).toEqual(['job-1']);
  });

  it('reports a finalize that failed and landed nothing, without sending it twice', async () => {
    const exp = experiment();
    const { store } = artifactStores(gh, artifacts, run(), exp);
    const since = artifacts.results.calls.length;
    const uploads = artifacts.backend.finalizedCount();
    artifacts.results.inject({ method: 'FinalizeArtifact', status: 503, code: 'unavailable' });

    await expect(store.save(emptyManifest(exp), null)).rejects.toThrow(
      'Actions results service FinalizeArtifact: HTTP 503 unavailable',
    );
    expect(callsOf('FinalizeArtifact', since)).toBe(1);
    expect(artifacts.backend.finalizedCount()).toBe(uploads);
  });

  it('reports a CreateArtifact that failed with a 5xx, without sending it twice', async () => {
    const exp = experiment();
    const { store } = artifactStores(gh, artifacts, run(), exp);
    const since = artifacts.results.calls.length;
    artifacts.results.inject({ method: 'CreateArtifact', status: 500, code: 'internal' });

    await expect(store.save(emptyManifest(exp), null)).rejects.toThrow(
      'Actions results service CreateArtifact: HTTP 500 internal',
    );
    expect(callsOf('CreateArtifact', since)).toBe(1);
  });

  it('still retries what is safe to repeat: a throttled create, a failed listing', async () => {
    const exp = experiment();
    const { store } = artifactStores(gh, artifacts, run(), exp);
    const since = artifacts.results.calls.length;
    artifacts.results.inject({ method: 'CreateArtifact', status: 429, code: 'resource_exhausted' });
    artifacts.results.inject({ method: 'ListArtifacts', status: 503, code: 'unavailable' });

    const saved = await store.save(emptyManifest(exp), null);

    expect(saved).toMatchObject({ ok: true });
    expect(callsOf('CreateArtifact', since)).toBe(2);
    expect(callsOf('ListArtifacts', since)).toBe(2);
  });
});
