/**
 * Everything the final report's sections share, computed once from FinalReportData: the final
 * snapshot and verdict, the per-cycle verdicts, the checklist, the cost and the metrics.
 */
import { type Check, checklist } from './final-report-checks.js';
import { type CostSummary, costOf } from './final-report-cost.js';
import { type CycleView, cycleViews } from './final-report-cycles.js';
import type { FinalReportData } from './final-report-model.js';
import { metricNames } from './final-report-results.js';
import { resolveReplicateFactor } from './learning-value.js';
import { manifestToSnapshot } from './manifest-snapshot.js';
import { evaluateSweep, type Outcome } from './outcome.js';
import type { SweepSnapshot } from './snapshot.js';

export interface ReportContext {
  readonly data: FinalReportData;
  readonly snapshot: SweepSnapshot;
  readonly final: Outcome;
  readonly cycles: readonly CycleView[];
  readonly checks: readonly Check[];
  readonly cost: CostSummary;
  readonly metrics: readonly string[];
  readonly replicate: string | null;
  readonly factorsOf: (conditionId: string) => Readonly<Record<string, string>> | undefined;
  /** Every time in the report falls on one day: times are shown as hh:mm:ss. */
  readonly sameDay: boolean;
}

export function reportContext(data: FinalReportData): ReportContext {
  const defaults = { memoryMb: data.template.memoryMb, timeMinutes: data.template.timeMinutes };
  const base = manifestToSnapshot(data.manifest, { now: data.generatedAt, defaults });
  const sameFactors =
    data.factors.length === base.factors.length &&
    data.factors.every((f) => base.factors.some((b) => b.name === f.name));
  const snapshot = sameFactors ? { ...base, factors: data.factors } : base;
  const factors = new Map(snapshot.conditions.map((c) => [c.id, c.factors]));
  const days = new Set(
    [data.manifest.createdAt, data.generatedAt, ...data.manifest.cycles.map((c) => c.at)].map((t) =>
      t.slice(0, 10),
    ),
  );
  return {
    data,
    snapshot,
    final: evaluateSweep(snapshot, data.policy),
    cycles: cycleViews(data.manifest, data.policy, defaults, data.generatedAt),
    checks: checklist(data.manifest, data.policy, data.needsFix),
    cost: costOf(data.manifest, data.template, data.prices),
    metrics: metricNames(data.results),
    replicate: resolveReplicateFactor(snapshot),
    factorsOf: (id) => factors.get(id),
    sameDay: days.size === 1,
  };
}
