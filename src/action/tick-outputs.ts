import type { TickResult } from '../app/tick.js';
import type { OutputFields } from './outputs.js';

/** One row of the `root-causes` output: every failure group of a root cause, merged. */
export interface RootCauseRow {
  readonly id: string;
  readonly count: number;
  readonly share: number;
  readonly conditions: readonly string[];
}

export function rootCauseRows(result: Pick<TickResult, 'groups'>): RootCauseRow[] {
  const rows = new Map<string, { count: number; share: number; conditions: Set<string> }>();
  for (const group of result.groups) {
    const row = rows.get(group.rootCause) ?? { count: 0, share: 0, conditions: new Set<string>() };
    row.count += group.count;
    row.share += group.share;
    for (const id of group.conditionIds) row.conditions.add(id);
    rows.set(group.rootCause, row);
  }
  return [...rows.entries()]
    .map(([id, r]) => ({
      id,
      count: r.count,
      share: Math.round(r.share * 10_000) / 10_000,
      conditions: [...r.conditions].sort(),
    }))
    .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
}

/** The Action's outputs for a tick: the band, the decision, and the versioned result JSON. */
export function tickOutputs(result: TickResult, manifestPath: string): OutputFields {
  return {
    health: result.health.band,
    decision: result.decision,
    reasonCode: result.reasonCode,
    counts: result.result.counts,
    rootCauses: rootCauseRows(result),
    failedConditions: result.failedConditions,
    nextPollSeconds: result.nextPollSeconds,
    relaunchCycle: result.relaunchCycle,
    manifestPath,
    details: result.result,
  };
}
