import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveWithRetry } from '../../src/ports/state-store.js';
import type { FakeArtifacts, FakeRun } from '../helpers/fake-actions-artifacts/index.js';
import { makeRuntimeToken } from '../helpers/fake-actions-artifacts/runtime-token.js';
import { appendAttempt, emptyManifest } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores } from '../helpers/fake-actions-artifacts/state-store.js';
import { useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';

// Three credentials meet in the artifact store: the GitHub token (REST), the job's runtime token
// (results service) and the signatures of blob URLs. Whatever fails, none of them may appear in
// an error (which reaches the job summary and the outputs) or in anything written to the console;
// and storage never receives a token (the fake records that as a violation).
let gh: FakeGitHub;
let artifacts: FakeArtifacts;
let runId = 800;
let exp = 0;
let written: string[] = [];

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
});
afterEach(() => {
  vi.restoreAllMocks();
});

function capture(): void {
  written = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
}

function everything(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    parts.push(current.message, current.stack ?? '', JSON.stringify(current));
    current = current.cause;
  }
  return parts.join('\n');
}

async function failure(run: FakeRun, action: 'save' | 'load', token?: string): Promise<string> {
  exp += 1;
  const { store } = artifactStores(gh, artifacts, run, `sec${exp}`, token === undefined ? {} : { token });
  capture();
  const error =
    action === 'save'
      ? await saveWithRetry(store, (m) => appendAttempt(0, 'job')(m ?? emptyManifest(`sec${exp}`))).catch(
          (e: unknown) => e,
        )
      : await store.load().catch((e: unknown) => e);
  vi.restoreAllMocks();
  expect(error).toBeInstanceOf(Error);
  return `${everything(error)}\n${written.join('')}`;
}

function newRun(): FakeRun {
  runId += 1;
  return artifacts.run({ runId });
}

function expectNoSecret(text: string, run: FakeRun): void {
  expect(text).not.toContain(run.token);
  expect(text).not.toContain(run.token.split('.')[2] ?? run.token);
  expect(text).not.toContain(gh.token);
  expect(text).not.toMatch(/sig=|[?&]se=/);
}

describe('the artifact store and its credentials', () => {
  it('keeps the runtime token out of the error when the results service keeps failing', async () => {
    const run = newRun();
    artifacts.results.inject({ method: 'ListArtifacts', status: 503, code: 'unavailable', times: 4 });
    const text = await failure(run, 'save');
    expect(text).toContain('Actions results service ListArtifacts: HTTP 503 unavailable');
    expectNoSecret(text, run);
  });

  it('keeps a token the service refuses out of the error', async () => {
    const run = newRun();
    const forged = makeRuntimeToken('not-the-fake-secret', run.info);
    const text = await failure(run, 'save', forged);
    expect(text).toContain('HTTP 401 unauthenticated');
    expect(text).not.toContain(forged);
    expectNoSecret(text, run);
    // The fake records a refused token as a violation; here it was provoked on purpose.
    expect(artifacts.violations.take().map((v) => v.problem)).toEqual(['missing or invalid runtime token']);
  });

  it('names the blob without its signature when storage refuses the upload', async () => {
    const run = newRun();
    artifacts.blob.inject('PUT', 500, 3);
    const text = await failure(run, 'save');
    expect(text).toMatch(
      /upload to http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/actions-results\/\S+\.zip: HTTP 500/,
    );
    expectNoSecret(text, run);
  });

  it('names the blob without its signature when a download fails', async () => {
    const run = newRun();
    const experiment = `sec-dl${runId}`;
    const saved = await artifactStores(gh, artifacts, run, experiment).store.save(
      emptyManifest(experiment),
      null,
    );
    if (!saved.ok) throw new Error('conflict');
    artifacts.blob.inject('GET', 503, 3);
    const reader = newRun();
    capture();
    const error = await artifactStores(gh, artifacts, reader, experiment)
      .store.load()
      .catch((e: unknown) => e);
    vi.restoreAllMocks();
    const text = `${everything(error)}\n${written.join('')}`;
    expect(text).toMatch(/download from http:\/\/127\.0\.0\.1:\d+\/\S+\.zip: HTTP 503/);
    expectNoSecret(text, run);
    expectNoSecret(text, reader);
  });

  it('never sends a token to blob storage', async () => {
    const run = newRun();
    const { store } = artifactStores(gh, artifacts, run, 'sec-clean');
    const saved = await store.save(emptyManifest('sec-clean'), null);
    if (!saved.ok) throw new Error('conflict');
    await artifactStores(gh, artifacts, newRun(), 'sec-clean').store.load();
    expect(artifacts.blob.requests.length).toBeGreaterThan(0);
    expect(artifacts.blob.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });
});
