/**
 * Suites 2 and 3 on the real lab (Slurm 22.05 over OpenSSH). Suite 2 compares, in one process
 * and interleaved A B A B …, (a) a full tick — connect, observe, read the new failures' log
 * tails, classify, decide, save the manifest to a FileStateStore (fsync), render the summary —
 * with (b) the physical floor: the same connect and the same squeue + sacct script through the
 * same SshTransport, its output discarded. Suite 3 counts round trips and bytes per tick. The
 * ticks decide but do not act: a cancel they decide on is recorded, not sent (lib/ports.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../src/adapters/local/file-state-store.js';
import { chunkIds } from '../../src/adapters/slurm/job-ids.js';
import { observeArgv } from '../../src/adapters/slurm/observe-script.js';
import { newNonce } from '../../src/adapters/slurm/sections.js';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { liveJobIds } from '../../src/app/job-request.js';
import { tick } from '../../src/app/tick.js';
import { type Manifest, serializeManifest } from '../../src/core/manifest.js';
import { systemClock } from '../../src/ports/clock.js';
import { submitLabJobs } from '../lab/lab-jobs.js';
import { buildSweep, type SimSweep } from '../sim/sweep.js';
import { CountingTransport } from '../support/counting-transport.js';
import { observingOnly, quietPorts } from '../support/ports.js';
import { median } from '../support/stats.js';
import { measureRoundTrips, type RoundTripResult } from './round-trips.js';

/** Where a median tick's time went, ms: connecting, each remote script, and the rest (local). */
export interface Breakdown {
  readonly connect: number;
  readonly observe: number;
  readonly tails: number;
  readonly local: number;
}

export interface PairSeries {
  readonly tick: Breakdown;
  readonly floor: Breakdown;
  readonly tickMs: readonly number[];
  readonly floorMs: readonly number[];
  readonly ratios: readonly number[];
  readonly medianRatio: number;
  readonly medianTickMs: number;
  readonly medianFloorMs: number;
}

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

interface Timed {
  readonly ms: number;
  readonly parts: Breakdown;
}

const medianParts = (runs: readonly Timed[]): Breakdown => ({
  connect: median(runs.map((r) => r.parts.connect)),
  observe: median(runs.map((r) => r.parts.observe)),
  tails: median(runs.map((r) => r.parts.tails)),
  local: median(runs.map((r) => r.parts.local)),
});

function series(a: readonly Timed[], b: readonly Timed[]): PairSeries {
  const tickMs = a.map((r) => r.ms);
  const floorMs = b.map((r) => r.ms);
  const ratios = tickMs.map((t, i) => t / (floorMs[i] ?? Number.NaN));
  return {
    tick: medianParts(a),
    floor: medianParts(b),
    tickMs,
    floorMs,
    ratios,
    medianRatio: median(ratios),
    medianTickMs: median(tickMs),
    medianFloorMs: median(floorMs),
  };
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

    const sweep = sweepOf(jobs.jobIds.length);
    const path = join(dir, 'benchlab.json');
    const store = new FileStateStore({ path, experiment: sweep.config.experiment });
    let newlyFailed = 0;
    /**
     * (a): a whole tick from a fresh, unconnected transport, as the Action runs it: the tick
     * connects while it loads the manifest. `connect` is when the login completed; observe's
     * wait for it, if the manifest loaded first, counts as connect, and `local` is what is left.
     */
    const tickOnce = async (text: string): Promise<Timed> => {
      writeFileSync(path, text);
      let connectedAt = Number.NaN;
      const started = performance.now();
      const ssh = jobs.newTransport({
        debug: (m) => {
          if (m.startsWith('ssh: authenticated')) connectedAt = performance.now();
        },
      });
      const transport = new CountingTransport(ssh);
      const scheduler = observingOnly(new SlurmScheduler({ transport }));
      const deps = { ...quietPorts(new Date().toISOString()), store, scheduler, clock: systemClock };
      const r = await tick(deps, { config: sweep.config, relaunchWorkflow: null });
      const ms = performance.now() - started;
      newlyFailed = Math.max(newlyFailed, r.newlyFailed.length);
      await transport.close();
      const connect = connectedAt - started;
      const span = transport.spans.get('sweepwatch-observe');
      const observe = span === undefined ? 0 : span.endedAt - Math.max(span.startedAt, connectedAt);
      const tails = transport.byScript.get('sweepwatch-log-tails')?.ms ?? 0;
      return { ms, parts: { connect, observe, tails, local: ms - connect - observe - tails } };
    };
    /** (b): the same connection and the same squeue + sacct script; output discarded. */
    const floorOnce = async (m: Manifest): Promise<Timed> => {
      const stdin = `${chunkIds(liveJobIds(m), 100_000).join('\n')}\n`;
      const started = performance.now();
      const transport = jobs.newTransport();
      await transport.connect();
      const connect = performance.now() - started;
      await transport.exec(observeArgv(newNonce(), 500), {
        stdin,
        timeoutMs: 120_000,
        maxStdoutBytes: 64 * 1024 * 1024,
      });
      const ms = performance.now() - started;
      await transport.close();
      return { ms, parts: { connect, observe: ms - connect, tails: 0, local: 0 } };
    };
    const interleave = async (text: string, m: Manifest, label: string): Promise<PairSeries> => {
      await tickOnce(text);
      await floorOnce(m); // warm-up pair: first connection, JIT, the cluster's caches
      const a: Timed[] = [];
      const b: Timed[] = [];
      for (let i = 0; i < pairs; i++) {
        a.push(await tickOnce(text));
        b.push(await floorOnce(m));
      }
      const s = series(a, b);
      log(
        `lab: ${label}: tick ${s.medianTickMs.toFixed(0)} ms, floor ${s.medianFloorMs.toFixed(0)} ms, ratio ${s.medianRatio.toFixed(2)}`,
      );
      return s;
    };
    log(`lab: ${pairs} interleaved pairs, first tick`);
    const launchedText = serializeManifest(sweep.launched);
    const firstTick = await interleave(launchedText, sweep.launched, 'first tick');
    // What the first tick saved is the next tick's manifest: the terminal jobs are not asked again.
    const steadyText = readFileSync(path, 'utf8');
    const steady = (await store.load())?.manifest ?? sweep.launched;
    const steadyTick = await interleave(steadyText, steady, 'steady tick');
    return {
      jobs: jobs.jobIds.length,
      observed: liveJobIds(sweep.launched).length,
      newlyFailed,
      firstTick,
      steadyTick,
      roundTrips,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await jobs.cleanup();
    log('lab: jobs cancelled, directory removed');
  }
}
