import { describe, expect, it } from 'vitest';
import { InputError, readInputs } from '../../src/action/inputs.js';
import { createGitHubAdapters } from '../../src/adapters/github/index.js';
import type { Wiring } from '../../src/main.js';
import { run } from '../../src/main.js';
import { createFakeScheduler, type FakeScheduler } from '../fakes/fake-scheduler.js';
import { createFakeTransport } from '../fakes/fake-transport.js';
import { sweepConfig } from '../fakes/sweep-fixture.js';
import type { FakeArtifacts } from '../helpers/fake-actions-artifacts/index.js';
import { useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';
import { fakeRuntime } from '../helpers/fake-runtime.js';

// `state-store: artifact` through main(): a launch run and a later tick run (two runs, two runtime
// tokens) share the manifest through workflow artifacts alone; no state branch is written.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;
let scheduler: FakeScheduler;
let runId = 3000;

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
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

interface RunContext {
  readonly eventName?: string;
  readonly event?: unknown;
  /** The branch the run is on (GITHUB_REF_NAME); default main, the repository's default branch. */
  readonly refName?: string;
}

async function actionRun(mode: string, env?: Record<string, string | undefined>, context: RunContext = {}) {
  runId += 1;
  const refName = context.refName ?? 'main';
  const fake = artifacts.run({ runId, owner: 'lab', repo: 'sweeps', headBranch: refName });
  // A scheduled run's event names no repository: the run's branch is the default one.
  const { runtime, record } = fakeRuntime(
    { mode, 'github-token': gh.token, 'state-store': 'artifact' },
    context.eventName ?? 'schedule',
    context.event ?? {},
    { repository: 'lab/sweeps', refName },
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

  it('a tick whose token cannot delete the superseded state still succeeds, and says why in a warning', async () => {
    scheduler = createFakeScheduler();
    const launched = await actionRun('launch');
    expect(launched.record.failed).toBeUndefined();
    const superseded = artifacts.artifacts('lab', 'sweeps')[0]?.id;
    // `permissions: actions: read` only: GitHub refuses the deletion.
    gh.faults.inject({
      method: 'DELETE',
      route: 'actions/delete-artifact',
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });

    const ticked = await actionRun('tick');
    expect(ticked.record.failed, ticked.record.summary).toBeUndefined();
    expect(gh.faults.pending()).toBe(0);
    expect(ticked.record.logs).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^warning: could not delete artifact sweepwatch-state-calib\\S* \\(id ${superseded}\\) in lab/sweeps, ` +
            'the state this save superseded \\(HTTP 403: the workflow needs `permissions: actions: write`\\)',
        ),
      ),
    );
  });

  it('takes the default branch from a dispatch event and refuses a run on another branch', async () => {
    scheduler = createFakeScheduler();
    const event = { repository: { default_branch: 'main' }, inputs: { command: 'tick' } };
    const onMain = await actionRun('tick', undefined, { eventName: 'workflow_dispatch', event });
    expect(onMain.record.failed, onMain.record.summary).toBeUndefined();

    // Its saves would be ignored by every later run: refused before anything is launched or saved.
    const elsewhere = await actionRun('launch', undefined, {
      eventName: 'workflow_dispatch',
      event,
      refName: 'try-vit',
    });
    expect(elsewhere.record.failed).toMatch(
      /state-store artifact saves from runs on the default branch \(main\) only.*this run is on try-vit/,
    );
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
