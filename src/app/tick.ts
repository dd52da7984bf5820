/**
 * One tick: load the manifest, observe every live job once, diagnose the newly failed, decide,
 * act (only on decision), record and save with compare-and-swap, once: a tick that dispatches a
 * relaunch saves its record as the dispatch's claim, before the dispatch (tick-act.ts). A tick
 * that changes nothing writes nothing. See docs/architecture.md, "The data's way through one tick".
 */

import type { SweepConfig } from '../config/sweep-config.js';
import type { Manifest } from '../core/manifest.js';
import { countManifestStates, manifestToSnapshot, type SnapshotOptions } from '../core/manifest-snapshot.js';
import {
  applyObservations,
  recordDashboardIssue,
  recordDecision,
  recordIssue,
} from '../core/manifest-transitions.js';
import { evaluateSweep } from '../core/outcome.js';
import { renderTickSummary } from '../core/report.js';
import type { Clock } from '../ports/clock.js';
import type { IssueConversation, IssueFinder, IssueWriter } from '../ports/issue-tracker.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import { manifestMissing, UseCaseError } from './errors.js';
import { noteWithLedger, readLedger } from './ledger.js';
import { type Acted, act, type RecordTick } from './tick-act.js';
import { dashboardApproval, locateDashboard, maintainDashboard, pendingApproval } from './tick-dashboard.js';
import type { RelaunchWorkflow } from './tick-dispatch.js';
import { applyObserved, diagnose, observeLive, settleObserved } from './tick-observe.js';
import { actedUpon, NO_ACTIONS, resultJson, type TickReasonCode, type TickResult } from './tick-result.js';
import { readYourWrites } from './tick-store.js';

export type { RelaunchWorkflow } from './tick-dispatch.js';
export type { TickResult } from './tick-result.js';

export interface TickDeps {
  readonly store: StateStore;
  readonly scheduler: Pick<Scheduler, 'prepare' | 'observe' | 'readLogTails' | 'cancel'>;
  readonly issues: IssueFinder & IssueWriter;
  /** Comments on the dashboard (when jobs are cancelled); absent: no comment. */
  readonly conversation?: Pick<IssueConversation, 'comment'>;
  readonly dispatcher: WorkflowDispatcher;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly saveOptions?: SaveWithRetryOptions;
}

export interface TickInput {
  readonly config: SweepConfig;
  /** Where relaunches are dispatched; null: the plan is reported, never dispatched. */
  readonly relaunchWorkflow: RelaunchWorkflow | null;
  /** A person approved relaunches (needed when policy.autoRelaunch is off). */
  readonly approvedBy?: string;
  /** Per log file (default 64 KiB). */
  readonly logTailBytes?: number;
  /** Summary budget (default GitHub's 1 MiB). */
  readonly summaryMaxBytes?: number;
  /** A dispatch not yet run after this long is dispatched again (default 1 h). */
  readonly dispatchPatienceSeconds?: number;
  readonly replicateFactor?: string;
  /** Maintain the experiment's dashboard issue and read its approval box (default off). */
  readonly dashboard?: boolean;
}

/** Whether any condition record changed (transitions share what they leave alone). */
function conditionsChanged(a: Manifest, b: Manifest): boolean {
  return a.conditions.length !== b.conditions.length || a.conditions.some((c, i) => c !== b.conditions[i]);
}

export async function tick(deps: TickDeps, input: TickInput): Promise<TickResult> {
  const logger = deps.logger ?? silentLogger;
  const { config } = input;
  const policy = config.policy;
  const now = deps.clock.now().toISOString();
  // The connection comes up while the manifest loads: neither waits for the other. A warm-up
  // that fails fails nothing here; observe() reports it as it would have without the warm-up.
  deps.scheduler.prepare?.();
  // Read once: later reads of this tick (the dispatch claim, the final save) reuse it.
  const store = readYourWrites(deps.store);
  const loaded = await store.load();
  if (loaded === null) throw manifestMissing(config.experiment);
  const before = loaded.manifest;
  if (before.experiment !== config.experiment) {
    throw new UseCaseError(
      'wrong_experiment',
      `the manifest is of "${before.experiment}", not "${config.experiment}"`,
    );
  }

  const observed = await observeLive(deps.scheduler, before);
  const { manifest: seen, newlyFailed } = applyObservations(before, observed.observations, now);
  const diagnosed = await diagnose(deps.scheduler, seen, newlyFailed, input.logTailBytes ?? 64 * 1024);
  const observationErrors = [...observed.errors, ...diagnosed.errors];
  const after = settleObserved(seen, observed, diagnosed.entries, now);
  logger.info(
    `observed ${observed.requested} jobs: ${newlyFailed.length} newly failed, ${observed.staleIds.length} stale`,
  );

  const options: SnapshotOptions = {
    now,
    defaults: config.template.resources,
    heldPatienceSeconds: policy.pending.heldPatienceSeconds,
    ...(input.replicateFactor !== undefined ? { replicateFactor: input.replicateFactor } : {}),
  };
  const previousCounts = countManifestStates(before, options);
  const snapshot = manifestToSnapshot(after, options);
  const outcome = evaluateSweep(snapshot, policy);

  // Blind (nothing observable): never act on last known states; say so instead.
  const blind = observed.blind;
  const decision = blind ? 'watch' : outcome.decision;
  const reasonCode: TickReasonCode = blind ? 'observation_failed' : outcome.reasonCode;
  const reason = blind
    ? `could not observe the scheduler (${observationErrors.map((e) => e.message).join('; ') || 'no job answered'}); ${observed.staleIds.length} jobs kept at their last known state`
    : outcome.reason;
  const cancelJobIds = blind ? [] : outcome.cancelJobIds;
  const last = before.decisions.at(-1);
  const decisionChanged =
    last === undefined ||
    last.decision !== decision ||
    last.reasonCode !== reasonCode ||
    last.band !== outcome.health.band;
  const stateChanged = conditionsChanged(before, after);

  const ledger = readLedger(after);
  // A ticked dashboard box approves the pending relaunch (see tick-dashboard.ts for who can tick it).
  const approvedBy =
    input.approvedBy ??
    (input.dashboard === true
      ? await dashboardApproval(
          { issues: deps.issues, logger },
          { experiment: config.experiment, outcome, policy },
        )
      : undefined);
  // The dashboard shows what the manifest holds: a tick that changed nothing has nothing new to
  // show, so it skips the listing that finding the dashboard costs (GitHub's request budget),
  // unless it read the approval box anyway: then rewriting a tampered box costs nothing more.
  const dashboardRead = input.approvedBy === undefined && pendingApproval(outcome, policy) !== null;
  // A tick that will write the dashboard without knowing its number finds it now, with the
  // listing that write would make, and records it: later ticks write it by number, unlisted.
  const located =
    input.dashboard === true &&
    before.dashboardIssue === undefined &&
    (stateChanged || decisionChanged || dashboardRead)
      ? await locateDashboard(deps.issues, config.experiment)
      : { number: null };
  const dashboardFound = located.number;
  // The tick's record on `current`, for both saves that may write it (the dispatch's claim, else
  // the final save). Still the manifest this tick loaded (nothing saved since): its observed form
  // is at hand; otherwise the observations are re-applied on what the other run saved.
  const record: RecordTick = (current, work) => {
    let next = current === before ? after : applyObserved(current, observed, diagnosed.entries, now);
    for (const [fingerprint, issue] of work.issues) {
      if (before.issues[fingerprint] !== issue) next = recordIssue(next, fingerprint, issue);
    }
    if (dashboardFound !== null) next = recordDashboardIssue(next, dashboardFound);
    return recordDecision(next, {
      at: now,
      decision,
      band: outcome.health.band,
      reasonCode,
      note: noteWithLedger(next, work.ledger, work.text),
    });
  };
  const acted: Acted =
    after.paused || blind
      ? { actions: NO_ACTIONS, issues: new Map<string, number>(), recorded: false }
      : await act(
          { ...deps, store },
          {
            experiment: config.experiment,
            manifest: after,
            snapshot,
            outcome,
            policy,
            ledger,
            now,
            changed: stateChanged || decisionChanged,
            relaunchWorkflow: input.relaunchWorkflow,
            ...(approvedBy !== undefined ? { approvedBy } : {}),
            patienceSeconds: input.dispatchPatienceSeconds ?? 3600,
            record,
          },
        );
  const newIssues = [...acted.issues].filter(([fp, n]) => before.issues[fp] !== n);
  const changed =
    stateChanged || decisionChanged || actedUpon(acted.actions) || newIssues.length > 0 || acted.recorded;

  let saved = await saveWithRetry(
    store,
    (current) => {
      if (current === null) throw manifestMissing(config.experiment);
      // Recorded with the dispatch's claim: returning `current` saves nothing (and, the store
      // answering from what the claim saved, reads nothing either).
      if (!changed || acted.recorded) return current;
      const text = [...acted.actions.notes, ...acted.actions.errors].join('; ');
      return record(current, { issues: acted.issues, ledger: [], text });
    },
    deps.saveOptions,
  );
  if (!changed) logger.info('no material change since the last tick');
  const dashboard =
    input.dashboard === true && (changed || dashboardRead)
      ? await maintainDashboard(deps, {
          experiment: config.experiment,
          manifest: saved.manifest,
          snapshot,
          outcome,
          current: { decision, reasonCode, reason },
          policy,
          ...(approvedBy !== undefined ? { approvedBy } : {}),
          actions: acted.actions,
        })
      : { actions: acted.actions, issueNumber: null };
  const actions =
    located.error === undefined
      ? dashboard.actions
      : { ...dashboard.actions, errors: [located.error, ...dashboard.actions.errors] };
  // The recorded dashboard was gone (deleted, transferred) and is now elsewhere: one more save,
  // or every later tick would try the old number first. Its failure fails nothing: the next
  // tick finds the dashboard the same way.
  const recorded = saved.manifest.dashboardIssue;
  const at = dashboard.issueNumber;
  if (recorded !== undefined && at !== null && at !== recorded) {
    try {
      saved = await saveWithRetry(
        store,
        (current) => {
          if (current === null) throw manifestMissing(config.experiment);
          return recordDashboardIssue(current, at);
        },
        deps.saveOptions,
      );
    } catch (error) {
      logger.warning(
        `dashboard moved to #${at}, not recorded: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  const summaryMarkdown = renderTickSummary(
    {
      experiment: config.experiment,
      at: now,
      outcome: { ...outcome, decision, reasonCode, reason },
      previousCounts,
      snapshot,
      bands: policy.bands,
      observationErrors,
      actions,
      changed,
    },
    input.summaryMaxBytes !== undefined ? { maxBytes: input.summaryMaxBytes } : {},
  );
  return {
    ...outcome,
    decision,
    reasonCode,
    reason,
    cancelJobIds,
    observationErrors,
    diagnostics: observed.diagnostics,
    newlyFailed,
    logTailRequests: diagnosed.tailRequests,
    actions,
    changed,
    manifest: saved.manifest,
    summaryMarkdown,
    result: resultJson(outcome.result, {
      reasonCode,
      decision,
      cancelJobIds,
      changed,
      errors: observationErrors,
      actions,
    }),
  };
}
