/**
 * `/sweepwatch relaunch [filter] [--dry-run] [--force]`. The plan is computed from the manifest
 * as the last tick left it, without observing: a job the manifest still records as live blocks
 * the relaunch (F1) until a tick sees it end, so a stale picture can delay a relaunch but never
 * start one too early. A dry run shows the plan; otherwise the relaunch workflow is dispatched
 * once, with the person as `requested_by`, and the dispatch goes into the ledger exactly as a
 * tick's does, so no tick dispatches the same cycle again while it is pending.
 */
import type { SweepConfig } from '../config/sweep-config.js';
import { countStates } from '../core/aggregate.js';
import type { CommandFilter } from '../core/commands.js';
import type { Manifest } from '../core/manifest.js';
import { manifestToSnapshot } from '../core/manifest-snapshot.js';
import { recordDecision } from '../core/manifest-transitions.js';
import {
  buildRelaunchPlan,
  type IssueReason,
  matchesFilter,
  type PlanEntry,
  type RelaunchItem,
  type RelaunchPlan,
  type SkipReason,
} from '../core/relaunch-plan.js';
import { clipText, code, escapeInline } from '../core/report-escape.js';
import {
  type AttemptResources,
  currentConditions,
  latestAttempt,
  type SweepSnapshot,
} from '../core/snapshot.js';
import type { Clock } from '../ports/clock.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import { filterText, fitComment, quotedFilter, section } from './command-handlers-markdown.js';
import type { RelaunchOptions, RelaunchReply } from './comment.js';
import { manifestMissing } from './errors.js';
import { ledgerRecord, readLedger, stillPending } from './ledger.js';
import { serializePayload } from './relaunch-payload.js';
import { NEEDS_FIX, systemicCauses } from './relaunch-select.js';
import type { RelaunchWorkflow } from './tick-dispatch.js';

export interface RelaunchCommandDeps {
  readonly store: StateStore;
  readonly dispatcher: WorkflowDispatcher;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly saveOptions?: SaveWithRetryOptions;
}

export interface RelaunchCommandInput {
  readonly config: SweepConfig;
  readonly relaunchWorkflow: RelaunchWorkflow | null;
  /** How long a dispatch is waited for before another may be sent (the tick's patience). */
  readonly dispatchPatienceSeconds: number;
}

interface Planned {
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

function planFor(m: Manifest, config: SweepConfig, now: string, filter: CommandFilter): Planned {
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

export async function relaunchCommand(
  deps: RelaunchCommandDeps,
  input: RelaunchCommandInput,
  m: Manifest,
  filter: CommandFilter,
  options: RelaunchOptions,
): Promise<RelaunchReply> {
  const { config, relaunchWorkflow } = input;
  const now = deps.clock.now().toISOString();
  const planned = planFor(m, config, now, filter);
  const { plan } = planned;
  const heading = `## sweepwatch relaunch · ${escapeInline(config.experiment)} · cycle ${plan.cycle}`;
  const reply = (lines: readonly string[]): RelaunchReply => ({ markdown: fitComment(lines.join('\n')) });

  if (plan.refused === 'waiting_for_terminal') {
    const live = countStates(currentConditions(planned.snapshot)).live;
    const asOf = m.observedAt === null ? '' : ` as of the last observation (${m.observedAt})`;
    return reply([
      heading,
      '',
      `**Not relaunched:** ${live} ${live === 1 ? 'job is' : 'jobs are'} still pending, running or being submitted${asOf}. Nothing is relaunched until every job has ended (rule F1): the outcome of the batch is not known yet. Ask again once they have ended, or cancel them with \`/sweepwatch cancel\`.`,
    ]);
  }
  if (plan.refused === 'relaunch_budget_exhausted') {
    const max = config.policy.maxRelaunchCycles;
    return reply([
      heading,
      '',
      `**Not relaunched:** all ${max} relaunch cycles of this sweep are used (rule F4, \`max_relaunch_cycles\`). The remaining failures need a person: see the root-cause issues.`,
    ]);
  }
  if (planned.conditions.length === 0) return reply([heading, '', ...nothingToRelaunch(planned, filter)]);

  const pendingAt = readLedger(m).dispatched.get(plan.cycle);
  const pending = stillPending(pendingAt, now, input.dispatchPatienceSeconds)
    ? `relaunch cycle ${plan.cycle} was dispatched at ${pendingAt} and has not run yet; sweepwatch waits ${Math.round(input.dispatchPatienceSeconds / 60)} min for it before dispatching it again`
    : null;
  const body = planLines(planned, options.force);
  const paused = m.paused
    ? [
        '',
        '_sweepwatch is paused for this sweep: ticks take no action, but a relaunch a person asks for runs._',
      ]
    : [];
  if (options.dryRun) {
    const caveat = pending === null ? [] : ['', `> Note: ${pending}, so a relaunch now would be refused.`];
    return reply([
      `${heading} (dry run)`,
      '',
      `**Dry run: nothing dispatched.** Without \`--dry-run\`, ${code(`/sweepwatch relaunch ${filterText(filter)}`)} would dispatch the relaunch workflow for ${planned.conditions.length} conditions:`,
      ...body,
      ...caveat,
      ...paused,
    ]);
  }
  if (relaunchWorkflow === null) {
    return reply([
      heading,
      '',
      '**Not relaunched:** relaunches run from the relaunch workflow, and none is configured here. Comment `/sweepwatch relaunch` on an issue of the repository, or dispatch the relaunch workflow; `--dry-run` shows the plan from anywhere.',
    ]);
  }
  if (pending !== null) return reply([heading, '', `**Not dispatched again:** ${pending}.`]);

  const payload = serializePayload({
    experiment: config.experiment,
    conditions: [...planned.conditions],
    cycle: plan.cycle,
    reason: clipText(`/sweepwatch relaunch ${filterText(filter)}`, 300),
    requested_by: clipText(options.requestedBy, 100),
    force: options.force,
  });
  // A failed dispatch throws to the comment handler, which reports it; nothing is recorded,
  // so the next tick (or command) may dispatch again.
  const run = await relaunchDispatch(deps, relaunchWorkflow, payload);
  const recorded = await recordDispatch(deps, config.experiment, now, plan.cycle, planned, options);
  const forced = options.force ? ', with `--force` (rule F3 overridden)' : '';
  return {
    ...reply([
      heading,
      '',
      `**Dispatched** the relaunch workflow for ${planned.conditions.length} conditions, requested by ${escapeInline(options.requestedBy)}${forced}. The relaunch run submits them and reports in its job summary.`,
      ...body,
      ...paused,
      ...recorded,
    ]),
    // The browser link: runUrl is the REST API's address of the run.
    runUrl: run.htmlUrl,
  };
}

function relaunchDispatch(deps: RelaunchCommandDeps, workflow: RelaunchWorkflow, payload: string) {
  return deps.dispatcher.dispatch(workflow.workflowFile, workflow.ref, { payload });
}

/** The ledger entry a tick would write; a failure to save is said, not thrown (it did dispatch). */
async function recordDispatch(
  deps: RelaunchCommandDeps,
  experiment: string,
  now: string,
  cycle: number,
  planned: Planned,
  options: RelaunchOptions,
): Promise<string[]> {
  const text = `relaunch cycle ${cycle} of ${planned.conditions.length} conditions dispatched at the request of ${options.requestedBy}${options.force ? ' (force)' : ''}`;
  try {
    await saveWithRetry(
      deps.store,
      (current) => {
        if (current === null) throw manifestMissing(experiment);
        const entry = { kind: 'dispatched', cycle, at: now } as const;
        return recordDecision(current, ledgerRecord(current, now, 'relaunch_requested', [entry], text));
      },
      deps.saveOptions,
    );
    return [];
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    (deps.logger ?? silentLogger).warning(`relaunch dispatched but not recorded: ${why}`);
    return [
      '',
      `> ⚠️ The dispatch could not be recorded in the manifest (${escapeInline(clipText(why, 300))}): a tick may dispatch this cycle again.`,
    ];
  }
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
function planLines(planned: Planned, force: boolean): string[] {
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

function nothingToRelaunch(planned: Planned, filter: CommandFilter): string[] {
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
