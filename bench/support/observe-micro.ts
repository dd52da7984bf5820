/**
 * The observe stage alone (framing, squeue + sacct parsing, merge, indexing) on a core fixture:
 * the same SlurmScheduler over the same SimTransport as bench/suites/core-child.ts, asked for
 * the same live ids, warm, several times. For A/B work on the Slurm parsers, where the whole
 * tick is too noisy to see a change of a few hundred ms.
 *
 *   node --import tsx bench/support/observe-micro.ts <fixture dir> [--runs N] [--dump out.json]
 *
 * Prints one JSON line of medians: wall ms (minus the simulated cluster's time), CPU ms (user +
 * system: what a busy shared machine inflates least), heap growth during one call (GC before
 * each run), heap retained by the result, and GC pause time per call. Heap growth is what the
 * scavenges left over; to read it as the bytes the call allocated, give the young generation
 * room for all of them: node --max-semi-space-size=1024 --min-semi-space-size=1024 --import tsx …
 * --dump writes the result of the last call (key order kept) so two versions can be diffed.
 */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { liveJobIds } from '../../src/app/job-request.js';
import type { ObserveResult } from '../../src/ports/scheduler.js';
import { FIXTURE_NONCE, readFixture } from '../sim/fixture.js';
import { SimTransport } from '../sim/sim-transport.js';
import { median } from './stats.js';

// A forced collection between runs, so each run starts from the same heap (no --expose-gc needed).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? '';
  const runs = Number(option('--runs') ?? 7);
  const dump = option('--dump');
  const fixture = readFixture(dir);
  const transport = new SimTransport(fixture.cluster);
  const scheduler = new SlurmScheduler({ transport, user: 'alice', nonce: () => FIXTURE_NONCE });
  const ids = liveJobIds(fixture.manifest);

  // GC entries arrive asynchronously: each is kept with its start time and counted for the run
  // whose timed window it started in (the forced collections fall outside every window).
  const gcEntries: { start: number; duration: number }[] = [];
  const gcWatch = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcEntries.push({ start: e.startTime, duration: e.duration });
  });
  gcWatch.observe({ entryTypes: ['gc'] });

  // One untimed call first: the measured ones are warm (JIT), like the stage timings of core-child.
  let result: ObserveResult = await scheduler.observe(ids);
  const wall: number[] = [];
  const cpu: number[] = [];
  const heapGrowth: number[] = [];
  const retained: number[] = [];
  const gcPause: number[] = [];
  for (let i = 0; i < runs; i++) {
    result = { observations: new Map(), missing: [], unobserved: [], diagnostics: [], errors: [] };
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const busy0 = transport.busyMs;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    result = await scheduler.observe(ids);
    const t1 = performance.now();
    const c = process.cpuUsage(cpu0);
    const heap1 = process.memoryUsage().heapUsed;
    const busy = transport.busyMs - busy0;
    wall.push(t1 - t0 - busy);
    cpu.push((c.user + c.system) / 1000 - busy);
    heapGrowth.push(heap1 - heap0);
    // The entries of this run's collections are delivered after a timer turn, not at once.
    await new Promise((resolve) => setTimeout(resolve, 20));
    gcPause.push(gcEntries.filter((e) => e.start >= t0 && e.start < t1).reduce((n, e) => n + e.duration, 0));
    gc();
    retained.push(process.memoryUsage().heapUsed - heap0);
  }
  gcWatch.disconnect();

  if (dump !== undefined)
    writeFileSync(dump, JSON.stringify({ ...result, observations: [...result.observations] }));
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const ms = (x: number) => Math.round(x);
  process.stdout.write(
    `${JSON.stringify({
      size: fixture.meta.size,
      ids: ids.length,
      observations: result.observations.size,
      runs,
      wallMs: ms(median(wall)),
      cpuMs: ms(median(cpu)),
      heapGrowthMiB: mib(median(heapGrowth)),
      retainedMiB: mib(median(retained)),
      gcPauseMs: ms(median(gcPause)),
      wallAll: wall.map(ms),
      cpuAll: cpu.map(ms),
    })}\n`,
  );
}

await main();
