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
import { recordDecision } from '../core/manifest-transitions.js';
import { clipText, code, escapeInline } from '../core/report-escape.js';
import { currentConditions } from '../core/snapshot.js';
import type { Clock } from '../ports/clock.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import { filterText, fitComment } from './command-handlers-markdown.js';
import { nothingToRelaunch, type Planned, planFor, planLines } from './command-handlers-plan.js';
import type { RelaunchOptions, RelaunchReply } from './comment.js';
import { manifestMissing } from './errors.js';
import { ledgerRecord, readLedger, stillPending } from './ledger.js';
import { serializePayload } from './relaunch-payload.js';
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
  const run = await deps.dispatcher.dispatch(relaunchWorkflow.workflowFile, relaunchWorkflow.ref, {
    payload,
  });
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
