import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/support/results.js';

// `npm run bench -- --quick` end to end, as a user runs it: tiny sizes, no lab. It proves the
// suites still run against the current src/ and that the JSON keeps its shape; the figures
// themselves are BENCHMARKS.md's business, except the one that must hold at any size: a tick
// makes the same number of remote round trips (at most 2) whatever the number of jobs.
const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function quickRun(): Promise<{ results: BenchResults; stdout: string }> {
  const out = join(dir, 'bench.json');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/run.ts', '--quick', '--json', out],
    { timeout: 18_000, maxBuffer: 8 * 1024 * 1024 },
  );
  return { results: JSON.parse(readFileSync(out, 'utf8')) as BenchResults, stdout };
}

describe('npm run bench -- --quick', () => {
  it('runs every suite but the lab, writes the JSON shape, and round trips do not grow with jobs', async () => {
    const { results, stdout } = await quickRun();
    expect(stdout).toContain('targets');
    expect(results).toMatchObject({ schema: 1, mode: 'quick', skipped: { lab: 'quick mode' } });
    const { core, lab, startup, roundTrips, github, manifest, classify } = results.suites;
    expect(lab).toBeNull();
    expect(core?.sizes.map((s) => s.size)).toEqual([100, 1000]);
    for (const s of core?.sizes ?? []) {
      expect(s.result).toMatchObject({ tickMs: expect.any(Number), peakRssBytes: expect.any(Number) });
    }
    expect(startup?.firstLineMs).toBeGreaterThan(0);
    expect(github).toMatchObject({ violations: 0, hourRequests: expect.any(Number) });
    expect(manifest?.attempts).toBe(3 * (manifest?.conditions ?? 0));
    expect(classify).toMatchObject({ lines: 10_000, errors: 0 });

    expect(roundTrips?.transport).toBe('simulated');
    const rows = roundTrips?.rows ?? [];
    expect(rows.map((r) => r.jobs)).toEqual([10, 100, 1000]);
    const trips = rows.map((r) => r.roundTrips);
    expect(new Set(trips).size).toBe(1);
    expect(trips[0]).toBeLessThanOrEqual(2);
    expect(roundTrips?.constant).toBe(true);

    for (const c of results.checks) {
      expect(c).toEqual({
        id: expect.any(String),
        label: expect.any(String),
        value: expect.any(Number),
        limit: expect.any(Number),
        unit: expect.any(String),
        pass: expect.any(Boolean),
      });
    }
    // Every suite ran: a broken one would be listed as `<suite>.failed`.
    expect(results.missed).toEqual(results.checks.filter((c) => !c.pass).map((c) => c.id));
    expect(results.checks.find((c) => c.id === 'roundtrips.max')?.pass).toBe(true);
  }, 20_000);
});
