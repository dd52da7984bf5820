/**
 * Suites 2 and 3 on the real lab (Slurm 22.05 over OpenSSH): 1,000 real jobs submitted and
 * waited for (lab-jobs.ts), round trips and bytes per tick counted (suite 3), then suite 2's
 * interleaved ticks and floors measured in a child bundled as the Action is (lab-child.ts,
 * lab-pairs.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveJobIds } from '../../src/app/job-request.js';
import { submitLabJobs } from '../lab/lab-jobs.js';
import { buildSweep, type SimSweep } from '../sim/sweep.js';
import { BENCH_DIR, bundleScript, lastJsonLine, runNode } from '../support/child.js';
import type { PairSeries, PairsInput, PairsResult } from './lab-pairs.js';
import { measureRoundTrips, type RoundTripResult } from './round-trips.js';

export type { Breakdown, PairSeries } from './lab-pairs.js';

export interface LabResult {
  readonly jobs: number;
  readonly observed: number;
  readonly newlyFailed: number;
  /** The tick that first sees the outcome: every job observed, the failures' tails read, saved. */
  readonly firstTick: PairSeries;
  /** The next tick: only live jobs observed, nothing new, nothing saved. */
  readonly steadyTick: PairSeries;
  readonly roundTrips: RoundTripResult;
}

export async function runLab(pairs: number, log: (m: string) => void, total = 1000): Promise<LabResult> {
  const jobs = await submitLabJobs(total, 20 * 60_000, log);
  const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-bench-lab-'));
  try {
    const sweepOf = (size: number): SimSweep =>
      buildSweep(size, {
        experiment: 'benchlab',
        jobIds: jobs.jobIds.slice(0, size),
        logPaths: (j) => jobs.logPaths.get(j.id) ?? { stdout: '', stderr: '' },
      });
    log('lab: round trips and bytes at 10, 100, 1,000 jobs');
    const roundTrips = await measureRoundTrips(
      'lab',
      [10, 100, 1000].filter((n) => n <= total),
      async (size) => {
        const s = sweepOf(size);
        return {
          config: s.config,
          manifest: s.launched,
          transport: jobs.newTransport(),
          now: new Date().toISOString(),
        };
      },
    );

    const input: PairsInput = {
      jobIds: jobs.jobIds,
      logPaths: Object.fromEntries(jobs.logPaths),
      pairs,
      dir,
    };
    const inputPath = join(dir, 'pairs.json');
    writeFileSync(inputPath, JSON.stringify(input));
    const child = bundleScript(join(BENCH_DIR, 'suites/lab-child.ts'), join(dir, 'build'));
    const run = await runNode([child, inputPath], 20 * 60_000);
    for (const line of run.stderr.split('\n')) if (line.startsWith('lab: ')) log(line);
    const pairsResult = lastJsonLine<PairsResult>(run, 'the lab pairs');
    return {
      jobs: jobs.jobIds.length,
      observed: liveJobIds(sweepOf(total).launched).length,
      newlyFailed: pairsResult.newlyFailed,
      firstTick: pairsResult.firstTick,
      steadyTick: pairsResult.steadyTick,
      roundTrips,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await jobs.cleanup();
    log('lab: jobs cancelled, directory removed');
  }
}
