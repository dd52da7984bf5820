import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubAdapters } from '../../src/adapters/github/index.js';
import type { Wiring } from '../../src/main.js';
import { run } from '../../src/main.js';
import { createFakeScheduler, type FakeScheduler } from '../fakes/fake-scheduler.js';
import { createFakeTransport } from '../fakes/fake-transport.js';
import { CODE_ERROR_LOG, OOM_LOG, sweepConfig } from '../fakes/sweep-fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import { fakeRuntime } from '../helpers/fake-runtime.js';
import { webhookExamples } from '../helpers/webhooks.js';

// The Action from launch to relaunch through main(): the real GitHub adapters against the fake
// GitHub (every request checked against GitHub's OpenAPI description), a fake cluster.
const CONTENTS = '/repos/{owner}/{repo}/contents/{path}';
const DISPATCHES = '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';

let gh: FakeGitHub;
let scheduler: FakeScheduler;
let owner: string;
let n = 0;

beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

function wiring(): Wiring {
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
  };
}

async function action(
  mode: string,
  event: { name: string; payload: unknown } = { name: 'schedule', payload: {} },
  extra: Record<string, string> = {},
) {
  const { runtime, record } = fakeRuntime(
    { mode, 'github-token': gh.token, ...extra },
    event.name,
    event.payload,
    {
      repository: `${owner}/sweeps`,
    },
  );
  await run(runtime, wiring());
  return record;
}

function freshRepo() {
  n += 1;
  owner = `lab${n}`;
  gh.repo(owner, 'sweeps');
  scheduler = createFakeScheduler();
}

describe('the Action through a sweep’s life', () => {
  it('launches, waits patiently, files the unrecoverable cause once, relaunches only the failed conditions (canary first)', async () => {
    freshRepo();
    const launched = await action('launch');
    expect(launched.failed).toBeUndefined();
    expect(launched.outputs['reason-code']).toBe('launched');
    expect(scheduler.calls.submit).toHaveLength(12);
    expect(launched.outputs['manifest-path']).toBe('sweepwatch-state:sweepwatch/calib.json');

    // Everything pending: patience, no intervention, a long poll.
    const waiting = await action('tick');
    expect(waiting.outputs.health).toBe('healthy');
    expect(waiting.outputs.decision).toBe('no-intervention');
    expect(Number(waiting.outputs['next-poll-seconds'])).toBeGreaterThanOrEqual(600);

    // All terminal: the vit × focal corner (3 seeds) ran out of GPU memory, one resnet × ce run
    // hit a bug in the code (deterministic: an issue, not a rerun), the rest completed.
    const argv = (job: { request: { command: { kind: string; argv?: readonly string[] } } }) =>
      job.request.command.argv ?? [];
    for (const job of scheduler.jobs.values()) {
      const a = argv(job);
      if (a.includes('vit') && a.includes('focal'))
        scheduler.set(job.jobId, 'FAILED', { exit: { code: 1, signal: null }, log: OOM_LOG });
      else if (a.includes('resnet') && a.includes('ce') && a.at(-1) === '1')
        scheduler.set(job.jobId, 'FAILED', { exit: { code: 1, signal: null }, log: CODE_ERROR_LOG });
      else scheduler.set(job.jobId, 'COMPLETED', { exit: { code: 0, signal: null } });
    }
    const systemic = await action('tick');
    expect(systemic.outputs.health).toBe('systemic');
    expect(systemic.outputs.decision).toBe('intervene');
    expect(JSON.parse(systemic.outputs['root-causes'] ?? '[]')).toEqual([
      expect.objectContaining({ id: 'gpu_oom', count: 3, share: 0.25 }),
      expect.objectContaining({ id: 'code_error', count: 1 }),
    ]);
    expect(JSON.parse(systemic.outputs['failed-conditions'] ?? '[]')).toHaveLength(4);
    expect(systemic.logs.some((l) => l.startsWith('error: calib is systemic'))).toBe(true);
    const repo = gh.repo(owner, 'sweeps');
    expect(repo.dispatches).toHaveLength(1);
    // One issue for the unrecoverable cause (code_error); the OOM is relaunched, not filed.
    const filed = () =>
      [...repo.issues.values()].filter((i) => i.labels.some((l) => l.startsWith('root-cause:')));
    expect(filed().flatMap((i) => i.labels)).toContain('root-cause:code_error');
    expect(filed()).toHaveLength(1);

    // The next tick changes nothing: no second issue, no second dispatch.
    const issuesBefore = repo.issues.size;
    await action('tick');
    expect(repo.issues.size).toBe(issuesBefore);
    expect(repo.dispatches).toHaveLength(1);

    // The relaunch run, with the payload the tick dispatched. Canary first (policy default for
    // a systemic cause): one representative is resubmitted, escalated; the other two are held.
    const relaunchRun = async (index: number) => {
      const inputs = repo.dispatches[index]?.inputs as Record<string, string> | undefined;
      return action('relaunch', {
        name: 'workflow_dispatch',
        payload: { inputs: { command: 'relaunch', payload: inputs?.payload ?? '' } },
      });
    };
    const before = scheduler.calls.submit.length;
    const canary = await relaunchRun(0);
    expect(canary.failed, canary.summary).toBeUndefined();
    expect(canary.outputs['reason-code']).toBe('canary_submitted');
    expect(canary.outputs['relaunch-cycle']).toBe('1');
    const [canaryRequest] = scheduler.calls.submit.slice(before);
    expect(scheduler.calls.submit.length - before).toBe(1);
    expect(canaryRequest?.command.kind === 'argv' && canaryRequest.command.argv.includes('focal')).toBe(true);

    // The canary completes: the next tick releases the held conditions, and the run submits them.
    const canaryJob = [...scheduler.jobs.values()].at(-1);
    if (canaryJob === undefined) throw new Error('no canary job');
    scheduler.set(canaryJob.jobId, 'COMPLETED', { exit: { code: 0, signal: null } });
    await action('tick');
    expect(repo.dispatches).toHaveLength(2);
    const released = await relaunchRun(1);
    expect(released.outputs['reason-code']).toBe('released');
    const rest = scheduler.calls.submit.slice(before + 1);
    expect(rest).toHaveLength(2);
    for (const r of rest) expect(r.command.kind === 'argv' && r.command.argv.includes('focal')).toBe(true);

    // Everything relaunched completes; the code_error issue stays open, still the only one.
    for (const job of [...scheduler.jobs.values()].slice(-2))
      scheduler.set(job.jobId, 'COMPLETED', { exit: { code: 0, signal: null } });
    const done = await action('tick');
    expect(done.outputs['failed-conditions']).toBe(
      JSON.stringify(
        [...JSON.parse(systemic.outputs['failed-conditions'] ?? '[]')].filter((id: string) =>
          id.includes('resnet'),
        ),
      ),
    );
    expect(filed()).toHaveLength(1);
    expect(filed()[0]?.state).toBe('open');
  });

  it('in dry-run mode decides the same but writes nothing to GitHub or the cluster', async () => {
    freshRepo();
    await action('launch');
    for (const job of scheduler.jobs.values())
      scheduler.set(job.jobId, 'FAILED', { exit: { code: 1, signal: null }, log: OOM_LOG });
    gh.resetRequests();
    const dry = await action('tick', undefined, { 'dry-run': 'true' });
    expect(dry.outputs.decision).toBe('intervene');
    const writes = gh.requests().filter((r) => r.method !== 'GET');
    expect(writes).toEqual([]);
    expect(dry.summary).toContain('Dry run');
  });

  it('the tick that dispatches a relaunch reads and writes the state file once, the write before the dispatch', async () => {
    freshRepo();
    await action('launch');
    for (const job of scheduler.jobs.values())
      scheduler.set(job.jobId, 'FAILED', { exit: { code: 1, signal: null }, log: OOM_LOG });
    gh.resetRequests();
    const dispatching = await action('tick');
    expect(dispatching.failed, dispatching.summary).toBeUndefined();
    expect(gh.repo(owner, 'sweeps').dispatches).toHaveLength(1);
    const stateAndDispatch = gh
      .requests()
      .filter((r) => r.route === CONTENTS || r.route === DISPATCHES)
      .map((r) => `${r.method} ${r.route === CONTENTS ? 'state' : 'dispatch'}`);
    expect(stateAndDispatch).toEqual(['GET state', 'PUT state', 'POST dispatch']);
  });

  it('refuses to tick a sweep that was never launched, and says so in the outputs', async () => {
    freshRepo();
    const r = await action('tick');
    expect(r.outputs['reason-code']).toBe('manifest_missing');
    expect(r.outputs.decision).toBe('error');
    expect(r.failed).toContain('launch');
  });
});

describe('commands and requests from people', () => {
  it('answers a real issue_comment from a writer, and refuses a relaunch asked for by a reader', async () => {
    freshRepo();
    await action('launch');
    const repo = gh.repo(owner, 'sweeps');
    repo.setPermission('writer', 'write');
    repo.setPermission('reader', 'read');
    const issue = repo.seedIssue({ title: 'sweep', user: 'writer' });
    const now = new Date().toISOString();
    repo.comments.set(4242, {
      id: 4242,
      issueNumber: issue.number,
      body: '/sweepwatch pause',
      user: 'writer',
      createdAt: now,
      updatedAt: now,
    });
    const [example] = webhookExamples('issue_comment', 'created');
    const event = {
      ...example,
      issue: { ...(example?.issue as object), number: issue.number, pull_request: undefined },
      comment: {
        ...(example?.comment as object),
        id: 4242,
        body: '/sweepwatch pause',
        user: { login: 'writer', type: 'User' },
      },
    };
    const paused = await action('', { name: 'issue_comment', payload: event });
    expect(paused.outputs['reason-code'], paused.summary).toBe('command_done');
    expect(repo.reactions.map((r) => r.content)).toEqual(['eyes', 'rocket']);

    const forged = JSON.stringify({
      experiment: 'calib',
      conditions: 'plan',
      cycle: 1,
      reason: 'x',
      requested_by: 'reader',
    });
    const refused = await action('relaunch', {
      name: 'workflow_dispatch',
      payload: { inputs: { command: 'relaunch', payload: forged } },
    });
    expect(refused.outputs['reason-code']).toBe('requester_not_allowed');
    expect(refused.failed).toContain('reader has read permission');
  });
});
