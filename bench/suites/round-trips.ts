/**
 * Suite 3: remote round trips and bytes per tick, counted by the transport's own stats(). One
 * tick per sweep size through the real SlurmScheduler; the calls are told apart by script, so
 * the bytes split into status (squeue + sacct, linear in the jobs observed) and log tails
 * (linear in the attempts newly failed). The transport is the lab's SSH one, or, in quick mode,
 * the simulated cluster. Cancels the tick decides on are recorded, not sent (lib/ports.ts).
 */
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { liveJobIds } from '../../src/app/job-request.js';
import { tick } from '../../src/app/tick.js';
import type { SweepConfig } from '../../src/config/sweep-config.js';
import type { Manifest } from '../../src/core/manifest.js';
import type { Transport } from '../../src/ports/transport.js';
import { CountingTransport } from '../support/counting-transport.js';
import { objectStore, observingOnly, quietPorts } from '../support/ports.js';

export interface RoundTripRow {
  readonly jobs: number;
  readonly observed: number;
  readonly newlyFailed: number;
  readonly roundTrips: number;
  readonly connections: number;
  /** Jobs the tick decided to cancel (not sent: cancelling is acting, not observing). */
  readonly cancelRequests: number;
  readonly statusBytesIn: number;
  readonly statusBytesOut: number;
  readonly tailBytesIn: number;
  readonly tailBytesOut: number;
  readonly statusBytesPerJob: number;
  /** null when nothing failed newly (no tails call). */
  readonly tailBytesPerFailed: number | null;
}

export interface RoundTripResult {
  readonly transport: 'lab' | 'simulated';
  readonly rows: readonly RoundTripRow[];
  /** Round trips are the same at every size. */
  readonly constant: boolean;
  readonly maxRoundTrips: number;
}

export interface TickSetup {
  readonly config: SweepConfig;
  readonly manifest: Manifest;
  readonly transport: Transport;
  readonly now: string;
}

export async function measureRoundTrips(
  kind: RoundTripResult['transport'],
  sizes: readonly number[],
  setup: (size: number) => Promise<TickSetup>,
): Promise<RoundTripResult> {
  const rows: RoundTripRow[] = [];
  for (const size of sizes) {
    const s = await setup(size);
    const transport = new CountingTransport(s.transport);
    const scheduler = observingOnly(new SlurmScheduler({ transport }));
    try {
      const r = await tick(
        { store: objectStore(s.manifest), scheduler, ...quietPorts(s.now) },
        { config: s.config, relaunchWorkflow: null },
      );
      const status = transport.byScript.get('sweepwatch-observe') ?? {
        calls: 0,
        bytesIn: 0,
        bytesOut: 0,
        ms: 0,
      };
      const tails = transport.byScript.get('sweepwatch-log-tails') ?? {
        calls: 0,
        bytesIn: 0,
        bytesOut: 0,
        ms: 0,
      };
      const stats = transport.stats();
      const observed = liveJobIds(s.manifest).length;
      rows.push({
        jobs: size,
        observed,
        newlyFailed: r.newlyFailed.length,
        roundTrips: stats.execs,
        connections: stats.connections,
        cancelRequests: scheduler.cancelRequests.length,
        statusBytesIn: status.bytesIn,
        statusBytesOut: status.bytesOut,
        tailBytesIn: tails.bytesIn,
        tailBytesOut: tails.bytesOut,
        statusBytesPerJob: (status.bytesIn + status.bytesOut) / Math.max(1, observed),
        tailBytesPerFailed:
          r.newlyFailed.length === 0 ? null : (tails.bytesIn + tails.bytesOut) / r.newlyFailed.length,
      });
    } finally {
      await transport.close();
    }
  }
  const trips = rows.map((r) => r.roundTrips);
  return {
    transport: kind,
    rows,
    constant: trips.every((t) => t === trips[0]),
    maxRoundTrips: Math.max(...trips),
  };
}
