/**
 * A Transport decorator that attributes the wrapped transport's own counters (stats(): execs,
 * bytes in and out) to each remote script by name (`sweepwatch-observe`, `sweepwatch-log-tails`),
 * so a tick's bytes split into status and log tails.
 */
import type { ExecOptions, ExecResult, Transport, TransportStats } from '../../src/ports/transport.js';

export interface CallStats {
  readonly calls: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Wall time inside exec (remote work and transfer), ms. */
  readonly ms: number;
}

/** When a script's calls ran, performance.now() ms: the first one's start, the last one's end. */
export interface CallSpan {
  readonly startedAt: number;
  readonly endedAt: number;
}

export class CountingTransport implements Transport {
  readonly byScript = new Map<string, CallStats>();
  readonly spans = new Map<string, CallSpan>();

  constructor(private readonly inner: Transport) {}

  warmUp(): void {
    this.inner.warmUp?.();
  }

  async exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    const before = this.inner.stats();
    const started = performance.now();
    try {
      return await this.inner.exec(argv, options);
    } finally {
      const after = this.inner.stats();
      // `sh -c <script> <name> …`: the name is $0; a plain command is named by itself.
      const name = argv[0] === 'sh' && argv[1] === '-c' ? (argv[3] ?? 'sh') : (argv[0] ?? '');
      const seen = this.byScript.get(name) ?? { calls: 0, bytesIn: 0, bytesOut: 0, ms: 0 };
      this.byScript.set(name, {
        calls: seen.calls + (after.execs - before.execs),
        bytesIn: seen.bytesIn + (after.bytesIn - before.bytesIn),
        bytesOut: seen.bytesOut + (after.bytesOut - before.bytesOut),
        ms: seen.ms + (performance.now() - started),
      });
      this.spans.set(name, {
        startedAt: this.spans.get(name)?.startedAt ?? started,
        endedAt: performance.now(),
      });
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  stats(): TransportStats {
    return this.inner.stats();
  }
}
