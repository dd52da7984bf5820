/**
 * The issues of a tick: one per root-cause group that no automatic relaunch will fix, found
 * again by its hidden marker (never duplicated), and closed once relaunches of every condition
 * of the group have succeeded. Issues are opened only on decision (rule F1): the batch is
 * terminal and the decision is intervene, or a hard stop or the kill switch fired.
 */
import type { FailureGroup } from '../core/aggregate.js';
import type { Manifest } from '../core/manifest.js';
import type { Outcome } from '../core/outcome.js';
import type { Policy } from '../core/policy.js';
import { issueFingerprint, issueTitle, renderIssueBody } from '../core/report.js';
import type { IssueWhy } from '../core/report-issue.js';
import type { SweepSnapshot } from '../core/snapshot.js';
import { attemptStatus, effectiveCause, effectiveSignature, latestAttempt } from '../core/snapshot.js';
import { type IssueFinder, type IssueWriter, issueMarker } from '../ports/issue-tracker.js';

export const ISSUE_LABEL = 'sweepwatch';
const MARKER_KIND = 'root-cause';

export interface IssueWork {
  readonly created: number[];
  readonly updated: number[];
  readonly closed: number[];
  /** Fingerprint → issue number, to record in the manifest. */
  readonly recorded: Map<string, number>;
  readonly errors: string[];
}

const same = (g: FailureGroup, x: { rootCause?: string; signature?: string }) =>
  x.rootCause === g.rootCause && x.signature === g.signature;

/** The groups that go to a person, with why. Empty unless the decision allows issues now. */
export function unrecoverableGroups(
  outcome: Outcome,
  policy: Policy,
): { group: FailureGroup; why: IssueWhy }[] {
  const stops = outcome.health.hardStops;
  const triggers = outcome.killSwitch.triggers;
  const gate =
    (outcome.decision === 'intervene' && outcome.counts.live === 0) ||
    stops.length > 0 ||
    outcome.killSwitch.fired;
  if (!gate) return [];
  const planned = new Map((outcome.relaunchPlan?.issues ?? []).map((i) => [i.conditionId, i.reason]));
  const out: { group: FailureGroup; why: IssueWhy }[] = [];
  for (const group of outcome.groups) {
    const fromPlan = group.conditionIds.map((id) => planned.get(id)).find((r) => r !== undefined);
    const why: IssueWhy | undefined = stops.some((s) => same(group, s))
      ? 'hard_stop'
      : triggers.some((t) => same(group, t))
        ? 'kill_switch'
        : (fromPlan ?? (policy.actions[group.rootCause] === 'issue' ? 'deterministic_cause' : undefined));
    if (why !== undefined) out.push({ group, why });
  }
  return out;
}

/** Recorded issues whose every failed condition has since succeeded. */
export function resolvedIssues(
  m: Manifest,
  snapshot: SweepSnapshot,
): { fingerprint: string; issue: number }[] {
  const out: { fingerprint: string; issue: number }[] = [];
  for (const [fingerprint, issue] of Object.entries(m.issues)) {
    const members = snapshot.conditions.filter((c) =>
      c.attempts.some(
        (a) =>
          attemptStatus(a) === 'failed' &&
          issueFingerprint({ rootCause: effectiveCause(a), signature: effectiveSignature(a) }) ===
            fingerprint,
      ),
    );
    const done = members.every((c) => {
      const latest = latestAttempt(c);
      return latest !== undefined && attemptStatus(latest) === 'succeeded';
    });
    if (members.length > 0 && done) out.push({ fingerprint, issue });
  }
  return out;
}

export interface IssueContext {
  readonly experiment: string;
  readonly manifest: Manifest;
  readonly snapshot: SweepSnapshot;
  readonly outcome: Outcome;
  readonly policy: Policy;
  /** False on a tick without material change: only groups without a recorded issue are written. */
  readonly changed: boolean;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function syncIssues(issues: IssueFinder & IssueWriter, ctx: IssueContext): Promise<IssueWork> {
  const work: IssueWork = { created: [], updated: [], closed: [], recorded: new Map(), errors: [] };
  for (const { group, why } of unrecoverableGroups(ctx.outcome, ctx.policy)) {
    const fingerprint = issueFingerprint(group);
    if (!ctx.changed && ctx.manifest.issues[fingerprint] !== undefined) continue;
    const marker = issueMarker(MARKER_KIND, fingerprint);
    const body = renderIssueBody({
      experiment: ctx.experiment,
      marker,
      group,
      snapshot: ctx.snapshot,
      concentration: ctx.outcome.concentration,
      why,
      relaunchCycles: ctx.outcome.relaunchCycle,
      maxRelaunchCycles: ctx.policy.maxRelaunchCycles,
    });
    try {
      const ensured = await issues.ensureIssue({
        marker,
        title: issueTitle(ctx.experiment, group),
        body,
        labels: [ISSUE_LABEL, `root-cause:${group.rootCause}`],
      });
      if (ensured.outcome === 'created') work.created.push(ensured.issue.number);
      if (ensured.outcome === 'updated') work.updated.push(ensured.issue.number);
      work.recorded.set(fingerprint, ensured.issue.number);
    } catch (error) {
      work.errors.push(`issue for ${group.rootCause} not written: ${message(error)}`);
    }
  }
  if (!ctx.changed) return work;
  for (const { fingerprint, issue } of resolvedIssues(ctx.manifest, ctx.snapshot)) {
    try {
      const found = await issues.findByMarker(ISSUE_LABEL, issueMarker(MARKER_KIND, fingerprint));
      if (found === null || found.state === 'closed') continue;
      await issues.close(
        issue,
        'Every affected condition has since succeeded after a relaunch. Closed by sweepwatch.',
      );
      work.closed.push(issue);
    } catch (error) {
      work.errors.push(`issue #${issue} not closed: ${message(error)}`);
    }
  }
  return work;
}
