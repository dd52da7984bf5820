/**
 * The acting half of a tick, in the order the rules allow: cancels (kill switch, hard stops),
 * issues for what no relaunch will fix, then at most one relaunch dispatch. A failed action is
 * reported and left to the next tick; it never hides the others or the save.
 */
import type { Manifest } from '../core/manifest.js';
import type { Outcome } from '../core/outcome.js';
import type { Policy } from '../core/policy.js';
import type { SweepSnapshot } from '../core/snapshot.js';
import type { IssueFinder, IssueWriter } from '../ports/issue-tracker.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import { cancelScope, manifestJobIds } from './job-request.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import { POLICY_ACTOR, serializePayload } from './relaunch-payload.js';
import { planDispatch, type RelaunchWorkflow } from './tick-dispatch.js';
import { syncIssues } from './tick-issues.js';
import type { TickActions } from './tick-result.js';

export interface ActDeps {
  readonly scheduler: Pick<Scheduler, 'cancel'>;
  readonly issues: IssueFinder & IssueWriter;
  readonly dispatcher: WorkflowDispatcher;
}

export interface ActContext {
  readonly experiment: string;
  readonly manifest: Manifest;
  readonly snapshot: SweepSnapshot;
  readonly outcome: Outcome;
  readonly policy: Policy;
  readonly ledger: Ledger;
  readonly now: string;
  /** States or decision changed this tick (issue bodies may need an update). */
  readonly changed: boolean;
  readonly relaunchWorkflow: RelaunchWorkflow | null;
  readonly approvedBy?: string;
  readonly patienceSeconds: number;
}

export interface Acted {
  readonly actions: TickActions;
  readonly ledger: readonly LedgerEntry[];
  readonly issues: ReadonlyMap<string, number>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function act(deps: ActDeps, ctx: ActContext): Promise<Acted> {
  const errors: string[] = [];
  const notes: string[] = [];
  const cancelled: string[] = [];
  const cancelRefused: { jobId: string; reason: string }[] = [];
  // Never anything outside the manifest, whatever the core asked for.
  const known = manifestJobIds(ctx.manifest);
  const toCancel = ctx.outcome.cancelJobIds.filter((id) => known.has(id));
  if (toCancel.length > 0) {
    try {
      const result = await deps.scheduler.cancel(toCancel, cancelScope(ctx.manifest));
      cancelled.push(...result.cancelled);
      cancelRefused.push(
        ...result.refused.map((r) => ({ jobId: r.jobId, reason: `${r.reason}: ${r.detail}` })),
      );
    } catch (error) {
      errors.push(`cancel failed: ${message(error)}`);
    }
  }

  const issueWork = await syncIssues(deps.issues, ctx);
  errors.push(...issueWork.errors);

  const ledger: LedgerEntry[] = [];
  let dispatch: TickActions['dispatch'] = null;
  const intent = planDispatch(ctx);
  if (intent.kind === 'none') {
    if (intent.note !== null) notes.push(intent.note);
  } else if (ctx.relaunchWorkflow === null) {
    notes.push(
      `a relaunch of ${intent.conditions.length} conditions is due, but no relaunch workflow is configured`,
    );
  } else {
    const payload = serializePayload({
      experiment: ctx.experiment,
      conditions: [...intent.conditions],
      cycle: intent.cycle,
      reason: intent.reason,
      requested_by: ctx.approvedBy ?? POLICY_ACTOR,
    });
    try {
      const run = await deps.dispatcher.dispatch(
        ctx.relaunchWorkflow.workflowFile,
        ctx.relaunchWorkflow.ref,
        {
          payload,
        },
      );
      const release = intent.kind === 'release';
      dispatch = { cycle: intent.cycle, conditions: intent.conditions.length, release, url: run.htmlUrl };
      ledger.push({ kind: release ? 'released' : 'dispatched', cycle: intent.cycle, at: ctx.now });
    } catch (error) {
      // Unknown outcome: not recorded, so the next tick dispatches again; the relaunch run
      // refuses a cycle that is already recorded, so a double dispatch cannot double-submit.
      errors.push(`relaunch dispatch failed: ${message(error)}`);
    }
  }
  return {
    actions: {
      cancelled,
      cancelRefused,
      issuesCreated: issueWork.created,
      issuesUpdated: issueWork.updated,
      issuesClosed: issueWork.closed,
      dispatch,
      notes,
      errors,
    },
    ledger,
    issues: issueWork.recorded,
  };
}
