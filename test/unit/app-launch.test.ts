import { describe, expect, it } from 'vitest';
import { launch } from '../../src/app/launch.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
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
