import type { Policy } from './policy.js';
import type { AttemptResources, ConditionView, SweepSnapshot } from './snapshot.js';
import {
  attemptStatus,
  currentConditions,
  effectiveCause,
  effectiveSignature,
  isLive,
  latestAttempt,
  matchesFactors,
} from './snapshot.js';
import type { RootCause } from './types.js';
import { isRootCause } from './types.js';

/**
 * Which failed conditions rerun, and with what resources. Transient causes rerun as they were,
 * OOM and timeouts rerun escalated (capped), deterministic causes become issues. Two rules bound
 * it: F1 (nothing is planned while any job is live) and F4 (no cycle beyond the budget).
 */

export type RelaunchFilter =
  | { readonly kind: 'all' }
  | { readonly kind: 'root_cause'; readonly rootCause: RootCause }
  | { readonly kind: 'conditions'; readonly match: Readonly<Record<string, string>> };

export type IssueReason =
  | 'deterministic_cause'
  | 'repeated_signature'
  | 'escalation_impossible'
  | 'relaunch_budget_exhausted';

export type SkipReason = 'not_auto_relaunched' | 'not_failed';

export type RelaunchVerdict =
  | { readonly kind: 'relaunch'; readonly resources: AttemptResources; readonly escalated: boolean }
  | { readonly kind: 'issue'; readonly reason: IssueReason }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

export interface RelaunchItem {
  readonly conditionId: string;
  readonly rootCause: RootCause;
  readonly signature: string;
  readonly previousJobId: string;
  readonly resources: AttemptResources;
  readonly escalated: boolean;
  readonly canary: boolean;
}

export interface PlanEntry {
  readonly conditionId: string;
  readonly rootCause: RootCause;
  readonly signature: string;
}

export interface RelaunchPlan {
  /** Set when nothing may be relaunched now: F1 (`waiting_for_terminal`) or F4 (`relaunch_budget_exhausted`). */
  readonly refused?: 'waiting_for_terminal' | 'relaunch_budget_exhausted';
  /** The cycle the relaunched attempts belong to. */
  readonly cycle: number;
  /** Submit now. */
  readonly relaunch: readonly RelaunchItem[];
  /** Held until the canaries of their root cause succeed. */
  readonly deferred: readonly RelaunchItem[];
  readonly issues: readonly (PlanEntry & { readonly reason: IssueReason })[];
  readonly skipped: readonly (PlanEntry & { readonly reason: SkipReason })[];
}

export interface RelaunchPlanOptions {
  readonly filter?: RelaunchFilter;
  /** Root causes that are systemic now; with policy.canary, only one of each goes first. */
  readonly systemicCauses?: readonly RootCause[];
  /**
   * `person` (a `/sweepwatch relaunch` command): causes the policy ignores (cancelled) are
   * relaunched as they were when the filter names them explicitly. Never under `policy`.
   */
  readonly requestedBy?: 'policy' | 'person';
}

const MEMORY_CAUSES: ReadonlySet<RootCause> = new Set<RootCause>(['gpu_oom', 'host_oom']);

/** What the policy does with one condition's current failure, given the cycles already used. */
export function relaunchVerdict(
  condition: ConditionView,
  policy: Policy,
  cyclesUsed: number,
  explicit = false,
): RelaunchVerdict {
  const attempt = latestAttempt(condition);
  if (attempt === undefined) return { kind: 'skip', reason: 'not_failed' };
  const status = attemptStatus(attempt);
  if (status !== 'failed' && status !== 'cancelled') return { kind: 'skip', reason: 'not_failed' };
  const cause = effectiveCause(attempt);
  const action = policy.actions[cause];
  if (action === 'ignore' && !explicit) return { kind: 'skip', reason: 'not_auto_relaunched' };
  if (action === 'issue') return { kind: 'issue', reason: 'deterministic_cause' };
  if (cyclesUsed >= policy.maxRelaunchCycles) return { kind: 'issue', reason: 'relaunch_budget_exhausted' };
  if (action === 'ignore') return { kind: 'relaunch', resources: attempt.resources ?? {}, escalated: false };
  const signature = effectiveSignature(attempt);
  const sameFailures = condition.attempts.filter(
    (a) =>
      attemptStatus(a) === 'failed' && effectiveCause(a) === cause && effectiveSignature(a) === signature,
  ).length;
  if (sameFailures >= 2) return { kind: 'issue', reason: 'repeated_signature' };
  if (action === 'relaunch')
    return { kind: 'relaunch', resources: attempt.resources ?? {}, escalated: false };
  const resources = escalate(cause, attempt.resources ?? {}, policy);
  return resources === null
    ? { kind: 'issue', reason: 'escalation_impossible' }
    : { kind: 'relaunch', resources, escalated: true };
}

/** Memory for OOMs, time for everything else escalated; null when unknown or already at the cap. */
function escalate(cause: RootCause, base: AttemptResources, policy: Policy): AttemptResources | null {
  const { memoryFactor, maxMemoryMb, timeFactor, maxTimeMinutes } = policy.escalation;
  if (MEMORY_CAUSES.has(cause)) {
    if (base.memoryMb === undefined || base.memoryMb >= maxMemoryMb) return null;
    return { ...base, memoryMb: Math.min(maxMemoryMb, Math.ceil(base.memoryMb * memoryFactor)) };
  }
  if (base.timeMinutes === undefined || base.timeMinutes >= maxTimeMinutes) return null;
  return { ...base, timeMinutes: Math.min(maxTimeMinutes, Math.ceil(base.timeMinutes * timeFactor)) };
}

export function matchesFilter(condition: ConditionView, filter: RelaunchFilter): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'conditions':
      return matchesFactors(condition.factors, filter.match);
    case 'root_cause': {
      const attempt = latestAttempt(condition);
      return attempt !== undefined && effectiveCause(attempt) === filter.rootCause;
    }
  }
}

export function buildRelaunchPlan(
  snapshot: SweepSnapshot,
  policy: Policy,
  options: RelaunchPlanOptions = {},
): RelaunchPlan {
  const filter = options.filter ?? { kind: 'all' };
  const cycle = snapshot.relaunchCycles + 1;
  const current = currentConditions(snapshot);
  const empty = { cycle, relaunch: [], deferred: [], issues: [], skipped: [] };
  // F1: while anything is live, the outcome of the batch is not known yet.
  if (current.some((c) => isLive(c.status))) return { ...empty, refused: 'waiting_for_terminal' };

  const explicit = options.requestedBy === 'person' && filter.kind !== 'all';
  const items: RelaunchItem[] = [];
  const issues: (PlanEntry & { reason: IssueReason })[] = [];
  const skipped: (PlanEntry & { reason: SkipReason })[] = [];
  for (const c of current) {
    if (c.status !== 'failed' && c.status !== 'cancelled') continue;
    if (!matchesFilter(c.condition, filter)) continue;
    const entry: PlanEntry = {
      conditionId: c.condition.id,
      rootCause: effectiveCause(c.attempt),
      signature: effectiveSignature(c.attempt),
    };
    const verdict = relaunchVerdict(c.condition, policy, snapshot.relaunchCycles, explicit);
    if (verdict.kind === 'issue') issues.push({ ...entry, reason: verdict.reason });
    else if (verdict.kind === 'skip') skipped.push({ ...entry, reason: verdict.reason });
    else
      items.push({
        ...entry,
        previousJobId: c.attempt.jobId,
        resources: verdict.resources,
        escalated: verdict.escalated,
        canary: false,
      });
  }
  // F4: past the budget every failure goes to a person, not to another cycle.
  const refused =
    snapshot.relaunchCycles >= policy.maxRelaunchCycles ? 'relaunch_budget_exhausted' : undefined;
  const split = splitCanaries(items, policy.canary ? new Set(options.systemicCauses ?? []) : new Set());
  return { cycle, ...split, issues, skipped, ...(refused !== undefined ? { refused } : {}) };
}

/**
 * For a systemic cause, relaunch one representative first: the condition with the cause's most
 * common signature (lowest id on ties), so a fix is proven on one job before it costs hundreds.
 */
function splitCanaries(
  items: readonly RelaunchItem[],
  systemic: ReadonlySet<RootCause>,
): { relaunch: RelaunchItem[]; deferred: RelaunchItem[] } {
  const relaunch: RelaunchItem[] = [];
  const deferred: RelaunchItem[] = [];
  const canaryIds = new Set<string>();
  for (const cause of systemic) {
    const ofCause = items.filter((i) => i.rootCause === cause);
    const freq = new Map<string, number>();
    for (const i of ofCause) freq.set(i.signature, (freq.get(i.signature) ?? 0) + 1);
    const [representative] = [...ofCause].sort(
      (x, y) =>
        (freq.get(y.signature) ?? 0) - (freq.get(x.signature) ?? 0) ||
        x.conditionId.localeCompare(y.conditionId),
    );
    if (representative !== undefined) canaryIds.add(representative.conditionId);
  }
  for (const item of items) {
    if (canaryIds.has(item.conditionId)) relaunch.push({ ...item, canary: true });
    else if (systemic.has(item.rootCause)) deferred.push(item);
    else relaunch.push(item);
  }
  return { relaunch, deferred };
}

/**
 * Parses the argument of `/sweepwatch relaunch`: empty or `all`, a root-cause id, or a
 * condition filter `model=vit,fold=3` (every named factor must match; unnamed ones are free).
 */
export function parseRelaunchFilter(
  text: string,
  factorNames?: readonly string[],
): { readonly ok: true; readonly filter: RelaunchFilter } | { readonly ok: false; readonly error: string } {
  const arg = text.trim();
  if (arg === '' || arg === 'all') return { ok: true, filter: { kind: 'all' } };
  if (!arg.includes('=')) {
    return isRootCause(arg)
      ? { ok: true, filter: { kind: 'root_cause', rootCause: arg } }
      : { ok: false, error: `unknown root cause or filter: ${arg}` };
  }
  const match: Record<string, string> = {};
  for (const part of arg.split(',')) {
    const [name, level, ...rest] = part.split('=').map((s) => s.trim());
    if (name === undefined || name === '' || level === undefined || level === '' || rest.length > 0) {
      return { ok: false, error: `bad filter term: ${part.trim()} (expected factor=level)` };
    }
    if (factorNames !== undefined && !factorNames.includes(name)) {
      return { ok: false, error: `unknown factor: ${name}` };
    }
    match[name] = level;
  }
  return { ok: true, filter: { kind: 'conditions', match } };
}
