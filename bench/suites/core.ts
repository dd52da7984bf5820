/**
 * Suite 1: core throughput. Each size is written as a fixture by this process and ticked in a
 * child of its own (core-child.ts), so each figure has its own heap and peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixture } from '../sim/fixture.js';
import { BENCH_DIR, lastJsonLine, runTsx } from '../support/child.js';
import type { CoreChildResult } from './core-child.js';

export interface CoreSize {
  readonly size: number;
  /** null: the child did not finish within the time limit. */
  readonly result: CoreChildResult | null;
  readonly error?: string;
}

export interface CoreResult {
  readonly sizes: readonly CoreSize[];
  /** Tick time of the largest size over the next one (×10 jobs: 10 is linear). */
  readonly scaling: number | null;
}

export async function runCore(sizes: readonly number[], timeoutMs: number): Promise<CoreResult> {
  const out: CoreSize[] = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `sweepwatch-bench-${size}-`));
    try {
      writeFixture(size, dir);
      const child = await runTsx(join(BENCH_DIR, 'suites/core-child.ts'), [dir], timeoutMs);
      out.push({ size, result: lastJsonLine<CoreChildResult>(child, `core at ${size} jobs`) });
    } catch (error) {
      out.push({ size, result: null, error: error instanceof Error ? error.message : String(error) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const [big, next] = [...out].sort((a, b) => b.size - a.size);
  const scaling =
    big?.result && next?.result
      ? big.result.tickMs / next.result.tickMs
      : big && !big.result
        ? Number.POSITIVE_INFINITY
        : null;
  return { sizes: out, scaling };
}
