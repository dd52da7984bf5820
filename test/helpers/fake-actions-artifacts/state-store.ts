import { createHash } from 'node:crypto';
import { putBlob } from '../../../src/adapters/github/artifact-blob.js';
import { ArtifactTextStore } from '../../../src/adapters/github/artifact-store.js';
import { MANIFEST_ENTRY, zipSingleFile } from '../../../src/adapters/github/artifact-zip.js';
import { ManifestStore } from '../../../src/adapters/github/manifest-store.js';
import { ResultsService } from '../../../src/adapters/github/results-service.js';
import type { Logger } from '../../../src/ports/logger.js';
import { fakeGitHubRepo } from '../fake-github/client.js';
import type { FakeGitHub } from '../fake-github/index.js';
import type { FakeArtifacts, FakeRun } from './index.js';

/**
 * sweepwatch's artifact state store as one fake run would open it (session.ts wires the same
 * parts): the results service with the run's token, the REST client on the fake GitHub, and the
 * ManifestStore on top. Retry delays are shrunk so that a test of a failing service is quick.
 */

export interface RunStores {
  readonly text: ArtifactTextStore;
  readonly store: ManifestStore;
}

export function artifactStores(
  gh: FakeGitHub,
  artifacts: FakeArtifacts,
  run: FakeRun,
  experiment = 'exp',
  options: {
    readonly retentionDays?: number;
    readonly token?: string;
    /** Default `main`, the fake repository's default branch. */
    readonly defaultBranch?: string;
    readonly logger?: Pick<Logger, 'warning'>;
  } = {},
): RunStores {
  const results = new ResultsService({
    url: artifacts.resultsUrl,
    token: options.token ?? run.token,
    retryDelayMs: () => 1,
  });
  const text = new ArtifactTextStore(fakeGitHubRepo(gh, run.info.owner, run.info.repo), {
    experiment,
    defaultBranch: options.defaultBranch ?? 'main',
    results,
    blob: { retryDelayMs: () => 1 },
    now: () => artifacts.backend.now(),
    ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const store = new ManifestStore(text, {
    source: `artifact ${text.names[0]}`,
    experiment,
    describe: (version) => text.describe(version),
  });
  return { text, store };
}

/**
 * Uploads `content` as a state artifact the way any workflow step of `run` could (upload-artifact
 * needs no permission): straight through the results service, none of the store's checks. Its id.
 */
export async function plantState(
  artifacts: FakeArtifacts,
  run: FakeRun,
  name: string,
  content: string,
): Promise<number> {
  const results = new ResultsService({ url: artifacts.resultsUrl, token: run.token });
  const zip = zipSingleFile(MANIFEST_ENTRY, Buffer.from(content, 'utf8'));
  await putBlob(await results.createArtifact(name, null), zip, 'application/zip');
  return results.finalizeArtifact(name, zip.length, createHash('sha256').update(zip).digest('hex'));
}
