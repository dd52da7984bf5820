/**
 * The monitoring timeline of the final report: the key transitions of the sweep, from the
 * manifest (cycles opened, first start, first failure, all terminal, each decision that
 * changed) and, when the report is made by the session that watched, its tick cadence.
 */
import type { SessionEvent } from './final-report-model.js';
import type { Attempt, Manifest } from './manifest-model.js';
import { isTerminal } from './types.js';

export interface TimelineRow {
  readonly at: string;
  readonly what: string;
}

export interface CadenceStats {
  readonly ticks: number;
  readonly minSeconds: number;
  readonly medianSeconds: number;
  readonly maxSeconds: number;
}

/** Rows kept: the decision history is bounded, but a long sweep still has many transitions. */
export const MAX_TIMELINE_ROWS = 40;

const time = (t: string): number => Date.parse(t);
/**
 * The ledger entry (app/ledger.ts) a tick saves as its record's claim before it dispatches a
 * relaunch or a release; later records carry the entry without `claim=`.
 */
const DISPATCH_CLAIM = /\[(?:dispatched|released) cycle=\d+ [^\]]*\bclaim=/;
const failed = (a: Attempt) => a.state !== null && isTerminal(a.state) && a.state !== 'COMPLETED';

function earliest<T>(items: readonly T[], at: (item: T) => string | null): { item: T; at: string } | null {
  let best: { item: T; at: string } | null = null;
  for (const item of items) {
    const t = at(item);
    if (t !== null && (best === null || time(t) < time(best.at))) best = { item, at: t };
  }
  return best;
}

export function timelineRows(m: Manifest): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const attempts = m.conditions.flatMap((c) => c.attempts.map((a) => ({ id: c.id, a })));
  for (const cycle of m.cycles) {
    const mine = attempts.filter((x) => x.a.cycle === cycle.cycle);
    const label = cycle.cycle === 0 ? 'launch' : `relaunch cycle ${cycle.cycle}`;
    rows.push({
      at: cycle.at,
      what: `${label}: ${mine.length} jobs submitted by ${cycle.requestedBy} (${cycle.reason})`,
    });
    const start = earliest(mine, (x) => x.a.startedAt);
    if (start !== null)
      rows.push({ at: start.at, what: `cycle ${cycle.cycle}: first job started (${start.item.id})` });
    const failure = earliest(
      mine.filter((x) => failed(x.a)),
      (x) => x.a.endedAt,
    );
    if (failure !== null) {
      const cause = failure.item.a.classification?.rootCause ?? failure.item.a.state ?? 'unknown';
      rows.push({
        at: failure.at,
        what: `cycle ${cycle.cycle}: first failure, ${cause} (${failure.item.id})`,
      });
    }
    const ends = mine.map((x) => x.a.endedAt);
    if (
      mine.length > 0 &&
      mine.every((x) => x.a.state !== null && isTerminal(x.a.state)) &&
      ends.every((e) => e !== null)
    ) {
      const last = ends.reduce((a, b) => (time(b) > time(a) ? b : a));
      const bad = mine.filter((x) => failed(x.a)).length;
      rows.push({
        at: last,
        what: `cycle ${cycle.cycle}: all ${mine.length} jobs terminal (${mine.length - bad} completed, ${bad} failed)`,
      });
    }
  }
  let previous = '';
  for (const d of m.decisions) {
    // A decision is recorded whenever states change; the timeline keeps the ones that differ,
    // and the record of a tick that sent a dispatch, whose verdict may be the one before.
    const verdict = `${d.decision}|${d.band}|${d.reasonCode}`;
    if (verdict === previous && !DISPATCH_CLAIM.test(d.note ?? '')) continue;
    previous = verdict;
    const note = d.note === null ? '' : `: ${d.note.replace(/\[[^\]]*\]\s*/g, '').slice(0, 160)}`;
    rows.push({
      at: d.at,
      what: `decision ${d.decision} · ${d.band} (${d.reasonCode})${note.trim() === ':' ? '' : note}`,
    });
  }
  rows.sort((a, b) => time(a.at) - time(b.at));
  return rows;
}

export function cadenceOf(session: readonly SessionEvent[]): CadenceStats | null {
  const ticks = session.filter((e) => e.kind === 'tick').map((e) => time(e.at));
  if (ticks.length < 2) return null;
  const gaps = ticks
    .slice(1)
    .map((t, i) => (t - (ticks[i] ?? t)) / 1000)
    .sort((a, b) => a - b);
  return {
    ticks: ticks.length,
    minSeconds: gaps[0] ?? 0,
    medianSeconds: gaps[Math.floor(gaps.length / 2)] ?? 0,
    maxSeconds: gaps.at(-1) ?? 0,
  };
}
