/**
 * The relaunch plan of `/sweepwatch relaunch` and its markdown. Computed from the manifest with
 * the core's buildRelaunchPlan, as a person's request: causes the policy ignores are relaunched
 * when the filter names them, and so are failures it leaves to a person (see `named`).
 */
import type { SweepConfig } from '../config/sweep-config.js';
import { countStates } from '../core/aggregate.js';
import type { CommandFilter } from '../core/commands.js';
import type { Manifest } from '../core/manifest.js';
import { manifestToSnapshot } from '../core/manifest-snapshot.js';
import {
  buildRelaunchPlan,
  type IssueReason,
  matchesFilter,
  type PlanEntry,
  type RelaunchItem,
  type RelaunchPlan,
  type SkipReason,
} from '../core/relaunch-plan.js';
import { code } from '../core/report-escape.js';
import {
  type AttemptResources,
  currentConditions,
  latestAttempt,
  type SweepSnapshot,
} from '../core/snapshot.js';
import { quotedFilter, section } from './command-handlers-markdown.js';
import { NEEDS_FIX, systemicCauses } from './relaunch-select.js';

export interface Planned {
  readonly plan: RelaunchPlan;
  /**
   * Failures the policy leaves to a person (a deterministic cause, a repeated signature) that the
   * person named with a root-cause or factor filter: the relaunch run reruns them as they were.
   * `all` names nothing, so a fix-needing failure never reruns as a side effect of a broad relaunch.
   */
  readonly named: readonly (PlanEntry & { readonly reason: IssueReason })[];
  /** Every condition id the payload lists. */
  readonly conditions: readonly string[];
  readonly snapshot: SweepSnapshot;
}

const RERUN_ON_REQUEST: ReadonlySet<IssueReason> = new Set(['deterministic_cause', 'repeated_signature']);

export function planFor(m: Manifest, config: SweepConfig, now: string, filter: CommandFilter): Planned {
  const snapshot = manifestToSnapshot(m, { now, defaults: config.template.resources });
  const plan = buildRelaunchPlan(snapshot, config.policy, {
    filter,
    systemicCauses: systemicCauses(snapshot, config.policy),
    requestedBy: 'person',
  });
  const named = filter.kind === 'all' ? [] : plan.issues.filter((i) => RERUN_ON_REQUEST.has(i.reason));
  const conditions = [...plan.relaunch, ...plan.deferred, ...named].map((i) => i.conditionId);
  return { plan, named, conditions, snapshot };
}

const ISSUE_WHY: Readonly<Record<IssueReason, string>> = {
  deterministic_cause:
    'needs a fix first, so it goes to an issue; name it in a filter to rerun it after the fix',
  repeated_signature: 'failed twice the same way, so it goes to an issue; name it in a filter to rerun it',
  escalation_impossible: 'already at the escalation cap (`policy.escalation`)',
  relaunch_budget_exhausted: 'the relaunch budget is used (rule F4)',
};

/** Why a named failure would otherwise have gone to an issue. */
const NAMED_WHY: Partial<Record<IssueReason, string>> = {
  deterministic_cause: 'a cause the policy leaves to a person',
  repeated_signature: 'failed twice the same way',
};

const SKIP_WHY: Readonly<Record<SkipReason, string>> = {
  not_auto_relaunched: 'the policy does not relaunch this cause; name it in a filter to relaunch it',
  not_failed: 'has not failed',
};

function entry(e: PlanEntry, why: string): string {
  return `${code(e.conditionId)}: ${code(e.rootCause)}, ${why}`;
}

function resourcesChange(before: AttemptResources | undefined, item: RelaunchItem): string {
  if (!item.escalated) return 'same resources';
  const after = item.resources;
  const parts: string[] = [];
  if (after.memoryMb !== before?.memoryMb)
    parts.push(`memory ${before?.memoryMb ?? '?'} MB → ${after.memoryMb ?? '?'} MB`);
  if (after.timeMinutes !== before?.timeMinutes)
    parts.push(`time ${before?.timeMinutes ?? '?'} min → ${after.timeMinutes ?? '?'} min`);
  return parts.length > 0 ? `escalated: ${parts.join(', ')}` : 'same resources';
}

/** The plan as sections: which conditions, with which resources, and why the others are not. */
export function planLines(planned: Planned, force: boolean): string[] {
  const { plan, named, snapshot } = planned;
  const previous = new Map(snapshot.conditions.map((c) => [c.id, latestAttempt(c)?.resources]));
  const item = (i: RelaunchItem, extra = '') =>
    `${code(i.conditionId)}: ${code(i.rootCause)}, ${resourcesChange(previous.get(i.conditionId), i)}${extra}`;
  const namedIds = new Set(named.map((i) => i.conditionId));
  const f3 = (i: PlanEntry) =>
    NEEDS_FIX.has(i.rootCause)
      ? force
        ? '; F3 overridden by `--force`'
        : '; refused by the relaunch run if it runs the digest that failed, unless `--force` (rule F3)'
      : '';
  return [
    ...section(
      'Relaunched',
      plan.relaunch.map((i) => item(i, i.canary ? ' (canary: goes first for its root cause)' : '')),
    ),
    ...section(
      'Held behind a canary',
      plan.deferred.map((i) => item(i, '; relaunched once the canary of its root cause succeeds')),
    ),
    ...section(
      'Rerun as they were, because you named them',
      named.map((i) => entry(i, `${NAMED_WHY[i.reason] ?? ISSUE_WHY[i.reason]}${f3(i)}`)),
    ),
    ...section('Not relaunched', [
      ...plan.issues.filter((i) => !namedIds.has(i.conditionId)).map((i) => entry(i, ISSUE_WHY[i.reason])),
      ...plan.skipped.map((i) => entry(i, SKIP_WHY[i.reason])),
    ]),
  ];
}

export function nothingToRelaunch(planned: Planned, filter: CommandFilter): string[] {
  const matching = currentConditions(planned.snapshot).filter((c) => matchesFilter(c.condition, filter));
  const failed = planned.plan.issues.length + planned.plan.skipped.length;
  const which = filter.kind === 'all' ? 'the sweep' : filter.kind === 'root_cause' ? 'root cause' : 'filter';
  const subject = filter.kind === 'all' ? which : `${which} ${quotedFilter(filter)}`;
  if (failed > 0) {
    return [
      `**Nothing to relaunch** for ${subject}: the policy relaunches none of its ${failed} failed conditions.`,
      ...planLines(planned, false),
    ];
  }
  if (filter.kind === 'root_cause') {
    return [
      `**Nothing to relaunch:** no condition has currently failed with root cause ${quotedFilter(filter)}.`,
    ];
  }
  const c = countStates(matching);
  const states = [
    [c.live, 'pending or running'],
    [c.succeeded, 'succeeded'],
    [c.revoked, 'revoked'],
  ] as const;
  const stateText = states
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(', ');
  return [
    matching.length === 0
      ? `**Nothing to relaunch:** no condition matches ${quotedFilter(filter)}.`
      : `**Nothing to relaunch** for ${subject}: none of its ${matching.length} conditions has failed (${stateText}).`,
  ];
}
