/**
 * The tick without the scheduler's parsing: observe() and readLogTails() answer from results
 * computed once, so what is timed is the manifest transitions, diagnosis, evaluation and
 * summary. For profiling the use case itself (`--cpu-prof`), not a suite of its own.
 *
 *   node --import tsx bench/support/tick-micro.ts <fixture dir> [rounds]
 */
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { tick } from '../../src/app/tick.js';
import type { LogTail, ObserveResult } from '../../src/ports/scheduler.js';
import { FIXTURE_NONCE, readFixture } from '../sim/fixture.js';
import { SimTransport } from '../sim/sim-transport.js';
import { objectStore, quietPorts } from './ports.js';

const fixture = readFixture(process.argv[2] ?? '');
const rounds = Number(process.argv[3] ?? '5');
const scheduler = new SlurmScheduler({
  transport: new SimTransport(fixture.cluster),
  user: 'alice',
  nonce: () => FIXTURE_NONCE,
});
let observed: ObserveResult | undefined;
let tails: Map<string, LogTail> | undefined;
const replay = {
  observe: async (ids: readonly string[]) => {
    observed ??= await scheduler.observe(ids);
    return observed;
  },
  readLogTails: async (...args: Parameters<SlurmScheduler['readLogTails']>) => {
    tails ??= await scheduler.readLogTails(...args);
    return tails;
  },
  cancel: async () => ({ cancelled: [], refused: [] }),
};
const input = { config: fixture.config, relaunchWorkflow: null };
// One tick to fill the replay (and warm up), then the timed ones.
await tick(
  { store: objectStore(fixture.manifest), scheduler: replay, ...quietPorts(fixture.meta.now) },
  input,
);
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < rounds; i++) {
  const deps = { store: objectStore(fixture.manifest), scheduler: replay, ...quietPorts(fixture.meta.now) };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await tick(deps, input);
  const c = process.cpuUsage(c0);
  wall.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
process.stdout.write(
  `${JSON.stringify({ rounds, wallMs: Math.round(median(wall)), cpuMs: Math.round(median(cpu)), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
