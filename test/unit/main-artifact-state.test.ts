import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError, readInputs } from '../../src/action/inputs.js';
import { createGitHubAdapters } from '../../src/adapters/github/index.js';
import type { Wiring } from '../../src/main.js';
import { run } from '../../src/main.js';
import { createFakeScheduler, type FakeScheduler } from '../fakes/fake-scheduler.js';
import { createFakeTransport } from '../fakes/fake-transport.js';
import { sweepConfig } from '../fakes/sweep-fixture.js';
import { type FakeArtifacts, startFakeArtifacts } from '../helpers/fake-actions-artifacts/index.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import { fakeRuntime } from '../helpers/fake-runtime.js';

// `state-store: artifact` through main(): a launch run and a later tick run (two runs, two runtime
// tokens) share the manifest through workflow artifacts alone; no state branch is written.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;
let scheduler: FakeScheduler;
let runId = 3000;

beforeAll(async () => {
  gh = await startFakeGitHub();
  artifacts = await startFakeArtifacts(gh);
});
afterEach(() => {
  gh.expectNoViolations();
  artifacts.expectNoViolations();
});
afterAll(async () => {
  await artifacts.close();
  await gh.close();
});

function wiring(env: Record<string, string | undefined>): Wiring {
  return {
    createTransport: () => createFakeTransport(),
    createScheduler: () => scheduler,
    createGitHub: (options) =>
      createGitHubAdapters({
        ...options,
        token: gh.token,
        baseUrl: gh.url,
        writeSpacingMs: 0,
        notificationSpacingMs: 0,
        msPerSecond: 5,
      }),
    loadConfig: async () => sweepConfig(),
    env,
  };
}

async function actionRun(mode: string, env?: Record<string, string | undefined>) {
  runId += 1;
  const fake = artifacts.run({ runId, owner: 'lab', repo: 'sweeps' });
  const { runtime, record } = fakeRuntime(
    { mode, 'github-token': gh.token, 'state-store': 'artifact' },
    'schedule',
    {},
    { repository: 'lab/sweeps' },
  );
  await run(
    runtime,
    wiring(env ?? { ACTIONS_RUNTIME_TOKEN: fake.token, ACTIONS_RESULTS_URL: artifacts.resultsUrl }),
  );
  return { record, token: fake.token };
}

describe('the Action with its manifest in workflow artifacts', () => {
  it('launches in one run and ticks in the next, finding the manifest by name', async () => {
    scheduler = createFakeScheduler();
    const launched = await actionRun('launch');
    expect(launched.record.failed).toBeUndefined();
    expect(launched.record.outputs['reason-code']).toBe('launched');
    expect(launched.record.outputs['manifest-path']).toBe('artifact:sweepwatch-state-calib');
    expect(launched.record.secrets).toContain(launched.token);

    const ticked = await actionRun('tick');
    expect(ticked.record.failed, ticked.record.summary).toBeUndefined();
    expect(ticked.record.outputs.health).toBe('healthy');
    expect(JSON.parse(ticked.record.outputs.counts ?? '{}')).toMatchObject({ total: 12, pending: 12 });

    const state = artifacts.artifacts('lab', 'sweeps');
    expect(state.length).toBeGreaterThanOrEqual(1);
    expect(state.every((a) => a.name.startsWith('sweepwatch-state-calib'))).toBe(true);
    expect(gh.repo('lab', 'sweeps').refs.has('refs/heads/sweepwatch-state')).toBe(false);
  });

  it('fails with what is missing when the runner gave no results service', async () => {
    scheduler = createFakeScheduler();
    const { record } = await actionRun('tick', {});
    expect(record.failed).toMatch(/state-store artifact needs the Actions results service/);
    expect(record.outputs.decision).toBe('error');
  });

  it('refuses an unknown state store, naming the choices', () => {
    const read = () =>
      readInputs(
        (name) => (name === 'state-store' ? 'gist' : ''),
        () => {},
      );
    expect(read).toThrow(InputError);
    expect(read).toThrow('input state-store: "gist" is not one of branch, artifact');
    expect(
      readInputs(
        () => '',
        () => {},
      ).stateStore,
    ).toBe('branch');
  });
});
