/**
 * The targets of issue 10 and how each is read off the results. A figure that was not measured
 * in this run (quick mode, no lab) has no check: `--check` judges what ran, nothing else.
 */
import type { BenchResults } from './results.js';

export interface Check {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  readonly limit: number;
  readonly unit: string;
  readonly pass: boolean;
}

const check = (id: string, label: string, value: number, limit: number, unit: string): Check => ({
  id,
  label,
  value,
  limit,
  unit,
  // NaN (a figure that could not be computed) is a miss, never a pass.
  pass: value <= limit,
});

/** Growth of the marginal cost per unit between the two steps of a 3-point series (1: linear). */
export function marginalGrowth(points: readonly { x: number; y: number }[]): number {
  const [a, b, c] = [...points].sort((p, q) => p.x - q.x);
  if (a === undefined || b === undefined || c === undefined || b.x === a.x || c.x === b.x) return Number.NaN;
  return (c.y - b.y) / (c.x - b.x) / ((b.y - a.y) / (b.x - a.x));
}

export function checksOf(r: BenchResults): Check[] {
  const out: Check[] = [];
  const { core, lab, startup, roundTrips, github, classify } = r.suites;
  if (core) {
    const big = core.sizes.find((s) => s.size === 100_000);
    if (big) {
      out.push(
        check('core.time.100k', 'core: tick at 100,000 jobs', big.result?.tickMs ?? Number.NaN, 2000, 'ms'),
      );
      const rss = big.result?.peakRssBytes ?? Number.NaN;
      // In MB, as the issue sets it (400 MiB would allow 5 % more).
      out.push(check('core.rss.100k', 'core: peak RSS at 100,000 jobs', rss / 1e6, 400, 'MB'));
    }
    if (core.sizes.length >= 2)
      out.push(
        check(
          'core.scaling',
          'core: time ratio, largest / next (×10 jobs)',
          core.scaling ?? Number.NaN,
          11,
          '×',
        ),
      );
  }
  if (lab)
    out.push(
      check('lab.ratio', 'lab: full tick / floor (median of pairs)', lab.firstTick.medianRatio, 1.3, '×'),
    );
  if (startup)
    out.push(
      check('startup.first-line', 'dist/index.js start-up to first line', startup.firstLineMs, 300, 'ms'),
    );
  if (roundTrips) {
    out.push(
      check(
        'roundtrips.max',
        `round trips per tick (${roundTrips.transport})`,
        roundTrips.maxRoundTrips,
        2,
        '',
      ),
    );
    out.push(
      check('roundtrips.constant', 'round trips differ between sizes', roundTrips.constant ? 0 : 1, 0, ''),
    );
    const status = roundTrips.rows.map((row) => ({
      x: row.observed,
      y: row.statusBytesIn + row.statusBytesOut,
    }));
    out.push(
      check('bytes.status.linear', 'status bytes: marginal growth per job', marginalGrowth(status), 1.5, '×'),
    );
    const tails = roundTrips.rows.map((row) => ({
      x: row.newlyFailed,
      y: row.tailBytesIn + row.tailBytesOut,
    }));
    out.push(
      check(
        'bytes.tails.linear',
        'log-tail bytes: marginal growth per new failure',
        marginalGrowth(tails),
        1.5,
        '×',
      ),
    );
  }
  if (github) {
    out.push(check('github.unchanged', 'GitHub requests, unchanged tick', github.unchangedMax, 3, 'req'));
    out.push(
      check('github.changed', 'GitHub requests over 3 + issues touched', github.changedExcessMax, 0, 'req'),
    );
    out.push(
      check(
        'github.hour',
        `5-min cron, ${github.conditions} conditions: share of 1,000 req/h`,
        github.hourBudgetShare * 100,
        20,
        '%',
      ),
    );
    out.push(check('github.violations', 'requests GitHub would refuse (OpenAPI)', github.violations, 0, ''));
  }
  if (classify) {
    const seconds = (classify.seconds * 100_000) / classify.lines;
    const label =
      classify.lines === 100_000 ? 'classify: 100,000 lines' : 'classify: 100,000 lines (extrapolated)';
    out.push(check('classify.100k', label, seconds, 5, 's'));
    out.push(check('classify.errors', 'classify: error lines', classify.errors, 0, ''));
  }
  return out;
}
