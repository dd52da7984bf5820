/**
 * Whether this tick starts a relaunch, and of what: the relaunch plan's conditions (a new
 * cycle), or the release of conditions held behind a canary that succeeded (the same cycle).
 * At most one dispatch per cycle: a dispatch is recorded in the ledger and not repeated while
 * it is pending (the relaunch run records the cycle, which moves the plan to the next one).
 * The record (the tick's own, carrying the ledger entry: tick-act.ts) is saved before the
 * dispatch is sent, and `claimable` is checked inside that compare-and-swap save: of two ticks
 * planning the same dispatch at once, only the one whose save wins sends it. (Were a dispatch sent twice anyway, the relaunch run is idempotent per
 * cycle: the second run finds the cycle recorded, resumes it, and submits only what never
 * became a job.)
 */
import { currentCycle, type Manifest } from '../core/manifest-model.js';
import type { Outcome } from '../core/outcome.js';
import type { Policy } from '../core/policy.js';
import type { SweepSnapshot } from '../core/snapshot.js';
import { allHeld, holdView, releasable } from './canary.js';
import { type Ledger, readLedger, stillPending } from './ledger.js';

export interface RelaunchWorkflow {
  /** The workflow file, e.g. `sweepwatch-relaunch.yml`. */
  readonly workflowFile: string;
  /** The ref the workflow runs on (the default branch, usually). */
  readonly ref: string;
}

export type DispatchIntent =
  | {
      readonly kind: 'plan' | 'release';
      readonly cycle: number;
      readonly conditions: readonly string[];
      readonly reason: string;
    }
  | { readonly kind: 'none'; readonly note: string | null };

export interface DispatchContext {
  readonly manifest: Manifest;
  readonly snapshot: SweepSnapshot;
  readonly outcome: Outcome;
  readonly policy: Policy;
  readonly ledger: Ledger;
  readonly now: string;
  /** A person approved relaunches (needed when policy.autoRelaunch is off). */
  readonly approvedBy?: string;
  /** How long a dispatch is waited for before it is dispatched again. */
  readonly patienceSeconds: number;
}

const none = (note: string | null = null): DispatchIntent => ({ kind: 'none', note });

export function planDispatch(ctx: DispatchContext): DispatchIntent {
  const { outcome, ledger } = ctx;
  // F1: nothing is relaunched while a job is live.
  if (outcome.counts.live > 0) return none();
  const cycle = currentCycle(ctx.manifest);
  const causes = ledger.holds.get(cycle);
  if (causes !== undefined) {
    const view = holdView(ctx.snapshot, cycle, causes);
    const releasedAt = ledger.released.get(cycle);
    const ready = releasable(view);
    if (releasedAt === undefined && ready.length > 0) {
      return { kind: 'release', cycle, conditions: ready, reason: 'canary_passed' };
    }
    if (
      releasedAt !== undefined &&
      allHeld(view).length > 0 &&
      stillPending(releasedAt, ctx.now, ctx.patienceSeconds)
    ) {
      return none(`the release of cycle ${cycle}'s held conditions is in progress`);
    }
  }
  const plan = outcome.relaunchPlan;
  if (plan === null || plan.refused !== undefined) return none();
  const conditions = [...plan.relaunch, ...plan.deferred].map((i) => i.conditionId);
  if (conditions.length === 0) return none();
  if (!ctx.policy.autoRelaunch && ctx.approvedBy === undefined) {
    return none(
      `relaunch of ${conditions.length} conditions awaits approval (auto_relaunch is off): /sweepwatch relaunch`,
    );
  }
  if (stillPending(ledger.dispatched.get(plan.cycle), ctx.now, ctx.patienceSeconds)) {
    return none(`relaunch cycle ${plan.cycle} is already dispatched; waiting for it to run`);
  }
  return { kind: 'plan', cycle: plan.cycle, conditions, reason: outcome.reasonCode };
}

/**
 * Whether `m`, the manifest this tick's save lands on (re-read after a lost race), still leaves
 * the dispatch to this tick: no other run has recorded the same dispatch since this tick planned
 * it, and the relaunch run has not moved the cycle on.
 */
export function claimable(
  m: Manifest,
  claim: { readonly kind: 'plan' | 'release'; readonly cycle: number },
  now: string,
  patienceSeconds: number,
): boolean {
  const ledger = readLedger(m);
  const cycle = currentCycle(m);
  if (claim.kind === 'release')
    return cycle === claim.cycle && ledger.released.get(claim.cycle) === undefined;
  return cycle < claim.cycle && !stillPending(ledger.dispatched.get(claim.cycle), now, patienceSeconds);
}
