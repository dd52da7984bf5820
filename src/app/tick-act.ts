/**
 * The acting half of a tick, in the order the rules allow: cancels (kill switch, hard stops),
 * issues for what no relaunch will fix, then at most one relaunch dispatch. A failed action is
 * reported and left to the next tick; it never hides the others or the save.
 *
 * The dispatch is claimed before it is sent: the tick's whole record (its observations, the
 * issue numbers it learnt, its decision carrying the dispatch's ledger entry) is saved with
 * compare-and-swap first, `claimable` re-checked against whatever another run saved meanwhile,
 * so of two ticks running at once only the one whose save wins dispatches; the other sees the
 * claim, does not dispatch, and records its tick on top. One save, not a claim and then the
 * tick's record: a won claim leaves the tick's final save nothing to write (GitHub requests). A
 * dispatch that then fails is withdrawn in the ledger, so the next tick dispatches again.
 */
import type { Manifest } from '../core/manifest.js';
import { recordDecision } from '../core/manifest-transitions.js';
import type { Outcome } from '../core/outcome.js';
import type { Policy } from '../core/policy.js';
import type { SweepSnapshot } from '../core/snapshot.js';
import type { IssueFinder, IssueWriter } from '../ports/issue-tracker.js';
import type { Scheduler } from '../ports/scheduler.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import { cancelScope, inManifest } from './job-request.js';
import { type DispatchEntry, type Ledger, type LedgerEntry, noteWithLedger, readLedger } from './ledger.js';
import { POLICY_ACTOR, serializePayload } from './relaunch-payload.js';
import { claimable, planDispatch, type RelaunchWorkflow } from './tick-dispatch.js';
import { syncIssues } from './tick-issues.js';
import type { TickActions } from './tick-result.js';

export interface ActDeps {
  readonly scheduler: Pick<Scheduler, 'cancel'>;
  readonly issues: IssueFinder & IssueWriter;
  readonly dispatcher: WorkflowDispatcher;
  /** Where the tick's record, with the dispatch's ledger entry, is saved before the dispatch is sent. */
  readonly store: StateStore;
  readonly saveOptions?: SaveWithRetryOptions;
}

/** What of the tick's work goes into its record besides what it observed and decided. */
export interface TickWork {
  /** Fingerprint → issue number, as syncIssues found or filed them. */
  readonly issues: ReadonlyMap<string, number>;
  readonly ledger: readonly LedgerEntry[];
  readonly text: string;
}

/**
 * The tick's whole record applied to `current`: a function of it alone, since a save that loses
 * the race calls it again on what the other run saved.
 */
export type RecordTick = (current: Manifest, work: TickWork) => Manifest;

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
  /** What the dispatch's claim saves: the tick's record, so the tick saves once. */
  readonly record: RecordTick;
}

export interface Acted {
  readonly actions: TickActions;
  readonly issues: ReadonlyMap<string, number>;
  /** The tick's record was saved with the dispatch's claim: the final save has nothing to write. */
  readonly recorded: boolean;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function act(deps: ActDeps, ctx: ActContext): Promise<Acted> {
  const errors: string[] = [];
  const notes: string[] = [];
  const cancelled: string[] = [];
  const cancelRefused: { jobId: string; reason: string }[] = [];
  // Never anything outside the manifest, whatever the core asked for.
  const toCancel = inManifest(ctx.manifest, ctx.outcome.cancelJobIds);
  if (toCancel.length > 0) {
    try {
      const result = await deps.scheduler.cancel(toCancel, cancelScope(ctx.manifest, toCancel));
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

  let recorded = false;
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
    const release = intent.kind === 'release';
    const entry: DispatchEntry = {
      kind: release ? 'released' : 'dispatched',
      cycle: intent.cycle,
      at: ctx.now,
    };
    const what = `${release ? 'release' : 'relaunch'} of cycle ${intent.cycle} (${intent.conditions.length} conditions)`;
    // null: the claim could not be saved, and nothing is sent.
    let claimed: Claim | null = null;
    try {
      // The record says what the tick did up to here; whatever follows (a failed dispatch) the
      // withdrawal records.
      const text = [`dispatching the ${what}`, ...notes, ...errors].join('; ');
      claimed = await claim(deps, ctx, intent, entry, { issues: issueWork.recorded, text });
    } catch (error) {
      errors.push(`${what} not dispatched: its ledger entry could not be saved first: ${message(error)}`);
    }
    if (claimed === 'won') {
      recorded = true;
      try {
        const run = await deps.dispatcher.dispatch(
          ctx.relaunchWorkflow.workflowFile,
          ctx.relaunchWorkflow.ref,
          {
            payload,
          },
        );
        dispatch = { cycle: intent.cycle, conditions: intent.conditions.length, release, url: run.htmlUrl };
      } catch (error) {
        // Unknown outcome: withdrawn, so the next tick dispatches again; the relaunch run resumes
        // a cycle that is already recorded, so a double dispatch cannot double-submit.
        errors.push(`relaunch dispatch failed: ${message(error)}`);
        errors.push(...(await withdraw(deps, ctx, entry, `the ${what} failed (${message(error)})`)));
      }
    } else if (claimed === 'taken') {
      notes.push(`${what} was already dispatched by another sweepwatch run; not dispatched again`);
    } else if (claimed === 'paused') {
      notes.push(`${what} not dispatched: sweepwatch was paused for this sweep meanwhile`);
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
    issues: issueWork.recorded,
    recorded,
  };
}

/** won: this run saved the entry; taken: another run recorded it first; paused meanwhile. */
type Claim = 'won' | 'taken' | 'paused';

/**
 * Saves the tick's record carrying the dispatch's ledger entry, with compare-and-swap; on a
 * conflict it is re-checked against what the other writer saved, so two runs cannot both win the
 * same cycle. Nothing is saved unless the claim is won: the tick's final save records the rest.
 */
async function claim(
  deps: ActDeps,
  ctx: ActContext,
  intent: { readonly kind: 'plan' | 'release'; readonly cycle: number },
  entry: DispatchEntry,
  work: Omit<TickWork, 'ledger'>,
): Promise<Claim> {
  // Two ticks started in the same second would save byte-identical claims, which the store's
  // compare-and-swap cannot tell apart (both "win"): the claim carries an id of this run.
  const claimed: DispatchEntry = { ...entry, claim: globalThis.crypto.randomUUID().slice(0, 8) };
  let outcome: Claim = 'taken';
  await saveWithRetry(
    deps.store,
    (current) => {
      if (current === null) throw new Error('the manifest disappeared');
      outcome = current.paused
        ? 'paused'
        : claimable(current, intent, ctx.now, ctx.patienceSeconds)
          ? 'won'
          : 'taken';
      if (outcome !== 'won') return current;
      return ctx.record(current, { ...work, ledger: [claimed] });
    },
    deps.saveOptions,
  );
  return outcome;
}

/** Takes a failed dispatch's entry back (unless another run has replaced it); errors as text. */
async function withdraw(
  deps: ActDeps,
  ctx: ActContext,
  entry: DispatchEntry,
  failed: string,
): Promise<string[]> {
  const of = entry.kind;
  try {
    await saveWithRetry(
      deps.store,
      (current) => {
        if (current === null) throw new Error('the manifest disappeared');
        const ledger = readLedger(current);
        const recorded = (of === 'dispatched' ? ledger.dispatched : ledger.released).get(entry.cycle);
        if (recorded !== entry.at) return current;
        const withdrawn: LedgerEntry = { kind: 'withdrawn', cycle: entry.cycle, of };
        return recordDecision(current, {
          at: ctx.now,
          decision: ctx.outcome.decision,
          band: ctx.outcome.health.band,
          reasonCode: 'dispatch_failed',
          note: noteWithLedger(current, [withdrawn], `${failed}; withdrawn`),
        });
      },
      deps.saveOptions,
    );
    return [];
  } catch (error) {
    return [
      `${failed} and could not be withdrawn (${message(error)}); it is dispatched again after the patience`,
    ];
  }
}
