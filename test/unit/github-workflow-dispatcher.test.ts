import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubWorkflowDispatcher } from '../../src/adapters/github/workflow-dispatcher.js';
import type { WorkflowDispatcher } from '../../src/ports/workflow-dispatcher.js';
import { fakeGitHubRepo } from '../helpers/fake-github/client.js';
import {
  type FakeGitHub,
  type RepoState,
  serverError,
  startFakeGitHub,
} from '../helpers/fake-github/index.js';

let gh: FakeGitHub;
let repo: RepoState;
let dispatcher: WorkflowDispatcher;

beforeAll(async () => {
  gh = await startFakeGitHub();
  repo = gh.repo('acme', 'sweeps');
  dispatcher = new GitHubWorkflowDispatcher(fakeGitHubRepo(gh));
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

describe('GitHubWorkflowDispatcher', () => {
  it('dispatches with the inputs and returns the run details', async () => {
    const run = await dispatcher.dispatch('relaunch.yml', 'main', { jobs: '12,13', reason: 'gpu_oom' });
    expect(repo.dispatches.at(-1)).toEqual({
      workflowId: 'relaunch.yml',
      ref: 'main',
      inputs: { jobs: '12,13', reason: 'gpu_oom' },
      runId: run.runId,
    });
    expect(run.runId).toEqual(expect.any(Number));
    expect(run.htmlUrl).toMatch(new RegExp(`/acme/sweeps/actions/runs/${run.runId}$`));
    expect(gh.requests({ route: 'actions/create-workflow-dispatch' }).at(-1)?.body).toMatchObject({
      return_run_details: true,
    });
  });

  it('copes with a server that answers 204 without details', async () => {
    gh.inject({ method: 'POST', route: 'actions/create-workflow-dispatch', status: 204 });
    expect(await dispatcher.dispatch('relaunch.yml', 'main', {})).toEqual({
      runId: null,
      runUrl: null,
      htmlUrl: null,
    });
  });

  it('never retries a dispatch whose outcome is unknown', async () => {
    const before = repo.dispatches.length;
    gh.resetRequests();
    gh.inject({ method: 'POST', route: 'actions/create-workflow-dispatch', ...serverError(502) });
    await expect(dispatcher.dispatch('relaunch.yml', 'main', {})).rejects.toMatchObject({ status: 502 });
    expect(gh.count()).toBe(1);
    expect(repo.dispatches.length).toBe(before);
  });

  it('refuses more than 25 inputs before sending', async () => {
    const inputs = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, 'v']));
    await expect(dispatcher.dispatch('relaunch.yml', 'main', inputs)).rejects.toThrow(/at most 25/);
  });
});
