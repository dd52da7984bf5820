/**
 * Suite 2's measurement, in the process that runs it (lab-child.ts, bundled as the Action is):
 * interleaved A B A B …, (a) a full tick — connect, observe, read the new failures' log tails,
 * classify, decide, save the manifest to a FileStateStore (fsync), render the summary — and
 * (b) the physical floor: the same connect and the same squeue + sacct script through the same
 * SshTransport, its output discarded. The ticks decide but do not act: a cancel they decide on
 * is recorded, not sent (support/ports.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStateStore } from '../../src/adapters/local/file-state-store.js';
import { chunkIds } from '../../src/adapters/slurm/job-ids.js';
import { observeArgv } from '../../src/adapters/slurm/observe-script.js';
import { newNonce } from '../../src/adapters/slurm/sections.js';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import type { SshLogger, SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import { liveJobIds } from '../../src/app/job-request.js';
import { tick } from '../../src/app/tick.js';
import { type Manifest, serializeManifest } from '../../src/core/manifest.js';
import { systemClock } from '../../src/ports/clock.js';
import { buildSweep } from '../sim/sweep.js';
import { CountingTransport } from '../support/counting-transport.js';
import { observingOnly, quietPorts } from '../support/ports.js';
import { median } from '../support/stats.js';

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

export interface PairsInput {
  /** One job id per condition, in condition order (lab-jobs.ts). */
  readonly jobIds: readonly string[];
  readonly logPaths: Readonly<Record<string, { stdout: string; stderr: string }>>;
  readonly pairs: number;
  /** Where the FileStateStore keeps the manifest. */
  readonly dir: string;
}

export interface PairsResult {
  readonly newlyFailed: number;
  /** The tick that first sees the outcome: every job observed, the failures' tails read, saved. */
  readonly firstTick: PairSeries;
  /** The next tick: only live jobs observed, nothing new, nothing saved. */
  readonly steadyTick: PairSeries;
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

export async function runPairs(
  input: PairsInput,
  newTransport: (logger?: SshLogger) => SshTransport,
  log: (m: string) => void,
): Promise<PairsResult> {
  const sweep = buildSweep(input.jobIds.length, {
    experiment: 'benchlab',
    jobIds: input.jobIds,
    logPaths: (j) => input.logPaths[j.id] ?? { stdout: '', stderr: '' },
  });
  const path = join(input.dir, 'benchlab.json');
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
    const ssh = newTransport({
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
    const transport = newTransport();
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
    for (let i = 0; i < input.pairs; i++) {
      a.push(await tickOnce(text));
      b.push(await floorOnce(m));
    }
    const s = series(a, b);
    log(
      `lab: ${label}: tick ${s.medianTickMs.toFixed(0)} ms, floor ${s.medianFloorMs.toFixed(0)} ms, ratio ${s.medianRatio.toFixed(2)}`,
    );
    return s;
  };
  log(`lab: ${input.pairs} interleaved pairs, first tick`);
  const firstTick = await interleave(serializeManifest(sweep.launched), sweep.launched, 'first tick');
  // What the first tick saved is the next tick's manifest: the terminal jobs are not asked again.
  const steadyText = readFileSync(path, 'utf8');
  const steady = (await store.load())?.manifest ?? sweep.launched;
  const steadyTick = await interleave(steadyText, steady, 'steady tick');
  return { newlyFailed, firstTick, steadyTick };
}
