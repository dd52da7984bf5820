/**
 * The dashboard issue of a tick: one per experiment (found by its marker), ensured on every
 * tick but written only when its body changes (the renderer is clock-free). It carries the
 * approval checkbox of a relaunch held for a person, read back by the next tick, and gets one
 * comment whenever a tick cancels jobs. Never pinned: pinning is GraphQL-only.
 *
 * Trust: ticking the box approves a relaunch. Only someone who can edit the issue body can tick
 * it; the dashboard is authored by sweepwatch's token, so (GitHub letting authors edit their own
 * issues aside) that means a collaborator with triage or write access to the repository.
 */
import type { Manifest } from '../core/manifest.js';
import type { Outcome } from '../core/outcome.js';
import type { Policy } from '../core/policy.js';
import {
  approvalKey,
  checkedApprovals,
  dashboardTitle,
  type PendingApproval,
  renderCancelComment,
  renderDashboard,
} from '../core/report-dashboard.js';
import type { SweepSnapshot } from '../core/snapshot.js';
import {
  type IssueConversation,
  type IssueFinder,
  type IssueWriter,
  issueMarker,
} from '../ports/issue-tracker.js';
import type { Logger } from '../ports/logger.js';
import { readLedger } from './ledger.js';
import { ISSUE_LABEL } from './tick-issues.js';
import type { TickActions } from './tick-result.js';

/** The first label is the one the dashboard is looked up by. */
export const DASHBOARD_LABEL = 'sweepwatch:dashboard';
/** `approvedBy` of a relaunch approved by ticking the dashboard's box (the editor is unknown). */
export const DASHBOARD_APPROVER = 'dashboard checkbox';

export const dashboardMarker = (experiment: string): string => issueMarker('dashboard', experiment);

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The relaunch the policy proposes but holds for a person (auto_relaunch off), or null. */
export function pendingApproval(
  outcome: Pick<Outcome, 'relaunchPlan'>,
  policy: Pick<Policy, 'autoRelaunch'>,
  approved = false,
): PendingApproval | null {
  const plan = outcome.relaunchPlan;
  if (policy.autoRelaunch || plan === null || plan.refused !== undefined) return null;
  const items = [...plan.relaunch, ...plan.deferred];
  if (items.length === 0) return null;
  const rootCauses: Record<string, number> = {};
  for (const i of items) rootCauses[i.rootCause] = (rootCauses[i.rootCause] ?? 0) + 1;
  return { cycle: plan.cycle, conditionIds: items.map((i) => i.conditionId), rootCauses, approved };
}

/**
 * `DASHBOARD_APPROVER` when the dashboard's box for exactly the pending relaunch (its cycle and
 * conditions) is ticked; a box left from an older cycle or another plan approves nothing.
 */
export async function dashboardApproval(
  deps: { readonly issues: IssueFinder; readonly logger: Logger },
  ctx: {
    readonly experiment: string;
    readonly outcome: Pick<Outcome, 'relaunchPlan'>;
    readonly policy: Pick<Policy, 'autoRelaunch'>;
  },
): Promise<string | undefined> {
  const pending = pendingApproval(ctx.outcome, ctx.policy);
  if (pending === null) return undefined;
  try {
    // Looked up under the shared label: the tracker lists it once per tick for every sweepwatch issue.
    const found = await deps.issues.findByMarker(ISSUE_LABEL, dashboardMarker(ctx.experiment));
    if (found === null || found.state !== 'open') return undefined;
    return checkedApprovals(found.body).has(approvalKey(pending)) ? DASHBOARD_APPROVER : undefined;
  } catch (error) {
    // Not approved this time; the next tick reads the box again.
    deps.logger.warning(`dashboard approval not read: ${message(error)}`);
    return undefined;
  }
}

export interface DashboardContext {
  readonly experiment: string;
  /** As saved by the tick (its decision history includes this tick's record). */
  readonly manifest: Manifest;
  readonly snapshot: SweepSnapshot;
  readonly outcome: Pick<Outcome, 'counts' | 'health' | 'relaunchPlan'>;
  /** The tick's decision (which may differ from the core's, e.g. when blind). */
  readonly current: {
    readonly decision: Outcome['decision'];
    readonly reasonCode: string;
    readonly reason: string;
  };
  readonly policy: Policy;
  readonly approvedBy?: string;
  readonly actions: TickActions;
}

/**
 * The dashboard's number, looked up by its marker, for a tick that will write the dashboard
 * anyway (the lookup's listing is the one that write makes), so that the tick records it and
 * later ticks write it by number. `number` is null when there is none yet or the lookup failed;
 * the write after the save looks again, and `error` is for the tick's report.
 */
export async function locateDashboard(
  issues: IssueFinder,
  experiment: string,
): Promise<{ readonly number: number | null; readonly error?: string }> {
  try {
    const found = await issues.findByMarker(ISSUE_LABEL, dashboardMarker(experiment));
    return { number: found?.number ?? null };
  } catch (error) {
    return { number: null, error: `dashboard not looked up: ${message(error)}` };
  }
}

export interface MaintainedDashboard {
  /** The tick's actions, with any error of the dashboard added. */
  readonly actions: TickActions;
  /** Where the dashboard now is; null when it could not be written. */
  readonly issueNumber: number | null;
}

/** Ensures the dashboard and comments on cancellations. */
export async function maintainDashboard(
  deps: { readonly issues: IssueWriter; readonly conversation?: Pick<IssueConversation, 'comment'> },
  ctx: DashboardContext,
): Promise<MaintainedDashboard> {
  const errors: string[] = [];
  const plan = ctx.outcome.relaunchPlan;
  const dispatched = plan !== null && readLedger(ctx.manifest).dispatched.has(plan.cycle);
  const marker = dashboardMarker(ctx.experiment);
  const approval = pendingApproval(ctx.outcome, ctx.policy, ctx.approvedBy !== undefined || dispatched);
  const body = renderDashboard({
    experiment: ctx.experiment,
    marker,
    counts: ctx.outcome.counts,
    snapshot: ctx.snapshot,
    bands: ctx.policy.bands,
    decisions: ctx.manifest.decisions,
    current: { ...ctx.current, band: ctx.outcome.health.band },
    approval,
    paused: ctx.manifest.paused,
  });
  // By its recorded number (no listing) unless it shows a box a person may have ticked since.
  const known = approval === null ? ctx.manifest.dashboardIssue : undefined;
  let issueNumber: number | null = null;
  try {
    const ensured = await deps.issues.ensureIssue({
      marker,
      title: dashboardTitle(ctx.experiment),
      body,
      labels: [ISSUE_LABEL, DASHBOARD_LABEL],
      ...(known !== undefined ? { number: known } : {}),
    });
    issueNumber = ensured.issue.number;
  } catch (error) {
    errors.push(`dashboard not written: ${message(error)}`);
  }
  const { cancelled, cancelRefused } = ctx.actions;
  if (issueNumber !== null && deps.conversation !== undefined && cancelled.length > 0) {
    try {
      await deps.conversation.comment(
        issueNumber,
        renderCancelComment({
          reasonCode: ctx.current.reasonCode,
          reason: ctx.current.reason,
          cancelled,
          refused: cancelRefused,
        }),
      );
    } catch (error) {
      errors.push(`dashboard comment on the cancellations not posted: ${message(error)}`);
    }
  }
  const actions =
    errors.length === 0 ? ctx.actions : { ...ctx.actions, errors: [...ctx.actions.errors, ...errors] };
  return { actions, issueNumber };
}
