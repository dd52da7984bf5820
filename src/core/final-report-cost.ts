/**
 * What the sweep cost, per cycle, from the scheduler's records as the manifest keeps them:
 * CPU-hours = elapsed × CPUs per job, GPU-hours = elapsed × GPUs per job, and dollars only
 * where a price is known. Failed attempts are counted apart: that is the compute a relaunch
 * policy spends on failures.
 */
import type { Prices, TemplateResources } from './final-report-model.js';
import { elapsedFromTimes, type Manifest } from './manifest-model.js';

export interface CycleCost {
  readonly cycle: number;
  readonly attempts: number;
  /** Attempts with a known elapsed time. */
  readonly measured: number;
  readonly elapsedSeconds: number;
  readonly cpuHours: number;
  readonly gpuHours: number;
  /** CPU-hours of attempts that failed (or were cancelled). */
  readonly failedCpuHours: number;
  readonly dollars: number | null;
}

export interface CostSummary {
  readonly cycles: readonly CycleCost[];
  readonly total: CycleCost;
  readonly notes: readonly string[];
}

export function costOf(manifest: Manifest, template: TemplateResources, prices: Prices): CostSummary {
  const cpus = template.cpus ?? 1;
  const gpus = template.gpus ?? 0;
  const byCycle = new Map<
    number,
    { attempts: number; measured: number; seconds: number; failedSeconds: number }
  >();
  for (const c of manifest.conditions) {
    for (const a of c.attempts) {
      if (a.phase !== 'submitted') continue;
      const row = byCycle.get(a.cycle) ?? { attempts: 0, measured: 0, seconds: 0, failedSeconds: 0 };
      row.attempts++;
      const elapsed = a.used?.elapsedSeconds ?? elapsedFromTimes(a.startedAt, a.endedAt);
      if (elapsed !== null) {
        row.measured++;
        row.seconds += elapsed;
        if (a.state !== 'COMPLETED') row.failedSeconds += elapsed;
      }
      byCycle.set(a.cycle, row);
    }
  }
  const price = (cpuHours: number, gpuHours: number): number | null => {
    if (prices.cpuHour === null && (prices.gpuHour === null || gpuHours === 0)) return null;
    return cpuHours * (prices.cpuHour ?? 0) + gpuHours * (prices.gpuHour ?? 0);
  };
  const toCost = (
    cycle: number,
    r: { attempts: number; measured: number; seconds: number; failedSeconds: number },
  ): CycleCost => {
    const cpuHours = (r.seconds * cpus) / 3600;
    const gpuHours = (r.seconds * gpus) / 3600;
    return {
      cycle,
      attempts: r.attempts,
      measured: r.measured,
      elapsedSeconds: r.seconds,
      cpuHours,
      gpuHours,
      failedCpuHours: (r.failedSeconds * cpus) / 3600,
      dollars: price(cpuHours, gpuHours),
    };
  };
  const cycles = [...byCycle.entries()].sort((a, b) => a[0] - b[0]).map(([n, r]) => toCost(n, r));
  const sum = [...byCycle.values()].reduce(
    (acc, r) => ({
      attempts: acc.attempts + r.attempts,
      measured: acc.measured + r.measured,
      seconds: acc.seconds + r.seconds,
      failedSeconds: acc.failedSeconds + r.failedSeconds,
    }),
    { attempts: 0, measured: 0, seconds: 0, failedSeconds: 0 },
  );
  const notes: string[] = [];
  if (template.cpus === null) notes.push('The sweep file sets no `cpus`: 1 CPU per job is assumed.');
  if (prices.cpuHour === null && prices.gpuHour === null) {
    notes.push(
      'No price is known: the sweep file has no price field, so dollars are not computed (the CLI takes `--cpu-hour-price` and `--gpu-hour-price`).',
    );
  }
  if (sum.measured < sum.attempts) {
    notes.push(
      `${sum.attempts - sum.measured} attempts have no recorded elapsed time (never started, or still running) and cost nothing here.`,
    );
  }
  return { cycles, total: toCost(-1, sum), notes };
}
