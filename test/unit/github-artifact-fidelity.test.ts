import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serializeManifest } from '../../src/core/manifest.js';
import type { FakeArtifacts } from '../helpers/fake-actions-artifacts/index.js';
import { appendAttempt, emptyManifest, jobIds } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores } from '../helpers/fake-actions-artifacts/state-store.js';
import { useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';

// The fakes held to the real client: @actions/artifact (what actions/upload-artifact and
// download-artifact run) uploads through them with its own wire formats (Twirp JSON, Azure Put
// Block + Put Block List, archiver's streamed zip) and downloads through the REST redirect. If the
// fakes accept exactly that, and sweepwatch's store interoperates with it both ways, the fakes
// model the real services closely enough for the store's own tests to mean something.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;
let dir: string;
type ArtifactModule = typeof import('@actions/artifact');
let client: InstanceType<ArtifactModule['DefaultArtifactClient']>;

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
});
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sweepwatch-artifact-'));
  // @actions/github fixes its API URL when first imported, so the environment comes first.
  vi.stubEnv('GITHUB_API_URL', gh.url);
  vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
  vi.stubEnv('ACTIONS_RESULTS_URL', artifacts.resultsUrl);
  vi.stubEnv('GITHUB_WORKSPACE', dir);
  const { DefaultArtifactClient } = await import('@actions/artifact');
  client = new DefaultArtifactClient();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('the fake artifact services, held to @actions/artifact', () => {
  it('accept an upload by upload-artifact’s client, which sweepwatch then loads as the manifest', async () => {
    const run = artifacts.run({ runId: 901 });
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', run.token);
    const manifest = appendAttempt(2, 'job-upload-artifact')(emptyManifest('fid1'));
    const folder = join(dir, 'up');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'manifest.json'), serializeManifest(manifest));

    const uploaded = await client.uploadArtifact(
      'sweepwatch-state-fid1',
      [join(folder, 'manifest.json')],
      folder,
    );

    const comps = artifacts.blob.requests.filter((r) => r.method === 'PUT').map((r) => r.comp);
    expect(comps).toEqual(['block', 'blocklist']);
    const loaded = await artifactStores(gh, artifacts, artifacts.run({ runId: 902 }), 'fid1').store.load();
    expect(loaded?.version).toBe(String(uploaded.id));
    expect(jobIds(loaded?.manifest)).toEqual(['job-upload-artifact']);
  });

  it('serve what sweepwatch saved to download-artifact’s client, unzipped to manifest.json', async () => {
    const run = artifacts.run({ runId: 903 });
    const { store } = artifactStores(gh, artifacts, run, 'fid2');
    const manifest = appendAttempt(3, 'job-sweepwatch')(emptyManifest('fid2'));
    const saved = await store.save(manifest, null);
    if (!saved.ok) throw new Error('conflict');

    const into = join(dir, 'down');
    const result = await client.downloadArtifact(Number(saved.version), {
      path: into,
      findBy: { token: gh.token, repositoryOwner: 'acme', repositoryName: 'sweeps', workflowRunId: 903 },
    });

    expect(result.digestMismatch).toBe(false);
    expect(await readFile(join(into, 'manifest.json'), 'utf8')).toBe(serializeManifest(manifest));
  });
});
