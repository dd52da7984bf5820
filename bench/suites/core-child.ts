/**
 * Suite 1, one size in its own process (so its peak RSS is its own): a tick over a simulated
 * Slurm cluster, end to end through the real use case (tick(): SlurmScheduler parsing squeue +
 * sacct, log tails, classify, aggregate, health, summary), then the same stages one by one to
 * say where the time goes. The input is a fixture directory (sim/fixture.ts) written by the
 * parent. Prints one JSON line.
 *
 *   node --import tsx bench/suites/core-child.ts <fixture dir> [--tick-only]
 *
 * (core.ts runs it bundled by ncc on plain node, as the Action runs; the line above is for
 * profiling the sources.)
 *
 * --tick-only skips the stage breakdown (for profiling the tick alone, or a very slow src).
 */
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { tick } from '../../src/app/tick.js';
import { diagnose, observeLive, settleObserved } from '../../src/app/tick-observe.js';
import { parseManifest, serializeManifest } from '../../src/core/manifest.js';
import { countManifestStates, manifestToSnapshot } from '../../src/core/manifest-snapshot.js';
import { applyObservations } from '../../src/core/manifest-transitions.js';
import { evaluateSweep } from '../../src/core/outcome.js';
import { renderTickSummary } from '../../src/core/report.js';
import { FIXTURE_NONCE, readFixture } from '../sim/fixture.js';
import { SimTransport } from '../sim/sim-transport.js';
import { objectStore, observingOnly, quietPorts } from '../support/ports.js';

export interface CoreChildResult {
  readonly size: number;
  /** The whole tick, cold (first run in the process), minus the simulated cluster's time. */
  readonly tickMs: number;
  /** CPU time (user + system) of the same tick, ms. */
  readonly tickCpuMs: number;
  /** Resident set after the input was generated, before the tick, bytes. */
  readonly baseRssBytes: number;
  /** Peak resident set of the process up to the end of the tick (input included), bytes. */
  readonly peakRssBytes: number;
  /** What the simulated cluster sent: observe output and log tails, bytes. */
  readonly bytesIn: number;
  readonly observations: number;
  readonly newlyFailed: number;
  readonly logTailFiles: number;
  readonly decision: string;
  readonly reasonCode: string;
  readonly summaryBytes: number;
  /** Each stage timed on its own, after the tick (so warm), ms. */
  readonly stages: Readonly<Record<string, number>>;
  readonly fates: Readonly<Record<string, number>>;
}

async function main(): Promise<void> {
  const fixture = readFixture(process.argv[2] ?? '');
  const { config, meta } = fixture;
  const transport = new SimTransport(fixture.cluster);
  const scheduler = new SlurmScheduler({ transport, user: 'alice', nonce: () => FIXTURE_NONCE });
  const deps = {
    store: objectStore(fixture.manifest),
    scheduler: observingOnly(scheduler),
    ...quietPorts(meta.now),
  };

  const baseRssBytes = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await tick(deps, { config, relaunchWorkflow: null });
  const tickMs = performance.now() - t0 - transport.busyMs;
  // CPU time (user + system) of the tick: what a busy shared machine inflates least.
  const cpu = process.cpuUsage(cpu0);
  const tickCpuMs = (cpu.user + cpu.system) / 1000 - transport.busyMs;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const bytesIn = transport.stats().bytesIn;

  const stages: Record<string, number> = {};
  if (process.argv[3] === '--tick-only') {
    process.stdout.write(
      `${JSON.stringify({ size: meta.size, tickMs, tickCpuMs, peakRssBytes, decision: result.decision })}\n`,
    );
    return;
  }
  // The stages again, one by one, on the same input (JIT now warm: the sum is below tickMs).
  const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const busy = transport.busyMs;
    const s = performance.now();
    const out = await f();
    stages[name] = performance.now() - s - (transport.busyMs - busy);
    return out;
  };
  const before = fixture.manifest;
  const now = meta.now;
  const observed = await time('observe (parse squeue+sacct, merge)', () => observeLive(scheduler, before));
  const seen = await time('apply observations', () => applyObservations(before, observed.observations, now));
  const diagnosed = await time('log tails + classify', () =>
    diagnose(scheduler, seen.manifest, seen.newlyFailed, 64 * 1024),
  );
  const after = await time('record (settleObserved)', () =>
    settleObserved(seen.manifest, observed, diagnosed.entries, now),
  );
  const policy = config.policy;
  const options = {
    now,
    defaults: config.template.resources,
    heldPatienceSeconds: policy.pending.heldPatienceSeconds,
  };
  const snapshot = await time('snapshot + previous counts', () => {
    countManifestStates(before, options);
    return manifestToSnapshot(after, options);
  });
  const outcome = await time('aggregate + health + decide', () => evaluateSweep(snapshot, policy));
  await time('render summary', () =>
    renderTickSummary({
      experiment: config.experiment,
      at: now,
      outcome,
      previousCounts: null,
      snapshot,
      bands: policy.bands,
      observationErrors: [],
      actions: result.actions,
      changed: true,
    }),
  );
  const text = await time('(not in tick) serialize manifest', () => serializeManifest(after));
  await time('(not in tick) parse manifest', () => parseManifest(text, { source: 'bench' }));

  const out: CoreChildResult = {
    size: meta.size,
    tickMs,
    tickCpuMs,
    baseRssBytes,
    peakRssBytes,
    bytesIn,
    observations: observed.observations.length,
    newlyFailed: result.newlyFailed.length,
    logTailFiles: result.logTailRequests,
    decision: result.decision,
    reasonCode: result.reasonCode,
    summaryBytes: Buffer.byteLength(result.summaryMarkdown),
    stages,
    fates: meta.fates,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
