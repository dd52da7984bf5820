/**
 * The factor heat map: one row per factor level, one column per status, so a level where the
 * failures pile up stands out at a glance. Colours: 🟩 succeeded, 🟥 failed, 🟨 live,
 * ⬜ nothing (cancelled jobs are counted, not coloured); the last column rates the level's failure share against the policy's bands.
 */
import { escapeInline } from './report-escape.js';
import type { AttemptStatus, SweepSnapshot } from './snapshot.js';
import { currentConditions } from './snapshot.js';

export interface Bands {
  readonly watch: number;
  readonly intervene: number;
}

interface Tally {
  succeeded: number;
  failed: number;
  live: number;
  cancelled: number;
}

const COLUMN: Readonly<Record<AttemptStatus, keyof Tally>> = {
  pending: 'live',
  running: 'live',
  unknown: 'live',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  revoked: 'cancelled',
};

const cell = (glyph: string, n: number): string => (n > 0 ? `${glyph} ${n}` : '⬜ 0');

function rate(t: Tally, bands: Bands): string {
  const terminal = t.succeeded + t.failed;
  if (terminal === 0) return '⬜ —';
  const share = t.failed / terminal;
  const glyph = share >= bands.intervene ? '🟥' : share > bands.watch ? '🟨' : '🟩';
  return `${glyph} ${(100 * share).toFixed(0)} %`;
}

/** Rows beyond this are cut (with a note): a factor with hundreds of levels is not a heat map. */
const MAX_ROWS = 200;

export function heatMap(snapshot: SweepSnapshot, bands: Bands): string[] {
  const tallies = new Map<string, Tally>();
  const key = (factor: string, level: string) => `${factor}\u0000${level}`;
  // Per factor, a map of its levels: no key string is built per condition and level (a tick
  // summary of 100,000 conditions × 5 factors made half a million of them).
  const byFactor = new Map<string, Map<string, Tally>>();
  for (const c of currentConditions(snapshot)) {
    const column = COLUMN[c.status];
    const factors = c.condition.factors;
    for (const factor in factors) {
      const level = factors[factor];
      if (level === undefined) continue;
      let levels = byFactor.get(factor);
      if (levels === undefined) {
        levels = new Map();
        byFactor.set(factor, levels);
      }
      let t = levels.get(level);
      if (t === undefined) {
        t = { succeeded: 0, failed: 0, live: 0, cancelled: 0 };
        levels.set(level, t);
      }
      t[column]++;
    }
  }
  for (const [factor, levels] of byFactor)
    for (const [level, t] of levels) tallies.set(key(factor, level), t);
  const lines = [
    '| factor | level | succeeded | failed | live | cancelled | failure share |',
    '|---|---|---|---|---|---|---|',
  ];
  let rows = 0;
  let total = 0;
  for (const factor of snapshot.factors) {
    for (const level of factor.levels) {
      total++;
      if (rows >= MAX_ROWS) continue;
      rows++;
      const t = tallies.get(key(factor.name, level)) ?? { succeeded: 0, failed: 0, live: 0, cancelled: 0 };
      const cells = [
        escapeInline(factor.name),
        escapeInline(level),
        cell('🟩', t.succeeded),
        cell('🟥', t.failed),
        cell('🟨', t.live),
        String(t.cancelled),
        rate(t, bands),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  if (total > rows) lines.push('', `… ${total - rows} more levels not shown.`);
  return lines;
}
