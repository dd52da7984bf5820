import type { Aggregation, FailureGroup } from './aggregate.js';
import { aggregateFailures, failuresByCause } from './aggregate.js';
import type { LearningValue } from './learning-value.js';
import { cellKeyer, projectLearningValue, resolveReplicateFactor } from './learning-value.js';
import type { Policy } from './policy.js';
import type { CurrentCondition, SweepSnapshot } from './snapshot.js';
import {
  currentConditions,
  elapsedSeconds,
  hasInvalidOutputs,
  matchesFactors,
  NOT_CONFIG_BOUND,
  nowMs,
  sharedFactors,
} from './snapshot.js';
import type { HealthBand, RootCause } from './types.js';

/**
 * The batch's health band and the hard stops. Shares are over terminal jobs that ran to their
 * own end (see StateCounts.terminal); cancelled jobs are shown but never counted as failures.
 * Hard stops are evidence strong enough to act on while jobs still run (rule F1's exception).
 */

export type HardStopCode = 'hard_stop_config' | 'hard_stop_outputs' | 'hard_stop_crash_pattern';
export type HealthReasonCode =
  | HardStopCode
  | 'no_terminal_jobs'
  | 'all_healthy'
  | 'failures_within_band'
  | 'degraded_failure_share'
  | 'degraded_outputs'
  | 'learning_signal_lost'
  | 'systemic_root_cause';

export interface HardStop {
  readonly reasonCode: HardStopCode;
  readonly reason: string;
  readonly rootCause?: RootCause;
  readonly signature?: string;
  readonly conditionIds: readonly string[];
  /** Live, observed jobs that have not yet passed the point where the others failed. */
  readonly cancelJobIds: readonly string[];
}

export interface Health {
  readonly band: HealthBand;
  readonly reasonCode: HealthReasonCode;
  readonly reason: string;
  readonly failed: number;
  readonly terminal: number;
  readonly cancelled: number;
  readonly failureShare: number;
  readonly topCause?: { readonly rootCause: RootCause; readonly count: number; readonly share: number };
  readonly hardStops: readonly HardStop[];
  readonly learning: LearningValue;
}

/** Thresholds the Policy does not carry (yet); defaults are conservative. */
export interface HealthOptions {
  /** Share of checked outputs that are missing/empty/non-finite that stops the batch. Default 0.5. */
  readonly outputsShare?: number;
  /** Two failures are "at the same elapsed time" within max(seconds, relative × time). */
  readonly crashTolerance?: { readonly seconds: number; readonly relative: number };
  readonly replicateFactor?: string;
}

const CONFIG_CAUSES: ReadonlySet<RootCause> = new Set<RootCause>(['config_error', 'env_import']);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export function assessHealth(
  snapshot: SweepSnapshot,
  policy: Policy,
  options: HealthOptions = {},
  aggregation: Aggregation = aggregateFailures(snapshot, policy),
): Health {
  const { counts, groups } = aggregation;
  const learning = projectLearningValue(
    snapshot,
    policy,
    options.replicateFactor !== undefined ? { replicateFactor: options.replicateFactor } : {},
  );
  const hardStops = findHardStops(snapshot, policy, groups, options);
  const failureShare = counts.terminal > 0 ? counts.failed / counts.terminal : 0;
  const [top] = failuresByCause(groups);
  const topCause =
    top !== undefined && counts.terminal > 0
      ? { rootCause: top[0], count: top[1], share: top[1] / counts.terminal }
      : undefined;
  const base = {
    failed: counts.failed,
    terminal: counts.terminal,
    cancelled: counts.cancelled,
    failureShare,
    ...(topCause !== undefined ? { topCause } : {}),
    hardStops,
    learning,
  };
  const tally = `${counts.failed} of ${counts.terminal} terminal jobs failed (${pct(failureShare)})${
    counts.cancelled > 0 ? `; ${counts.cancelled} cancelled, not counted` : ''
  }`;
  const [stop] = hardStops;
  if (stop !== undefined)
    return { ...base, band: 'systemic', reasonCode: stop.reasonCode, reason: stop.reason };
  if (counts.terminal === 0) {
    return { ...base, band: 'healthy', reasonCode: 'no_terminal_jobs', reason: 'no job has finished yet' };
  }
  if (topCause !== undefined && topCause.share >= policy.bands.intervene) {
    const reason = `${topCause.rootCause}: ${topCause.count} of ${counts.terminal} terminal jobs (${pct(topCause.share)} ≥ ${pct(policy.bands.intervene)}); ${tally}`;
    return { ...base, band: 'systemic', reasonCode: 'systemic_root_cause', reason };
  }
  if (failureShare > policy.bands.watch) {
    const reason = `${tally}, above the ${pct(policy.bands.watch)} watch band`;
    return { ...base, band: 'degraded', reasonCode: 'degraded_failure_share', reason };
  }
  if (counts.invalidOutputs > 0) {
    const reason = `${counts.invalidOutputs} completed jobs have missing, empty or non-finite outputs; ${tally}`;
    return { ...base, band: 'degraded', reasonCode: 'degraded_outputs', reason };
  }
  if (!learning.intact) {
    const reason = `${learning.lost} of ${learning.cells} cells lost every replicate (${learning.lostCells.slice(0, 3).join('; ')}); ${tally}`;
    return { ...base, band: 'degraded', reasonCode: 'learning_signal_lost', reason };
  }
  const reasonCode = counts.failed === 0 ? 'all_healthy' : 'failures_within_band';
  return { ...base, band: 'healthy', reasonCode, reason: tally };
}

/** Hard stops in priority order: config, crash pattern, outputs. */
export function findHardStops(
  snapshot: SweepSnapshot,
  policy: Policy,
  groups: readonly FailureGroup[],
  options: HealthOptions = {},
): HardStop[] {
  const ctx = stopContext(snapshot, groups, options);
  return [
    ...configStops(ctx, policy, groups),
    ...crashPatternStops(ctx, policy, groups),
    ...outputsStops(ctx, policy, options.outputsShare ?? 0.5),
  ];
}

interface StopContext {
  readonly current: readonly CurrentCondition[];
  /** The failure groups' members by condition id (membersOf). */
  readonly byId: ReadonlyMap<string, CurrentCondition>;
  readonly elapsed: (c: CurrentCondition) => number | undefined;
  /** Two failures are "at the same time" within this many seconds of `t`. */
  readonly tolerance: (t: number) => number;
  readonly cellOf: (c: CurrentCondition) => number | string;
  /** Jobs that will meet the same fate: observed, live, in `scope`, not yet past `point` seconds. */
  readonly doomed: (point: number, scope?: Readonly<Record<string, string>>) => string[];
}

function stopContext(
  snapshot: SweepSnapshot,
  groups: readonly FailureGroup[],
  options: HealthOptions,
): StopContext {
  const current = currentConditions(snapshot);
  // Only the groups' members are looked up: a map of every condition was a ~4 MB hash table
  // per tick at 100,000 conditions, for the few thousand that failed.
  const members = new Set<string>();
  for (const g of groups) for (const id of g.conditionIds) members.add(id);
  const byId = new Map<string, CurrentCondition>();
  for (const c of current) if (members.has(c.condition.id)) byId.set(c.condition.id, c);
  const now = nowMs(snapshot);
  const tol = options.crashTolerance ?? { seconds: 60, relative: 0.1 };
  const replicate = resolveReplicateFactor(snapshot, options.replicateFactor);
  const cellOf = cellKeyer(snapshot, replicate);
  const elapsed = (c: CurrentCondition): number | undefined => elapsedSeconds(c.attempt, now);
  return {
    current,
    byId,
    elapsed,
    tolerance: (t) => Math.max(tol.seconds, tol.relative * t),
    cellOf: (c) => cellOf(c.condition.factors),
    doomed: (point, scope = {}) =>
      current
        .filter((c) => (c.status === 'pending' || c.status === 'running') && c.attempt.stale !== true)
        .filter((c) => matchesFactors(c.condition.factors, scope) && (elapsed(c) ?? 0) < point)
        .map((c) => c.attempt.jobId),
  };
}

function membersOf(ctx: StopContext, g: FailureGroup): CurrentCondition[] {
  return g.conditionIds.map((id) => ctx.byId.get(id)).filter((c) => c !== undefined);
}

/**
 * The same config_error/env_import signature in configShare of the conditions that have
 * started: counted among started ones so that the bug is caught while most of the sweep still
 * waits in the queue (the queued ones would fail the same way, and are cancelled).
 */
function configStops(ctx: StopContext, policy: Policy, groups: readonly FailureGroup[]): HardStop[] {
  const started = ctx.current.filter(
    (c) => c.status === 'running' || c.status === 'succeeded' || c.status === 'failed',
  ).length;
  const stops: HardStop[] = [];
  for (const g of groups) {
    if (!CONFIG_CAUSES.has(g.rootCause) || g.count < policy.hardStops.minCount) continue;
    const share = g.count / Math.max(1, started);
    if (share < policy.hardStops.configShare) continue;
    const known = membersOf(ctx, g)
      .map(ctx.elapsed)
      .filter((t): t is number => t !== undefined);
    // reduce, not Math.max(...known): a group can hold more members than V8 takes arguments.
    const last = known.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    stops.push({
      reasonCode: 'hard_stop_config',
      reason: `${g.rootCause} "${g.signature}" in ${g.count} of ${started} started conditions (${pct(share)} ≥ ${pct(policy.hardStops.configShare)})`,
      rootCause: g.rootCause,
      signature: g.signature,
      conditionIds: g.conditionIds,
      cancelJobIds: ctx.doomed(known.length > 0 ? last + ctx.tolerance(last) : Number.POSITIVE_INFINITY),
    });
  }
  return stops;
}

/**
 * The same signature at about the same elapsed time in every condition that got that far, in
 * at least two cells of the grid. One cell crashing is the kill switch's business; the hard
 * stop's reach is what the crashed conditions share ({} = the whole batch).
 */
function crashPatternStops(ctx: StopContext, policy: Policy, groups: readonly FailureGroup[]): HardStop[] {
  const stops: HardStop[] = [];
  for (const g of groups) {
    if (NOT_CONFIG_BOUND.has(g.rootCause) || g.signature.startsWith('unclassified:')) continue;
    const members = membersOf(ctx, g);
    const times = members
      .map(ctx.elapsed)
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    if (median === undefined) continue;
    const width = ctx.tolerance(median);
    const crashed = members.filter((c) => Math.abs((ctx.elapsed(c) ?? Number.NaN) - median) <= width);
    if (crashed.length < policy.hardStops.minCount) continue;
    if (new Set(crashed.map(ctx.cellOf)).size < 2) continue;
    const ids = new Set(crashed.map((c) => c.condition.id));
    // One condition that got past the point without this failure breaks the pattern.
    const survivor = ctx.current.some(
      (c) =>
        !ids.has(c.condition.id) &&
        c.status !== 'pending' &&
        c.status !== 'cancelled' &&
        (ctx.elapsed(c) ?? 0) > median + width,
    );
    if (survivor) continue;
    stops.push({
      reasonCode: 'hard_stop_crash_pattern',
      reason: `${g.rootCause} "${g.signature}" at about ${Math.round(median)} s in all ${ids.size} conditions that reached that point`,
      rootCause: g.rootCause,
      signature: g.signature,
      conditionIds: [...ids],
      cancelJobIds: ctx.doomed(median + width, sharedFactors(crashed.map((c) => c.condition.factors))),
    });
  }
  return stops;
}

/** Missing, empty or non-finite outputs in outputsShare of the completed conditions checked. */
function outputsStops(ctx: StopContext, policy: Policy, outputsShare: number): HardStop[] {
  const checked = ctx.current.filter((c) => c.status === 'succeeded' && c.condition.outputs !== undefined);
  const invalid = checked.filter(hasInvalidOutputs);
  if (invalid.length < policy.hardStops.minCount || invalid.length / checked.length < outputsShare) return [];
  return [
    {
      reasonCode: 'hard_stop_outputs',
      reason: `${invalid.length} of ${checked.length} completed conditions have missing, empty or non-finite outputs (≥ ${pct(outputsShare)})`,
      conditionIds: invalid.map((c) => c.condition.id),
      // Outputs are only judged at the end, so every live job is headed the same way.
      cancelJobIds: ctx.doomed(Number.POSITIVE_INFINITY),
    },
  ];
}
