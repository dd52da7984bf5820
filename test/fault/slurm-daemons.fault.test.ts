/**
 * Slurm's daemons stopped for real on the lab (by their pid files), through the real use cases:
 * slurmctld down during ticks and a launch, slurmctld dying between a launch's preflight and its
 * submissions, slurmdbd down while jobs end. A tick during a fault keeps what it cannot see at
 * its last known state, fails only what really failed, acts on nothing it should not; the next
 * run recovers. scripts/lab/up.sh restores the lab in a finally, whatever happens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import { isTerminal } from '../../src/core/types.js';
import { crashOf, drive, launchOn, settle, tickOn } from '../helpers/reliability/drive.js';
import { spyOn } from '../helpers/reliability/invariants.js';
import { restoreLab, stopDaemon } from '../helpers/reliability/lab-daemons.js';
import { type LabSweeps, labSweeps } from '../helpers/reliability/lab-sweeps.js';
import { type LabWorld, openLabWorld, waitFor } from '../helpers/reliability/lab-world.js';
import { type ClassSpec, mergeProblems, noProblems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';

const rec = recorder(import.meta.url);
let world: LabWorld;
let sweeps: LabSweeps;
const spec = (klass: string, expected: string): ClassSpec => ({
  area: 'Scheduler',
  klass,
  against: 'real lab, daemon stopped by its pid file',
  expected,
});

beforeAll(async () => {
  world = await openLabWorld('swdaemon');
  sweeps = labSweeps(world);
});
afterAll(async () => {
  await world?.close(sweeps?.experiments ?? []);
  writeReliabilityReport();
});

describe('slurmctld stopped', () => {
  it('ticks keep every job (nothing failed, nothing cancelled), a launch is refused cleanly, and both recover', async () => {
    const live = await sweeps.pending('ctld-live');
    const late = sweeps.config('ctld-late', [1, 2]);
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
      if (launched.ok && launched.value.reasonCode !== 'preflight_failed')
        problems.crash.push(`a launch with the controller down: ${launched.value.reasonCode}`);
    } finally {
      restoreLab();
    }
    mergeProblems(problems, await sweeps.judge(before, during, spy.cancelRequested));
    const healed = await tickOn(live.d, world.slurm, live.config);
    if (healed.reasonCode === 'observation_failed') problems.crash.push('the next tick did not recover');
    if (live.d.store.current()?.conditions.some((c) => latestAttempt(c)?.staleSince !== null))
      problems.crash.push('stale marks survived the recovery');
    // The launch again, now that the controller is back: every condition exactly once.
    await launchOn(lateDrive, world.slurm, late);
    mergeProblems(problems, await sweeps.oncePerCondition(late.experiment, 2));
    const what = 'jobs kept (squeue fails, sacct answers); launch refused at preflight; both recover';
    expect(rec.check(spec('slurmctld stopped', what), problems)).toEqual(noProblems());
  });

  it('dying between the preflight and the submissions: the unsent jobs are not failures, the next launch sends each once', async () => {
    const d = drive();
    const config = sweeps.config('ctld-mid', [1, 2]);
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
      problems.crash.push(...crashOf(await settle(() => launchOn(d, dying, config))));
    } finally {
      restoreLab();
    }
    const ticked = await tickOn(d, world.slurm, config);
    if (ticked.counts.failed > 0)
      problems.falseFailure.push(`${ticked.counts.failed} conditions counted failed: ${ticked.reason}`);
    for (const w of d.issues.writes)
      problems.falseFailure.push(`issue #${w.number} ${w.kind}d: ${d.issues.issues.get(w.number)?.title}`);
    await launchOn(d, world.slurm, config);
    mergeProblems(problems, await sweeps.oncePerCondition(config.experiment, 2));
    const what = 'sbatch errors are not job failures (no issue); the next launch submits each once';
    expect(rec.check(spec('slurmctld down at submission', what), problems)).toEqual(noProblems());
  });
});

describe('slurmdbd stopped', () => {
  it('jobs that end while accounting is down are read from scontrol: the failed one failed, the rest did not', async () => {
    const live = await sweeps.pending('dbd-live');
    const done = await sweeps.finishing('dbd-done');
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
      mergeProblems(problems, await sweeps.judge(before, during[i] ?? null, spy.cancelRequested));
    }
    const healed = await tickOn(live.d, world.slurm, live.config);
    if (healed.observationErrors.length > 0) problems.crash.push('accounting errors after the restart');
    const what = 'sacct_unavailable reported; scontrol/squeue fallback; unseen jobs kept';
    expect(rec.check(spec('slurmdbd stopped', what), problems)).toEqual(noProblems());
  });
});
