/**
 * Suite 1: core throughput. Each size is written as a fixture by this process and ticked in a
 * child of its own (core-child.ts), so each figure has its own heap and peak RSS. The child runs
 * as the Action does: bundled by ncc, on plain node (see bundleScript).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixture } from '../sim/fixture.js';
import { BENCH_DIR, bundleScript, lastJsonLine, runNode } from '../support/child.js';
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
  const build = mkdtempSync(join(tmpdir(), 'sweepwatch-bench-core-'));
  try {
    const child = bundleScript(join(BENCH_DIR, 'suites/core-child.ts'), build);
    for (const size of sizes) out.push(await runSize(child, size, timeoutMs));
  } catch (error) {
    // The bundle failed: every size is a miss, with the reason.
    const why = error instanceof Error ? error.message : String(error);
    for (const size of sizes) out.push({ size, result: null, error: `bundling core-child.ts: ${why}` });
  } finally {
    rmSync(build, { recursive: true, force: true });
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

async function runSize(child: string, size: number, timeoutMs: number): Promise<CoreSize> {
  const dir = mkdtempSync(join(tmpdir(), `sweepwatch-bench-${size}-`));
  try {
    writeFixture(size, dir);
    const run = await runNode([child, dir], timeoutMs);
    return { size, result: lastJsonLine<CoreChildResult>(run, `core at ${size} jobs`) };
  } catch (error) {
    return { size, result: null, error: error instanceof Error ? error.message : String(error) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
