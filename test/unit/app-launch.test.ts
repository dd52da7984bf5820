import { describe, expect, it } from 'vitest';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { launch } from '../../src/app/launch.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import { TransportError } from '../../src/ports/transport.js';
import { createFakeTransport, type ExecHandler } from '../fakes/fake-transport.js';
import { DIGEST, type Harness, harness } from '../fakes/sweep-fixture.js';

const run = (h: Harness, chunkSize = 5) =>
  launch(
    { store: h.store, scheduler: h.scheduler, clock: h.clock, saveOptions: h.saveOptions },
    { config: h.config, digest: DIGEST, requestedBy: 'alice', chunkSize },
  );

describe('launch', () => {
  it('submits the 12 conditions of a 2×2×3 sweep with the rendered argv and resources', async () => {
    const h = harness();
    const result = await run(h);
    expect(result.reasonCode).toBe('launched');
    expect(result.submitted).toHaveLength(12);
    expect(h.scheduler.calls.submit).toHaveLength(12);
    const first = h.scheduler.calls.submit[0];
    expect(first).toMatchObject({
      command: {
        kind: 'argv',
        argv: ['python', 'train.py', '--model', 'resnet', '--loss', 'ce', '--seed', '1'],
      },
      resources: { timeMinutes: 60, memMb: 16_384, cpusPerTask: 4, gpus: 1, partition: 'gpu' },
      stdout: `/scratch/alice/logs/${first?.name}-%j.out`,
      env: { RUN_NAME: first?.name },
    });
    expect(first?.name).toMatch(/^sw-calib-[0-9a-f]{8}$/);
    const m = h.store.current();
    expect(m?.cycles).toEqual([expect.objectContaining({ cycle: 0, digest: DIGEST, requestedBy: 'alice' })]);
    expect(m?.conditions.every((c) => latestAttempt(c)?.phase === 'submitted')).toBe(true);
    // Per chunk of 5: one save opening the attempts, one recording the job ids.
    expect(h.store.saves).toHaveLength(6);
  });

  it('submits nothing the second time', async () => {
    const h = harness();
    await run(h);
    const again = await run(h);
    expect(again.reasonCode).toBe('nothing_to_submit');
    expect(again.skipped).toBe(12);
    expect(h.scheduler.calls.submit).toHaveLength(12);
  });

  it('saves the attempts as submitting before the scheduler is called', async () => {
    const h = harness();
    const seen: (string | undefined)[] = [];
    h.scheduler.onSubmit = (job) => {
      const c = h.store.current()?.conditions.find((x) => x.jobName === job.name);
      seen.push(c === undefined ? undefined : latestAttempt(c)?.phase);
    };
    await run(h);
    expect(seen).toEqual(Array(12).fill('submitting'));
  });

  it('adopts the jobs of a crashed run by name instead of submitting them again', async () => {
    const h = harness();
    // The process dies after the cluster accepted the 3rd job: the job ids never reach the store.
    h.scheduler.onSubmit = (_job, count) => {
      if (count === 3) {
        h.store.dead = true;
        throw new Error('killed');
      }
    };
    await expect(run(h, 5)).rejects.toThrow('the process died');
    expect(h.scheduler.jobs.size).toBe(3);
    const crashed = h.store.current();
    expect(crashed?.conditions.filter((c) => latestAttempt(c)?.phase === 'submitting')).toHaveLength(5);

    h.store.dead = false;
    h.scheduler.onSubmit = null;
    const result = await run(h, 5);
    expect(h.scheduler.calls.findByName).toEqual(['sw-calib-']);
    expect(result.adopted).toHaveLength(3);
    expect(result.submitted).toHaveLength(9);
    // Every condition ran exactly once on the cluster.
    const names = [...h.scheduler.jobs.values()].map((j) => j.name);
    expect(new Set(names).size).toBe(12);
    expect(names).toHaveLength(12);
    const m = h.store.current();
    const jobIds = m?.conditions.map((c) => latestAttempt(c)?.jobId);
    expect(new Set(jobIds).size).toBe(12);
    expect(jobIds?.every((id) => id !== null && h.scheduler.jobs.has(id ?? ''))).toBe(true);
  });

  it('records a rejected submission with the scheduler words, and retries it on the next launch', async () => {
    // Learn a job name from a clean launch, then reject it in a fresh one.
    const h = harness();
    await run(h);
    const h2 = harness();
    const firstName = h.scheduler.calls.submit[4]?.name ?? '';
    h2.scheduler.reject.set(firstName, 'sbatch: error: Batch job submission failed: Invalid account');
    const result = await run(h2);
    expect(result.reasonCode).toBe('submission_rejected');
    expect(result.rejected).toEqual([
      {
        conditionId: expect.any(String),
        message: 'sbatch: error: Batch job submission failed: Invalid account',
      },
    ]);
    const c = h2.store.current()?.conditions.find((x) => x.jobName === firstName);
    expect(c?.attempts).toEqual([
      expect.objectContaining({
        phase: 'submit_failed',
        submitError: expect.stringContaining('Invalid account'),
      }),
    ]);
    h2.scheduler.reject.clear();
    const retry = await run(h2);
    expect(retry.submitted).toHaveLength(1);
  });

  it('refuses with the preflight problems before submitting anything', async () => {
    const h = harness();
    h.scheduler.preflightReport = {
      ...h.scheduler.preflightReport,
      ok: false,
      problems: [
        {
          code: 'partition_unknown',
          severity: 'error',
          subject: 'gpu',
          message: 'partition gpu does not exist',
        },
      ],
    };
    const result = await run(h);
    expect(result.reasonCode).toBe('preflight_failed');
    expect(result.reason).toContain('partition gpu does not exist');
    expect(h.scheduler.calls.submit).toHaveLength(0);
    expect(h.store.current()).toBeNull();
  });
});

/**
 * The real Slurm submit (sbatch over a fake transport) behind the launch: the cluster accepts
 * two jobs, then answers every sbatch with `fault`. Preflight and adoption are the fake's.
 */
function slurmSubmitting(
  h: Harness,
  fault: ExecHandler,
): Pick<Scheduler, 'preflight' | 'submit' | 'findByName'> {
  let accepted = 0;
  const transport = createFakeTransport((argv, options) => {
    if (accepted < 2) return { stdout: `${900 + ++accepted}\n` };
    return fault(argv, options);
  });
  const slurm = new SlurmScheduler({ transport, user: 'alice' });
  return {
    preflight: (r) => h.scheduler.preflight(r),
    findByName: (p) => h.scheduler.findByName(p),
    submit: (r) => slurm.submit(r),
  };
}

const phases = (h: Harness) =>
  h.store.current()?.conditions.map((c) => latestAttempt(c)?.phase ?? 'none') ?? [];

describe('launch when sbatch cannot tell whether the job exists', () => {
  const sbatchSays =
    (stderr: string): ExecHandler =>
    () => ({ stderr: `${stderr}\n`, code: 1 });
  it.each<[string, ExecHandler]>([
    [
      'controller down',
      sbatchSays(
        'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)',
      ),
    ],
    [
      'socket timeout',
      sbatchSays('sbatch: error: Batch job submission failed: Socket timed out on send/recv operation'),
    ],
    [
      'backup in standby',
      sbatchSays('sbatch: error: Batch job submission failed: Slurm backup controller in standby mode'),
    ],
    [
      'zero bytes',
      sbatchSays('sbatch: error: Batch job submission failed: Zero Bytes were transmitted or received'),
    ],
    [
      'SSH dropped',
      () => {
        throw new TransportError('disconnected', "'sbatch' on alice@login:22: the connection was lost");
      },
    ],
  ])(
    '%s: submit_interrupted, no rejection, attempts left in flight; the next launch sends each once',
    async (_name, fault) => {
      const h = harness();
      const result = await launch(
        { store: h.store, scheduler: slurmSubmitting(h, fault), clock: h.clock, saveOptions: h.saveOptions },
        { config: h.config, digest: DIGEST, requestedBy: 'alice', chunkSize: 5 },
      );
      expect(result.reasonCode).toBe('submit_interrupted');
      expect(result.rejected).toEqual([]);
      expect(result.submitted).toHaveLength(2);
      // The 3rd is unknown and the 4th and 5th were claimed but not sent: all left to adoption.
      expect(phases(h).filter((p) => p === 'submitting')).toHaveLength(3);
      expect(phases(h)).not.toContain('submit_failed');

      // The controller is back (the fake cluster has none of them): adopted as lost, sent once.
      const again = await run(h);
      expect(again.reasonCode).toBe('launched');
      expect(again.submitted).toHaveLength(10);
      expect(phases(h).every((p) => p === 'submitted')).toBe(true);
      const names = h.scheduler.calls.submit.map((r) => r.name);
      expect(new Set(names).size).toBe(10);
    },
  );

  it.each([
    'sbatch: error: invalid partition specified: nosuch\nsbatch: error: Batch job submission failed: Invalid partition name specified',
    'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified',
    "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)",
    'sbatch: error: Batch job submission failed: Requested node configuration is not available',
  ])('a real refusal is still submission_rejected (%s)', async (stderr) => {
    const h = harness();
    const result = await launch(
      {
        store: h.store,
        scheduler: slurmSubmitting(h, sbatchSays(stderr)),
        clock: h.clock,
        saveOptions: h.saveOptions,
      },
      { config: h.config, digest: DIGEST, requestedBy: 'alice', chunkSize: 5 },
    );
    expect(result.reasonCode).toBe('submission_rejected');
    expect(result.rejected).toHaveLength(10);
    expect(phases(h).filter((p) => p === 'submit_failed')).toHaveLength(10);
    expect(phases(h)).not.toContain('submitting');
  });
});
