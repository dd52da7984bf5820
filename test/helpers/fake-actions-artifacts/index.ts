import { randomBytes } from 'node:crypto';
import { attachArtifacts, type RestArtifact } from '../fake-github/artifacts-handlers.js';
import type { FakeGitHub } from '../fake-github/index.js';
import { ArtifactBackend, type ArtifactRecord, type NewRun, type RunInfo } from './backend.js';
import { signBlobUrl } from './blob-sas.js';
import { FakeBlobServer } from './blob-server.js';
import { FakeResultsServer } from './results-server.js';
import { makeRuntimeToken } from './runtime-token.js';
import { Violations } from './violations.js';

/**
 * Workflow artifacts end to end, on loopback: the Actions results service (Twirp), the blob
 * storage behind its signed URLs, and, through the fake GitHub, the REST endpoints that list
 * artifacts across runs and redirect their downloads. Each fake run has its own runtime token, so
 * several "runs" (overlapping ones too) can work in one test process.
 *
 *   const gh = await startFakeGitHub();
 *   const artifacts = await startFakeArtifacts(gh);
 *   const run = artifacts.run({ runId: 101 });   // run.token is its ACTIONS_RUNTIME_TOKEN
 *   // ACTIONS_RESULTS_URL is artifacts.resultsUrl
 */

export type { ArtifactRecord, NewRun, RunInfo } from './backend.js';
export type { BlobRequest } from './blob-server.js';
export type { CallHook, ResultsCall, ResultsFault } from './results-server.js';
export type { ArtifactViolation } from './violations.js';

export interface FakeRun {
  readonly token: string;
  readonly info: RunInfo;
}

export interface FakeArtifacts {
  readonly resultsUrl: string;
  readonly blobUrl: string;
  readonly backend: ArtifactBackend;
  readonly results: FakeResultsServer;
  readonly blob: FakeBlobServer;
  readonly violations: Violations;
  run(options: NewRun): FakeRun;
  /** What the REST API lists for the repository, newest first. */
  artifacts(owner?: string, repo?: string): ArtifactRecord[];
  /** Replaces the bytes of an artifact's zip: a truncated or corrupt upload. */
  replaceBytes(id: number, bytes: Buffer): void;
  /** Moves the artifact's expiry into the past. */
  expire(id: number): void;
  expectNoViolations(): void;
  close(): Promise<void>;
}

const DOWNLOAD_URL_TTL_MS = 60_000;

function rest(backend: ArtifactBackend, r: ArtifactRecord): RestArtifact {
  return {
    id: r.id ?? 0,
    name: r.name,
    sizeInBytes: r.size,
    createdAt: r.createdAt ?? '',
    expiresAt: r.expiresAt ?? '',
    expired: backend.expired(r),
    digest: r.digest,
    workflowRun: {
      id: r.run.runId,
      repositoryId: r.run.repositoryId,
      headRepositoryId: r.run.headRepositoryId,
      headBranch: r.run.headBranch,
      headSha: r.run.headSha,
    },
  };
}

export async function startFakeArtifacts(gh: FakeGitHub): Promise<FakeArtifacts> {
  const backend = new ArtifactBackend();
  const violations = new Violations();
  const tokenSecret = randomBytes(16).toString('hex');
  const blobSecret = randomBytes(16).toString('hex');
  const blob = new FakeBlobServer(backend, violations, blobSecret);
  await blob.listen();
  const results = new FakeResultsServer(backend, violations, tokenSecret, blobSecret, () => blob.url);
  await results.listen();

  const attach = (owner: string, repo: string) =>
    attachArtifacts(gh.repo(owner, repo), {
      list: () => backend.ofRepository(owner, repo).map((r) => rest(backend, r)),
      downloadUrl: (id) => {
        const record = backend.byId(id);
        if (!record) throw new Error(`no artifact ${id}`);
        return signBlobUrl(blob.url, blobSecret, record.blobPath, 'r', DOWNLOAD_URL_TTL_MS);
      },
      delete: (id) => backend.deleteById(id),
    });

  const recordOf = (id: number): ArtifactRecord => {
    const record = backend.byId(id);
    if (!record) throw new Error(`no finalized artifact ${id}`);
    return record;
  };

  return {
    resultsUrl: results.url,
    blobUrl: blob.url,
    backend,
    results,
    blob,
    violations,
    run: (options) => {
      const info = backend.addRun(options);
      attach(info.owner, info.repo);
      return { info, token: makeRuntimeToken(tokenSecret, info) };
    },
    artifacts: (owner = 'acme', repo = 'sweeps') => backend.ofRepository(owner, repo),
    replaceBytes: (id, bytes) => {
      const record = recordOf(id);
      const stored = backend.blobs.get(record.blobPath);
      backend.blobs.set(record.blobPath, { bytes, contentType: stored?.contentType ?? 'application/zip' });
    },
    expire: (id) => {
      recordOf(id).expiresAt = new Date(backend.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    },
    expectNoViolations: () => violations.expectNone(),
    close: async () => {
      await results.close();
      await blob.close();
    },
  };
}
