/**
 * Issue #7: the same `tick` use case and the same tests of diagnosis and outputs pass with
 * `scheduler: slurm` and with `scheduler: skypilot`. One suite, run once per backend: the real
 * launch and tick use cases, the scheduler built by the registry from the sweep file, over the
 * lab's real SSH connection (Slurm for real; SkyPilot through the stand-in `sky`), with the
 * in-memory manifest store, issue tracker and dispatcher. Every expectation below is written
 * once, for both backends.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOutputs } from '../../src/action/outputs.js';
import { tickOutputs } from '../../src/action/tick-outputs.js';
import { shellQuote } from '../../src/adapters/ssh/shell-quote.js';
import { launch } from '../../src/app/launch.js';
import { parsePayload } from '../../src/app/relaunch-payload.js';
import { type TickResult, tick } from '../../src/app/tick.js';
import { renderJob } from '../../src/config/render-job.js';
import { factorialOf } from '../../src/config/sweep-config.js';
import { expandConditions } from '../../src/core/conditions.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import { classify } from '../../src/core/root-cause.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import { createFakeDispatcher, createFakeIssues } from '../fakes/fake-ports.js';
import { createMemoryStore } from '../fakes/memory-store.js';
import { skypilotBackend } from './tick-backends/skypilot.js';
import { slurmBackend } from './tick-backends/slurm.js';
import { type BackendWorld, CUDA_OOM, TRACEBACK } from './tick-backends/sweep.js';

const RELAUNCH = { workflowFile: 'sweepwatch-relaunch.yml', ref: 'main' } as const;
const tag = randomBytes(3).toString('hex');

const ENV_IMPORT = [
  'model=huge,env=stale,seed=1',
  'model=huge,env=stale,seed=2',
  'model=tiny,env=stale,seed=1',
  'model=tiny,env=stale,seed=2',
];
const GPU_OOM = ['model=huge,env=pinned,seed=1', 'model=huge,env=pinned,seed=2'];
const FAILED = [...GPU_OOM, ...ENV_IMPORT].sort();
const MODULE_LINE = TRACEBACK.at(-1) ?? '';
/** What the log evidence alone is: the signature any backend must arrive at. */
const signatureOf = (log: string) => classify({ log, schedulerState: null, exitCode: null }).signature;

/** The tick's view of the scheduler, with every cancel it asks for written down. */
function auditing(scheduler: Scheduler, cancels: string[][]) {
  return {
    observe: (ids: readonly string[]) => scheduler.observe(ids),
    readLogTails: (...args: Parameters<Scheduler['readLogTails']>) => scheduler.readLogTails(...args),
    cancel: (ids: readonly string[], scope: Parameters<Scheduler['cancel']>[1]) => {
      cancels.push([...ids]);
      return scheduler.cancel(ids, scope);
    },
  } satisfies Pick<Scheduler, 'observe' | 'readLogTails' | 'cancel'>;
}

describe.each([slurmBackend, skypilotBackend])('a sweep on $name', (backend) => {
  let world: BackendWorld;
  let jobIds: string[] = [];
  let ended: TickResult;
  const store = createMemoryStore();
  const issues = createFakeIssues();
  const dispatcher = createFakeDispatcher();
  const cancels: string[][] = [];
  const runTick = () =>
    tick(
      {
        store,
        scheduler: auditing(world.scheduler, cancels),
        issues,
        dispatcher,
        clock: systemClock,
        saveOptions: { sleep: async () => {} },
      },
      { config: world.config, relaunchWorkflow: RELAUNCH },
    );

  beforeAll(async () => {
    world = await backend.open(tag);
  });
  afterAll(async () => {
    await world?.close(jobIds);
  });

  it('launches one job per condition, each running its own command', async () => {
    const result = await launch(
      { store, scheduler: world.scheduler, clock: systemClock },
      { config: world.config, digest: 'git:7', requestedBy: 'alice' },
    );
    expect(result.reasonCode, result.reason).toBe('launched');
    jobIds = result.submitted.map((s) => s.jobId);
    expect(jobIds).toHaveLength(8);
    const byId = new Map(expandConditions(factorialOf(world.config)).map((c) => [c.id, c]));
    const commands = await world.commands(jobIds);
    for (const { conditionId, jobId } of result.submitted) {
      const condition = byId.get(conditionId);
      if (condition === undefined) throw new Error(`launched an unknown condition ${conditionId}`);
      expect(commands.get(jobId), conditionId).toBe(shellQuote(renderJob(world.config, condition).argv));
    }
  });

  it('while the jobs have not ended: nothing failed, no intervention, nothing done', async () => {
    const r = await runTick();
    expect(r.newlyFailed).toEqual([]);
    expect(r.decision).toBe('no-intervention');
    // Queued or already running, depending on how fast the scheduler is: both are fine.
    expect(['pending_legit', 'all_healthy']).toContain(r.reasonCode);
    expect(r.health).toMatchObject({ band: 'healthy', reasonCode: 'no_terminal_jobs' });
    expect(r.result.counts).toMatchObject({ total: 8, live: 8, terminal: 0 });
    expect(r.logTailRequests).toBe(0);
    expect(issues.writes).toEqual([]);
    expect(dispatcher.runs).toEqual([]);
  });

  it('when they end: each failure diagnosed from its own log, the same root cause for the same evidence', async () => {
    await world.finish(jobIds);
    ended = await runTick();
    expect(ended.newlyFailed.map((a) => a.conditionId).sort()).toEqual(FAILED);
    expect(ended.newlyFailed.every((a) => a.attempt === 0)).toBe(true);
    expect(ended.observationErrors).toEqual([]);
    const diagnosis = Object.fromEntries(
      ended.manifest.conditions.map((c) => {
        const k = latestAttempt(c)?.classification;
        return [c.id, k === null || k === undefined ? null : [k.rootCause, k.signature, k.evidence.at(-1)]];
      }),
    );
    for (const id of ENV_IMPORT)
      expect(diagnosis[id], id).toEqual(['env_import', signatureOf(MODULE_LINE), MODULE_LINE]);
    for (const id of GPU_OOM) expect(diagnosis[id], id).toEqual(['gpu_oom', signatureOf(CUDA_OOM), CUDA_OOM]);
    expect(diagnosis['model=tiny,env=pinned,seed=1']).toBeNull();
  });

  it('decides the same: a systemic band, and a hard stop for the broken environment', () => {
    expect(ended.health.band).toBe('systemic');
    expect(ended.decision).toBe('intervene');
    expect(ended.reasonCode).toBe('hard_stop_config');
    expect(ended.reason).toBe(
      `env_import "${signatureOf(MODULE_LINE)}" in 4 of 8 started conditions (50.0 % ≥ 50.0 %)`,
    );
  });

  it('reports the same step outputs and result JSON', () => {
    const outputs = toOutputs(tickOutputs(ended, 'sweepwatch-state:manifest.json'));
    expect(outputs).toMatchObject({
      health: 'systemic',
      decision: 'intervene',
      'reason-code': 'hard_stop_config',
    });
    expect(JSON.parse(outputs['failed-conditions'])).toEqual(FAILED);
    expect(JSON.parse(outputs['root-causes'])).toEqual([
      { id: 'env_import', count: 4, share: 0.5, conditions: ENV_IMPORT },
      { id: 'gpu_oom', count: 2, share: 0.25, conditions: GPU_OOM },
    ]);
    expect(ended.result).toMatchObject({
      version: 1,
      decision: 'intervene',
      reason_code: 'hard_stop_config',
      band: 'systemic',
      counts: { total: 8, succeeded: 2, failed: 6, cancelled: 0, live: 0, terminal: 8 },
      root_causes: [
        {
          root_cause: 'env_import',
          signature: signatureOf(MODULE_LINE),
          count: 4,
          share: 0.5,
          action: 'issue',
        },
        {
          root_cause: 'gpu_oom',
          signature: signatureOf(CUDA_OOM),
          count: 2,
          share: 0.25,
          action: 'relaunch_escalated',
        },
      ],
      failed_conditions: FAILED,
      cancel_job_ids: [],
      changed: true,
      observation_errors: [],
      actions: {
        cancelled: [],
        issues_created: [1],
        dispatched: { cycle: 1, conditions: 2, release: false },
      },
    });
  });

  it('shows a root-cause row for each failure in the job summary, with its evidence', () => {
    const md = ended.summaryMarkdown;
    expect(md).toContain('🟥 systemic');
    expect(md).toContain(
      `| \`env_import\` | 4 | 50.0 % | \`${signatureOf(MODULE_LINE)}\` | env=stale | \`${MODULE_LINE}\` |`,
    );
    expect(md).toContain(
      `| \`gpu_oom\` | 2 | 25.0 % | \`${signatureOf(CUDA_OOM)}\` | model=huge, env=pinned | \`${CUDA_OOM}\` |`,
    );
  });

  it('opens one issue for the broken environment and relaunches only the OOM conditions', () => {
    expect([...issues.issues.values()].map((i) => i.labels)).toEqual([
      ['sweepwatch', 'root-cause:env_import'],
    ]);
    expect(issues.issues.get(1)?.body).toContain(MODULE_LINE);
    expect(dispatcher.runs).toHaveLength(1);
    const payload = parsePayload(dispatcher.runs[0]?.inputs.payload ?? '');
    expect(payload).toMatchObject({ cycle: 1, conditions: GPU_OOM, reason: 'hard_stop_config' });
  });

  it('a tick with nothing new asks the scheduler nothing, writes nothing and acts nothing twice', async () => {
    const saves = store.saves.length;
    const again = await runTick();
    expect(again.changed).toBe(false);
    expect(again.newlyFailed).toEqual([]);
    expect(again.decision).toBe('intervene');
    expect(store.saves.length).toBe(saves);
    expect(issues.writes.filter((w) => w.kind === 'create')).toHaveLength(1);
    expect(dispatcher.runs).toHaveLength(1);
  });

  it('cancels nothing: no cancel asked of the scheduler, and a job outside the sweep untouched', async () => {
    expect(cancels).toEqual([]);
    expect(await world.bystanderUntouched()).toBe(true);
  });
});
