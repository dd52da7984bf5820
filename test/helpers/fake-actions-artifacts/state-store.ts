import { ArtifactTextStore } from '../../../src/adapters/github/artifact-store.js';
import { ManifestStore } from '../../../src/adapters/github/manifest-store.js';
import { ResultsService } from '../../../src/adapters/github/results-service.js';
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
  options: { readonly retentionDays?: number; readonly token?: string } = {},
): RunStores {
  const results = new ResultsService({
    url: artifacts.resultsUrl,
    token: options.token ?? run.token,
    retryDelayMs: () => 1,
  });
  const text = new ArtifactTextStore(fakeGitHubRepo(gh, run.info.owner, run.info.repo), {
    experiment,
    results,
    blob: { retryDelayMs: () => 1 },
    now: () => artifacts.backend.now(),
    ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
  });
  const store = new ManifestStore(text, {
    source: `artifact ${text.names[0]}`,
    experiment,
    describe: (version) => text.describe(version),
  });
  return { text, store };
}
