/**
 * The cluster and the manifest drifting apart, on the REAL lab through the real use cases: a job
 * the manifest knows that vanished from both squeue and sacct (purged), and a runner clock hours
 * off the cluster's, during ticks and during the adoption that heals a crashed launch. Nothing
 * may be failed, cancelled or submitted twice because of either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestAttempt } from '../../src/core/manifest-model.js';
import { crashOf, drive, launchOn, settle, skewedClock, tickOn } from '../helpers/reliability/drive.js';
import { spyOn } from '../helpers/reliability/invariants.js';
import { type LabSweeps, labSweeps } from '../helpers/reliability/lab-sweeps.js';
import { type LabWorld, openLabWorld } from '../helpers/reliability/lab-world.js';
import { type ClassSpec, mergeProblems, noProblems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';

const rec = recorder(import.meta.url);
let world: LabWorld;
let sweeps: LabSweeps;
const spec = (klass: string, expected: string): ClassSpec => ({
  area: 'Scheduler',
  klass,
  against: 'real lab',
  expected,
});
const signed = (hours: number) => `${hours > 0 ? '+' : ''}${hours} h`;

beforeAll(async () => {
  world = await openLabWorld('swdrift');
  sweeps = labSweeps(world);
});
afterAll(async () => {
  await world?.close(sweeps?.experiments ?? []);
  writeReliabilityReport();
});

describe('a job that vanished from both squeue and sacct', () => {
  it('is reported as unknown to the scheduler and kept at its last state, never failed or resubmitted', async () => {
    const { d, config } = await sweeps.pending('vanish');
    const m = d.store.current();
    const [first, ...rest] = m?.conditions ?? [];
    if (m === null || first === undefined) throw new Error('no manifest');
    // The job the manifest knows is gone from every source (purged): an id no source has.
    const ghost = '987654321';
    const attempts = first.attempts.map((a, i) =>
      i === first.attempts.length - 1 ? { ...a, jobId: ghost } : a,
    );
    d.store.put({ ...m, conditions: [{ ...first, attempts }, ...rest] });
    const before = d.store.current();
    if (before === null) throw new Error('no manifest');
    const { scheduler, spy } = spyOn(world.slurm);
    const problems = noProblems();
    for (let round = 0; round < 2; round++) {
      const ticked = await settle(() => tickOn(d, scheduler, config));
      problems.crash.push(...crashOf(ticked));
      const reported =
        ticked.ok &&
        ticked.value.diagnostics.some((x) => x.line === ghost && /does not know this job/.test(x.why));
      if (!reported) problems.crash.push('the vanished job was not reported');
    }
    const after = d.store.current();
    mergeProblems(problems, await sweeps.judge(before, after, spy.cancelRequested));
    problems.duplicate.push(...spy.submitted.map((n) => `resubmitted ${n}`));
    const kept = after?.conditions[0];
    if ((kept === undefined ? null : latestAttempt(kept)?.state) !== 'PENDING')
      problems.lost.push('its last state was not kept');
    const what = 'kept at its last state, flagged stale, reported; never failed';
    expect(rec.check(spec('job vanished from squeue and sacct', what), problems)).toEqual(noProblems());
  });
});

describe('clock skew between runner and cluster', () => {
  it.each([6, -6])('a runner clock %i h off: ticks fail nothing and cancel nothing', async (hours) => {
    const d = drive(skewedClock(hours));
    const { config } = await sweeps.pending(`skew-tick${hours > 0 ? 'p' : 'm'}`, d);
    const before = d.store.current();
    if (before === null) throw new Error('no manifest');
    const { scheduler, spy } = spyOn(world.slurm);
    const ticked = await settle(() => tickOn(d, scheduler, config));
    const problems = await sweeps.judge(before, d.store.current(), spy.cancelRequested);
    problems.crash.push(...crashOf(ticked));
    problems.leak.push(...spy.cancelRequested.map((id) => `cancelled ${id}`));
    const what = 'pending jobs stay pending; no cancel, no issue';
    expect(rec.check(spec(`runner clock ${signed(hours)}: tick`, what), problems)).toEqual(noProblems());
  });

  it.each([3, -3])(
    'a runner clock %i h off: a launch killed after a submission is adopted, never submitted twice',
    async (hours) => {
      const d = drive(skewedClock(hours));
      const config = sweeps.config(`skew-adopt${hours > 0 ? 'p' : 'm'}`, [1, 2, 3, 4]);
      // The runner dies right after the cluster accepted the second job, before it was recorded.
      const { scheduler } = spyOn(world.slurm, (_id, n) => {
        if (n === 2) throw new Error('runner killed');
      });
      const crashed = await launchOn(d, scheduler, config, { chunkSize: 2 });
      expect(crashed.reasonCode).toBe('submit_interrupted');
      const healed = await launchOn(d, world.slurm, config, { chunkSize: 2 });
      const problems = await sweeps.oncePerCondition(config.experiment, 4);
      if (healed.adopted.length !== 1)
        problems.duplicate.push(`adopted ${healed.adopted.length}, expected the 1 cut off`);
      const what = 'the cut-off job is adopted by name; each condition once';
      expect(rec.check(spec(`runner clock ${signed(hours)}: crash adoption`, what), problems)).toEqual(
        noProblems(),
      );
    },
  );
});
