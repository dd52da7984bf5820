/**
 * The slash commands over the use cases: what `/sweepwatch status|relaunch|cancel|pause|resume`
 * does once comment.ts has parsed it and checked the person's permission. Every reply is
 * markdown that escapes what it quotes (levels, logins, scheduler words) and fits a comment.
 *
 * `status` runs a real tick through the dry-run decorators: it observes the cluster (one
 * observe call, log tails only for newly failed jobs; what every tick costs), because a person
 * asking for the status wants the picture now, and the manifest can be a whole poll interval
 * old. It saves nothing, writes no issue, dispatches and cancels nothing.
 */
import type { SweepConfig } from '../config/sweep-config.js';
import type { CommandFilter } from '../core/commands.js';
import type { Manifest } from '../core/manifest.js';
import { recordDecision, setPaused } from '../core/manifest-transitions.js';
import { code, escapeInline } from '../core/report-escape.js';
import type { Clock } from '../ports/clock.js';
import type { IssueFinder } from '../ports/issue-tracker.js';
import type { Logger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import { cancelSweep } from './cancel.js';
import { COMMENT_MAX_CHARS, fitComment, quotedFilter } from './command-handlers-markdown.js';
import { relaunchCommand } from './command-handlers-relaunch.js';
import type { CommandHandlers } from './comment.js';
import { DryRunRecorder, dryRunDispatcher, dryRunIssues, dryRunScheduler, dryRunStore } from './dry-run.js';
import { manifestMissing, UseCaseError } from './errors.js';
import { ledgerRecord } from './ledger.js';
import { type RelaunchWorkflow, tick } from './tick.js';

export interface CommandHandlerDeps {
  readonly store: StateStore;
  readonly scheduler: Pick<Scheduler, 'prepare' | 'cancel' | 'observe' | 'readLogTails'>;
  readonly dispatcher: WorkflowDispatcher;
  /** Looked up only: status's dry tick records the issue writes it would make. */
  readonly issues: IssueFinder;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly saveOptions?: SaveWithRetryOptions;
}

export interface CommandHandlerInput {
  readonly config: SweepConfig;
  /** null (the CLI): relaunch answers that relaunches run from the workflow; a dry run still works. */
  readonly relaunchWorkflow: RelaunchWorkflow | null;
  /** Keep equal to the tick's: how long a dispatch is waited for (default 1 h). */
  readonly dispatchPatienceSeconds?: number;
}

export function createCommandHandlers(deps: CommandHandlerDeps, input: CommandHandlerInput): CommandHandlers {
  const { config } = input;
  return {
    status: () => status(deps, input),
    async relaunch(filter, options) {
      const m = await loadManifest(deps.store, config);
      const relaunchInput = {
        config,
        relaunchWorkflow: input.relaunchWorkflow,
        dispatchPatienceSeconds: input.dispatchPatienceSeconds ?? 3600,
      };
      return relaunchCommand(deps, relaunchInput, m, filter, options);
    },
    cancel: (filter, requestedBy) => cancel(deps, config, filter, requestedBy),
    pause: (requestedBy) => pauseOrResume(deps, config, true, requestedBy),
    resume: (requestedBy) => pauseOrResume(deps, config, false, requestedBy),
  };
}

/** The manifest of this sweep; none, or another sweep's, is an error the reply shows. */
async function loadManifest(store: StateStore, config: SweepConfig): Promise<Manifest> {
  const loaded = await store.load();
  if (loaded === null) throw manifestMissing(config.experiment);
  checkExperiment(loaded.manifest, config);
  return loaded.manifest;
}

function checkExperiment(m: Manifest, config: SweepConfig): void {
  if (m.experiment !== config.experiment) {
    throw new UseCaseError(
      'wrong_experiment',
      `the manifest is of "${m.experiment}", not "${config.experiment}"`,
    );
  }
}

const unavailable = (what: string) => () => Promise.reject(new Error(`status does not ${what}`));

async function status(deps: CommandHandlerDeps, input: CommandHandlerInput): Promise<string> {
  const recorder = new DryRunRecorder();
  const { scheduler } = deps;
  const result = await tick(
    {
      store: dryRunStore(deps.store, recorder),
      // dryRunScheduler wants a whole Scheduler; a tick only observes, reads logs and cancels.
      scheduler: dryRunScheduler(
        {
          prepare: () => scheduler.prepare?.(),
          observe: (ids) => scheduler.observe(ids),
          readLogTails: (requests, max) => scheduler.readLogTails(requests, max),
          cancel: (ids, scope) => scheduler.cancel(ids, scope),
          submit: unavailable('submit'),
          preflight: unavailable('run a preflight'),
          findByName: unavailable('look jobs up by name'),
        },
        recorder,
      ),
      issues: dryRunIssues(deps.issues, recorder),
      dispatcher: dryRunDispatcher(recorder),
      clock: deps.clock,
      ...(deps.logger !== undefined ? { logger: deps.logger } : {}),
      ...(deps.saveOptions !== undefined ? { saveOptions: deps.saveOptions } : {}),
    },
    {
      config: input.config,
      relaunchWorkflow: input.relaunchWorkflow,
      ...(input.dispatchPatienceSeconds !== undefined
        ? { dispatchPatienceSeconds: input.dispatchPatienceSeconds }
        : {}),
      // Leaves room for the line added above it; fitComment is the hard cap.
      summaryMaxBytes: COMMENT_MAX_CHARS - 1000,
    },
  );
  // The dry tick's "Actions" were only recorded: they are what the next tick would do.
  const summary = result.summaryMarkdown.replace(/^### Actions$/m, '### What the next tick would do');
  return fitComment(
    `_Observed just now for this reply: nothing was saved, cancelled, dispatched or written to an issue._\n\n${summary}`,
  );
}

async function cancel(
  deps: CommandHandlerDeps,
  config: SweepConfig,
  filter: CommandFilter,
  requestedBy: string,
): Promise<string> {
  if (filter.kind === 'root_cause') {
    return `**Nothing cancelled:** only live jobs can be cancelled, and a job has a root cause only once it has failed, so root cause ${quotedFilter(filter)} matches no live job. Cancel by factor levels (\`/sweepwatch cancel model=vit\`) or \`all\`.`;
  }
  await loadManifest(deps.store, config);
  const result = await cancelSweep(deps, {
    experiment: config.experiment,
    ...(filter.kind === 'conditions' ? { match: filter.match } : {}),
    requestedBy,
  });
  const n = result.inFlight.length;
  const inFlight =
    n === 0
      ? ''
      : `\n\n${n} matching ${n === 1 ? 'condition is' : 'conditions are'} being submitted right now and ${n === 1 ? 'has' : 'have'} no job id yet: cancel again once the submission has finished.`;
  return fitComment(`${result.summaryMarkdown.trimEnd()}${inFlight}`);
}

const PAUSE_CODE = 'paused_by_request';

async function pauseOrResume(
  deps: CommandHandlerDeps,
  config: SweepConfig,
  paused: boolean,
  requestedBy: string,
): Promise<string> {
  const now = deps.clock.now().toISOString();
  const who = escapeInline(requestedBy);
  const sweep = code(config.experiment);
  // Decided inside the save, so two people pausing at once both get a true answer.
  const saved = await saveWithRetry(
    deps.store,
    (current) => {
      if (current === null) throw manifestMissing(config.experiment);
      checkExperiment(current, config);
      if (current.paused === paused) return current;
      const next = setPaused(current, paused);
      const reasonCode = paused ? PAUSE_CODE : 'resumed_by_request';
      // ledgerRecord carries pending dispatches and canary holds forward, as every record must.
      return recordDecision(
        next,
        ledgerRecord(next, now, reasonCode, [], `${paused ? 'paused' : 'resumed'} by ${requestedBy}`),
      );
    },
    deps.saveOptions,
  );
  if (!saved.saved) {
    if (!paused) return `sweepwatch is not paused for ${sweep}: nothing changed.`;
    const since = saved.manifest.decisions.findLast((d) => d.reasonCode === PAUSE_CODE)?.at;
    const when = since === undefined ? '' : ` since ${since}`;
    return `sweepwatch is already paused for ${sweep}${when}: nothing changed. \`/sweepwatch resume\` lets ticks act again.`;
  }
  return paused
    ? `⏸️ **Paused** ${sweep} (by ${who}). Ticks keep observing and reporting but take no action (no cancels, issues or relaunch dispatches) until \`/sweepwatch resume\`. A \`/sweepwatch relaunch\` a person asks for still runs.`
    : `▶️ **Resumed** ${sweep} (by ${who}). The next tick acts again.`;
}
