/**
 * Scheduler faults on the REAL lab, through the real use cases: slurmctld stopped, slurmdbd
 * stopped, a job that vanished from both squeue and sacct, and a runner clock hours off the
 * cluster's. Each tick during a fault keeps what it cannot see at its last known state, fails
 * only what really failed, acts on nothing it should not, and the next tick recovers. The lab
 * is restored by scripts/lab/up.sh in a finally, whatever happens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepConfig } from '../../src/config/sweep-config.js';
import type { Manifest } from '../../src/core/manifest.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import { isTerminal } from '../../src/core/types.js';
import { crashOf, type Drive, drive, launchOn, settle, skewedClock, tickOn } from '../helpers/reliability/drive.js';
import {
  cancelsOutside,
  duplicates,
  falseFailures,
  lostAttempts,
  spyOn,
} from '../helpers/reliability/invariants.js';
import { restoreLab, stopDaemon } from '../helpers/reliability/lab-daemons.js';
import { type LabWorld, openLabWorld, waitFor } from '../helpers/reliability/lab-world.js';
import { type ClassSpec, noProblems, type Problems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';

const rec = recorder(import.meta.url);
let world: LabWorld;
const experiments: string[] = [];
const spec = (klass: string, expected: string, against = 'real lab'): ClassSpec => ({
  area: 'Scheduler',
  klass,
  against,
  expected,
});

beforeAll(async () => {
  world = await openLabWorld('swsched');
});
afterAll(async () => {
  await world?.close(experiments);
  writeReliabilityReport();
});

/** A sweep whose jobs pend forever (DOWN partition), launched and observed once. */
async function pendingSweep(tag: string, d: Drive = drive()): Promise<{ d: Drive; config: SweepConfig }> {
  const config = world.sweep({
    experiment: world.experimentId(tag),
    factors: { seed: [1, 2, 3] },
    command: ['sleep', '600'],
  });
  experiments.push(config.experiment);
  expect((await launchOn(d, world.slurm, config)).reasonCode).toBe('launched');
  await tickOn(d, world.slurm, config);
  return { d, config };
}

/** A sweep on the debug partition: code=0 completes, code=3 fails, both after a few seconds. */
async function finishingSweep(tag: string): Promise<{ d: Drive; config: SweepConfig; ids: string[] }> {
  const d = drive();
  const config = world.sweep({
    experiment: world.experimentId(tag),
    factors: { code: [0, 3] },
    command: ['sh', '-c', 'echo started; sleep 6; exit "$0"', '{code}'],
    partition: world.lab.partitions.default,
  });
  experiments.push(config.experiment);
  const launched = await launchOn(d, world.slurm, config);
  expect(launched.reasonCode, launched.reason).toBe('launched');
  await tickOn(d, world.slurm, config);
  return { d, config, ids: launched.submitted.map((s) => s.jobId) };
}

const jobIds = (m: Manifest | null) =>
  (m?.conditions ?? []).flatMap((c) => c.attempts.map((a) => a.jobId)).filter((id): id is string => id !== null);

/** The invariants of one faulty tick, against the truth read once the lab is healthy again. */
async function judge(before: Manifest, during: Manifest | null, cancelled: readonly string[]): Promise<Problems> {
  const truth = await world.truth(jobIds(before));
  const problems = noProblems();
  problems.lost.push(...lostAttempts(before, during));
  problems.falseFailure.push(...falseFailures(during, (id) => truth.get(id)));
  problems.leak.push(...cancelsOutside(cancelled, during));
  return problems;
}

describe('slurmctld stopped', () => {
  it('ticks keep every job (nothing failed, nothing cancelled), a launch is refused cleanly, and both recover', async () => {
    const live = await pendingSweep('ctld-live');
    const late = world.sweep({ experiment: world.experimentId('ctld-late'), factors: { seed: [1, 2] }, command: ['sleep', '600'] });
    experiments.push(late.experiment);
    const lateDrive = drive();
    const before = live.d.store.current();
    if (before === null) throw new Error('no manifest');
    const { scheduler, spy } = spyOn(world.scheduler(world.transport, { timeoutMs: 45_000 }));
    const problems = noProblems();
    let during: Manifest | null = null;
    try {
      await stopDaemon('slurmctld');
      const ticked = await settle(() => tickOn(live.d, scheduler, live.config));
      problems.crash.push(...crashOf(ticked));
      during = live.d.store.current();
      const launched = await settle(() => launchOn(lateDrive, scheduler, late));
      problems.crash.push(...crashOf(launched));
      if (launched.ok && launched.value.reasonCode === 'launched')
        problems.crash.push('a launch with the controller down claimed success');
    } finally {
      restoreLab();
    }
    const judged = await judge(before, during, spy.cancelRequested);
    const healed = await tickOn(live.d, world.slurm, live.config);
    if (healed.reasonCode === 'observation_failed') problems.crash.push('the next tick did not recover');
    if (live.d.store.current()?.conditions.some((c) => latestAttempt(c)?.staleSince !== null))
      problems.crash.push('stale marks survived the recovery');
    // The launch again, now that the controller is back: every condition exactly once.
    const relaunched = await launchOn(lateDrive, world.slurm, late);
    const onCluster = await world.jobsOf(late.experiment);
    problems.duplicate.push(...duplicates([...onCluster].flatMap(([n, ids]) => ids.map(() => n)), 'job'));
    if (onCluster.size !== 2) problems.lost.push(`${onCluster.size} of 2 conditions on the cluster after ${relaunched.reasonCode}`);
    const merged = { ...problems };
    for (const k of Object.keys(judged) as (keyof Problems)[]) merged[k] = [...problems[k], ...judged[k]];
    expect(rec.check(spec('slurmctld stopped', 'jobs kept (squeue down, sacct answers); launch refused; recovers after restart'), merged)).toEqual(noProblems());
  });
});

describe('slurmctld dying between the preflight and the submissions', () => {
  it('the unsent jobs are not failures: no issue, no failed count; the next launch submits each once', async () => {
    const d = drive();
    const config = world.sweep({ experiment: world.experimentId('ctld-mid'), factors: { seed: [1, 2] }, command: ['sleep', '600'] });
    experiments.push(config.experiment);
    const inner = world.scheduler(world.transport, { timeoutMs: 45_000 });
    const dying = Object.assign(Object.create(inner) as typeof inner, {
      preflight: async (r: Parameters<typeof inner.preflight>[0]) => {
        const report = await inner.preflight(r);
        await stopDaemon('slurmctld');
        return report;
      },
    });
    const problems = noProblems();
    try {
      const launched = await settle(() => launchOn(d, dying, config));
      problems.crash.push(...crashOf(launched));
    } finally {
      restoreLab();
    }
    const ticked = await tickOn(d, world.slurm, config);
    if (ticked.counts.failed > 0) problems.falseFailure.push(`${ticked.counts.failed} conditions counted failed: ${ticked.reason}`);
    for (const w of d.issues.writes) problems.falseFailure.push(`issue #${w.number} ${w.kind}d: ${d.issues.issues.get(w.number)?.title}`);
    const relaunched = await launchOn(d, world.slurm, config);
    const onCluster = await world.jobsOf(config.experiment);
    problems.duplicate.push(...duplicates([...onCluster].flatMap(([n, ids]) => ids.map(() => n)), 'job'));
    if (onCluster.size !== 2) problems.lost.push(`${onCluster.size} of 2 conditions on the cluster after ${relaunched.reasonCode}`);
    expect(rec.check(spec('slurmctld down at submission', 'sbatch errors are not job failures; the next launch submits each once'), problems)).toEqual(noProblems());
  });
});

describe('slurmdbd stopped', () => {
  it('jobs that end while accounting is down are read from scontrol: the failed one failed, the rest did not', async () => {
    const live = await pendingSweep('dbd-live');
    const done = await finishingSweep('dbd-done');
    const befores = [live.d.store.current(), done.d.store.current()];
    const { scheduler, spy } = spyOn(world.slurm);
    const problems = noProblems();
    const during: (Manifest | null)[] = [];
    try {
      await stopDaemon('slurmdbd');
      await waitFor(world, done.ids, isTerminal, 120_000);
      for (const s of [live, done]) {
        const ticked = await settle(() => tickOn(s.d, scheduler, s.config));
        problems.crash.push(...crashOf(ticked));
        if (ticked.ok && !ticked.value.observationErrors.some((e) => e.kind === 'sacct_unavailable'))
          problems.crash.push('accounting down was not reported');
        during.push(s.d.store.current());
      }
    } finally {
      restoreLab();
    }
    // The finishing jobs ended during the outage and must be seen as ended, right.
    const finished = during[1]?.conditions.map((c) => latestAttempt(c)?.state) ?? [];
    expect(finished.sort()).toEqual(['COMPLETED', 'FAILED']);
    for (const [i, before] of befores.entries()) {
      if (before === null) throw new Error('no manifest');
      const judged = await judge(before, during[i] ?? null, spy.cancelRequested);
      for (const k of Object.keys(judged) as (keyof Problems)[]) problems[k].push(...judged[k]);
    }
    const healed = await tickOn(live.d, world.slurm, live.config);
    if (healed.observationErrors.length > 0) problems.crash.push('accounting errors after the restart');
    expect(rec.check(spec('slurmdbd stopped', 'sacct_unavailable reported; scontrol/squeue fallback; unseen jobs kept'), problems)).toEqual(noProblems());
  });
});

describe('a job that vanished from both squeue and sacct', () => {
  it('is reported as unknown to the scheduler and kept at its last state, never failed or resubmitted', async () => {
    const { d, config } = await pendingSweep('vanish');
    const m = d.store.current();
    if (m === null) throw new Error('no manifest');
    // The job the manifest knows is gone from every source (purged): an id no source has.
    const ghost = '987654321';
    const [first, ...rest] = m.conditions;
    if (first === undefined) throw new Error('no condition');
    const attempts = first.attempts.map((a, i) => (i === first.attempts.length - 1 ? { ...a, jobId: ghost } : a));
    d.store.put({ ...m, conditions: [{ ...first, attempts }, ...rest] });
    const before = d.store.current();
    if (before === null) throw new Error('no manifest');
    const { scheduler, spy } = spyOn(world.slurm);
    const problems = noProblems();
    for (let round = 0; round < 2; round++) {
      const ticked = await settle(() => tickOn(d, scheduler, config));
      problems.crash.push(...crashOf(ticked));
      if (ticked.ok && !ticked.value.diagnostics.some((x) => x.line === ghost && /does not know this job/.test(x.why)))
        problems.crash.push('the vanished job was not reported');
    }
    const after = d.store.current();
    const judged = await judge(before, after, spy.cancelRequested);
    for (const k of Object.keys(judged) as (keyof Problems)[]) problems[k].push(...judged[k]);
    problems.duplicate.push(...spy.submitted.map((n) => `resubmitted ${n}`));
    const kept = after?.conditions[0];
    expect(kept === undefined ? null : latestAttempt(kept)?.state).toBe('PENDING');
    expect(rec.check(spec('job vanished from squeue and sacct', 'kept at its last state, flagged stale, reported; never failed'), problems)).toEqual(noProblems());
  });
});

describe('clock skew between runner and cluster', () => {
  it.each([6, -6])('a runner clock %i h off: ticks fail nothing and cancel nothing', async (hours) => {
    const d = drive(skewedClock(hours));
    const { config } = await pendingSweep(`skew-tick${hours > 0 ? 'p' : 'm'}`, d);
    const before = d.store.current();
    if (before === null) throw new Error('no manifest');
    const { scheduler, spy } = spyOn(world.slurm);
    const ticked = await settle(() => tickOn(d, scheduler, config));
    const problems = await judge(before, d.store.current(), spy.cancelRequested);
    problems.crash.push(...crashOf(ticked));
    problems.leak.push(...spy.cancelRequested.map((id) => `cancelled ${id}`));
    expect(rec.check(spec(`runner clock ${hours > 0 ? '+' : ''}${hours} h: tick`, 'pending jobs stay pending; no cancel, no issue'), problems)).toEqual(noProblems());
  });

  it.each([3, -3])(
    'a runner clock %i h off: a launch killed after a submission is adopted, never submitted twice',
    async (hours) => {
      const d = drive(skewedClock(hours));
      const config = world.sweep({
        experiment: world.experimentId(`skew-adopt${hours > 0 ? 'p' : 'm'}`),
        factors: { seed: [1, 2, 3, 4] },
        command: ['sleep', '600'],
      });
      experiments.push(config.experiment);
      // The runner dies right after the cluster accepted the second job, before it was recorded.
      const { scheduler } = spyOn(world.slurm, (_id, n) => {
        if (n === 2) throw new Error('runner killed');
      });
      const crashed = await launchOn(d, scheduler, config, { chunkSize: 2 });
      expect(crashed.reasonCode).toBe('submit_interrupted');
      const healed = await launchOn(d, world.slurm, config, { chunkSize: 2 });
      const onCluster = await world.jobsOf(config.experiment);
      const problems = noProblems();
      problems.duplicate.push(...duplicates([...onCluster].flatMap(([n, ids]) => ids.map(() => n)), 'job'));
      if (onCluster.size !== 4) problems.lost.push(`${onCluster.size} of 4 conditions on the cluster`);
      if (healed.adopted.length !== 1) problems.duplicate.push(`adopted ${healed.adopted.length}, expected the 1 cut off`);
      expect(
        rec.check(spec(`runner clock ${hours > 0 ? '+' : ''}${hours} h: crash adoption`, 'the cut-off job is adopted by name; each condition once'), problems),
      ).toEqual(noProblems());
    },
  );
});
