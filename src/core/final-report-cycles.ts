/**
 * The sweep as it stood at the end of each cycle, re-evaluated by the same decision core the
 * ticks ran (the core is pure, so the same facts give the same verdict): the failure
 * distribution, the health band and the plan the report explains. Also each condition's
 * final outcome, for the completion table and the heat map.
 */
import type { ConditionResult } from './final-report-model.js';
import type { CycleRecord, Manifest } from './manifest-model.js';
import { manifestToSnapshot } from './manifest-snapshot.js';
import { evaluateSweep, type Outcome } from './outcome.js';
import type { Policy } from './policy.js';
import { attemptStatus, effectiveCause, latestAttempt, type SweepSnapshot } from './snapshot.js';
import type { HeatCell } from './svg-heatmap.js';
import { isTerminal } from './types.js';

export interface CycleView {
  readonly record: CycleRecord;
  readonly jobs: number;
  /** When its last attempt ended; null while any is live. */
  readonly endedAt: string | null;
  /** The verdict on the sweep as of the end of this cycle. */
  readonly outcome: Outcome;
}

/** The manifest with everything after cycle `n` left out. */
export function asOfCycle(m: Manifest, n: number): Manifest {
  return {
    ...m,
    cycles: m.cycles.filter((c) => c.cycle <= n),
    conditions: m.conditions.map((c) => ({ ...c, attempts: c.attempts.filter((a) => a.cycle <= n) })),
  };
}

export interface Defaults {
  readonly memoryMb: number | null;
  readonly timeMinutes: number | null;
}

export function cycleViews(m: Manifest, policy: Policy, defaults: Defaults, now: string): CycleView[] {
  return m.cycles.map((record) => {
    const attempts = m.conditions.flatMap((c) => c.attempts.filter((a) => a.cycle === record.cycle));
    const done = attempts.every((a) => a.state !== null && isTerminal(a.state) && a.endedAt !== null);
    const ends = attempts.map((a) => a.endedAt).filter((t): t is string => t !== null);
    const endedAt =
      done && ends.length > 0 ? ends.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)) : null;
    const snapshot = manifestToSnapshot(asOfCycle(m, record.cycle), { now: endedAt ?? now, defaults });
    return { record, jobs: attempts.length, endedAt, outcome: evaluateSweep(snapshot, policy) };
  });
}

function shortValue(value: number | null | undefined): string | null {
  if (value === undefined) return null;
  if (value === null) return 'NaN';
  return Math.abs(value) >= 1000 || (Math.abs(value) < 0.001 && value !== 0)
    ? value.toExponential(2)
    : value.toPrecision(3);
}

/** Each condition's final outcome; `metric` (when given) is shown in its cell. */
export function heatCells(
  snapshot: SweepSnapshot,
  results: readonly ConditionResult[],
  metric: string | null,
): HeatCell[] {
  const byId = new Map(results.map((r) => [r.conditionId, r]));
  return snapshot.conditions.map((c) => {
    const last = latestAttempt(c);
    const status = last === undefined ? null : attemptStatus(last);
    const first = c.attempts[0];
    const value = metric === null ? null : shortValue(byId.get(c.id)?.metrics[metric]);
    const shown = value === null || metric === null ? null : `${metric} ${value}`;
    const base = { conditionId: c.id, factors: c.factors, attempts: c.attempts.length, value: shown };
    if (last === undefined || status === null) return { ...base, outcome: 'not_run', cause: null };
    if (status === 'succeeded') {
      const recovered = c.attempts.length > 1 && first !== undefined;
      return recovered
        ? { ...base, outcome: 'recovered', cause: effectiveCause(first) }
        : { ...base, outcome: 'succeeded', cause: null };
    }
    if (status === 'failed') return { ...base, outcome: 'failed', cause: effectiveCause(last) };
    if (status === 'cancelled' || status === 'revoked')
      return { ...base, outcome: 'cancelled', cause: 'cancelled' };
    return { ...base, outcome: 'live', cause: null };
  });
}
