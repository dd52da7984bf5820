/**
 * Sweeps on the real lab for the scheduler fault suites, driven by the real use cases: one that
 * pends forever, one that finishes within seconds (one condition completes, one fails), and the
 * judgement of a faulty tick against the ground truth read through a healthy connection.
 */
import { expect } from 'vitest';
import type { SweepConfig } from '../../../src/config/sweep-config.js';
import type { Manifest } from '../../../src/core/manifest.js';
import { type Drive, drive, launchOn, tickOn } from './drive.js';
import { cancelsOutside, duplicates, falseFailures, lostAttempts } from './invariants.js';
import type { LabWorld } from './lab-world.js';
import { noProblems, type Problems } from './recorder.js';

export interface LabSweeps {
  /** Every experiment launched, for the cleanup. */
  readonly experiments: string[];
  /** Jobs that pend forever (the DOWN partition): launched and observed once. */
  pending(tag: string, d?: Drive, levels?: readonly number[]): Promise<{ d: Drive; config: SweepConfig }>;
  /** code=0 completes and code=3 fails, a few seconds after they start: launched, observed once. */
  finishing(tag: string): Promise<{ d: Drive; config: SweepConfig; ids: string[] }>;
  /** A sweep config that pends forever, not launched. */
  config(tag: string, levels?: readonly number[]): SweepConfig;
  /** The invariants of one faulty tick, against the truth read once the lab is healthy again. */
  judge(before: Manifest, during: Manifest | null, cancelled: readonly string[]): Promise<Problems>;
  /** Jobs of the experiment on the cluster: one per condition, none twice. */
  oncePerCondition(experiment: string, conditions: number): Promise<Problems>;
}

const jobIds = (m: Manifest | null) =>
  (m?.conditions ?? [])
    .flatMap((c) => c.attempts.map((a) => a.jobId))
    .filter((id): id is string => id !== null);

export function labSweeps(world: LabWorld): LabSweeps {
  const experiments: string[] = [];
  const config = (tag: string, levels: readonly number[] = [1, 2, 3]) => {
    const c = world.sweep({
      experiment: world.experimentId(tag),
      factors: { seed: levels },
      command: ['sleep', '600'],
    });
    experiments.push(c.experiment);
    return c;
  };
  return {
    experiments,
    config,
    async pending(tag, d = drive(), levels = [1, 2, 3]) {
      const c = config(tag, levels);
      expect((await launchOn(d, world.slurm, c)).reasonCode).toBe('launched');
      await tickOn(d, world.slurm, c);
      return { d, config: c };
    },
    async finishing(tag) {
      const d = drive();
      const c = world.sweep({
        experiment: world.experimentId(tag),
        factors: { code: [0, 3] },
        command: ['sh', '-c', 'echo started; sleep 6; exit "$0"', '{code}'],
        partition: world.lab.partitions.default,
      });
      experiments.push(c.experiment);
      const launched = await launchOn(d, world.slurm, c);
      expect(launched.reasonCode, launched.reason).toBe('launched');
      await tickOn(d, world.slurm, c);
      return { d, config: c, ids: launched.submitted.map((s) => s.jobId) };
    },
    async judge(before, during, cancelled) {
      const truth = await world.truth(jobIds(before));
      const problems = noProblems();
      problems.lost.push(...lostAttempts(before, during));
      problems.falseFailure.push(...falseFailures(during, (id) => truth.get(id)));
      problems.leak.push(...cancelsOutside(cancelled, during));
      return problems;
    },
    async oncePerCondition(experiment, conditions) {
      const onCluster = await world.jobsOf(experiment);
      const problems = noProblems();
      problems.duplicate.push(
        ...duplicates(
          [...onCluster].flatMap(([n, ids]) => ids.map(() => n)),
          'job',
        ),
      );
      if (onCluster.size !== conditions)
        problems.lost.push(`${onCluster.size} of ${conditions} conditions on the cluster`);
      return problems;
    },
  };
}
