import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/index.js';
import { type FakeArtifacts, type FakeRun, type NewRun, startFakeArtifacts } from './index.js';

export interface ArtifactWorld {
  readonly gh: FakeGitHub;
  readonly artifacts: FakeArtifacts;
}

/**
 * The fakes an artifact-store test file runs against: started once per file, handed to `ready`,
 * put back to their defaults after every test (faults, hooks, id order) and checked that neither
 * saw a request the real services would refuse; closed after the file.
 */
export function useArtifactWorld(ready: (world: ArtifactWorld) => void): void {
  let world: ArtifactWorld | undefined;
  beforeAll(async () => {
    const gh = await startFakeGitHub();
    world = { gh, artifacts: await startFakeArtifacts(gh) };
    ready(world);
  });
  afterEach(() => {
    if (world === undefined) return;
    const { gh, artifacts } = world;
    gh.faults.clear();
    artifacts.results.beforeHandle = null;
    artifacts.results.afterHandle = null;
    artifacts.backend.idsAt = 'finalize';
    gh.expectNoViolations();
    artifacts.expectNoViolations();
  });
  afterAll(async () => {
    await world?.artifacts.close();
    await world?.gh.close();
  });
}

/**
 * A test file's new workflow runs (ids counting up from `firstRun`, so files never share one)
 * and fresh experiment names (`<prefix>1`, `<prefix>2`, …), so tests never see each other's state.
 */
export function runsAndNames(
  artifacts: () => FakeArtifacts,
  firstRun: number,
  prefix: string,
): { run: (options?: Omit<NewRun, 'runId'>) => FakeRun; experiment: () => string } {
  let runId = firstRun;
  let count = 0;
  return {
    run: (options = {}) => {
      runId += 1;
      return artifacts().run({ runId, ...options });
    },
    experiment: () => {
      count += 1;
      return `${prefix}${count}`;
    },
  };
}
