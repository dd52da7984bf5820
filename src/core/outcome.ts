import type { FailureGroup, StateCounts } from './aggregate.js';
import { aggregateFailures, failuresByCause } from './aggregate.js';
import type { Cadence } from './cadence.js';
import { nextPoll } from './cadence.js';
import type { Concentration, ConcentrationOptions } from './concentration.js';
import { analyzeConcentration } from './concentration.js';
import type { Health, HealthOptions } from './health.js';
import { assessHealth } from './health.js';
import type { KillSwitchResult } from './kill-switch.js';
import { evaluateKillSwitch } from './kill-switch.js';
import type { Policy } from './policy.js';
import type { IssueReason, RelaunchPlan, SkipReason } from './relaunch-plan.js';
import { buildRelaunchPlan } from './relaunch-plan.js';
import type { AttemptView, SweepSnapshot } from './snapshot.js';
import { currentConditions } from './snapshot.js';
import type { Decision, RootCause } from './types.js';

/**
 * The decision and the Outcome every use case returns. Tests assert reason codes, never
 * wording. Rule F1: while any job is live, only the kill switch and hard stops act; every
 * other intervention (relaunch, issues for the batch) waits until every job is terminal.
 */

export const REASON_CODES = [
  // decisions
  'paused',
  'empty_sweep',
  'complete',
  'all_healthy',
  'pending_legit',
  'pending_problem',
  'failures_within_band',
  'waiting_for_terminal',
  'degraded_watch',
  'systemic_root_cause',
  'hard_stop_config',
  'hard_stop_outputs',
  'hard_stop_crash_pattern',
  'kill_switch',
  'relaunch_budget_exhausted',
  // health bands (beside the shared ones above)
  'no_terminal_jobs',
  'degraded_failure_share',
  'degraded_outputs',
  'learning_signal_lost',
  // relaunch plan entries
  'deterministic_cause',
  'repeated_signature',
  'escalation_impossible',
  'not_auto_relaunched',
  'not_failed',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

// Every code the core emits is one of REASON_CODES: this fails to compile when one is missing.
type Emitted = Health['reasonCode'] | IssueReason | SkipReason | NonNullable<RelaunchPlan['refused']>;
type Assert<T extends true> = T;
export type EmittedCodesAreReasonCodes = Assert<[Emitted] extends [ReasonCode] ? true : false>;

export const RESULT_VERSION = 1;

export interface Outcome {
  readonly decision: Decision;
  readonly reasonCode: ReasonCode;
  readonly reason: string;
  readonly health: Health & { readonly reasonCode: ReasonCode };
  readonly counts: StateCounts;
  readonly groups: readonly FailureGroup[];
  readonly concentration: readonly Concentration[];
  readonly failedConditions: readonly string[];
  readonly killSwitch: KillSwitchResult;
  /** Jobs to cancel now (kill switch and hard stops); empty unless the decision is intervene. */
  readonly cancelJobIds: readonly string[];
  /** Null while jobs are live (F1). Attached as a proposal even when the decision is not intervene. */
  readonly relaunchPlan: RelaunchPlan | null;
  readonly cadence: Cadence;
  readonly nextPollSeconds: number;
  readonly relaunchCycle: number;
  readonly result: OutcomeResult;
}

/** The machine-readable `result` output: snake_case, versioned, JSON-safe. */
export interface OutcomeResult {
  readonly version: typeof RESULT_VERSION;
  readonly decision: Decision;
  readonly reason_code: ReasonCode;
  readonly band: Health['band'];
  readonly band_reason_code: ReasonCode;
  readonly counts: Readonly<Record<string, number>>;
  readonly root_causes: readonly {
    readonly root_cause: RootCause;
    readonly signature: string;
    readonly count: number;
    readonly share: number;
    readonly action: string;
  }[];
  readonly concentrations: readonly string[];
  readonly failed_conditions: readonly string[];
  readonly cancel_job_ids: readonly string[];
  readonly relaunch: {
    readonly cycle: number;
    readonly refused: string | null;
    readonly conditions: readonly string[];
    readonly deferred: readonly string[];
    readonly issues: readonly string[];
  } | null;
  readonly next_poll_seconds: number;
  readonly relaunch_cycle: number;
}

export interface EvaluateOptions {
  readonly health?: HealthOptions;
  readonly concentration?: ConcentrationOptions;
}

const HELD = /^JobHeld(User|Admin)$/;

/** A pending reason that will not resolve by waiting (flagged by the adapter, or held too long). */
export function isPendingProblem(attempt: AttemptView, policy: Policy): boolean {
  if (attempt.pendingProblem === true) return true;
  return (
    attempt.pendingReason !== undefined &&
    HELD.test(attempt.pendingReason) &&
    (attempt.pendingSinceSeconds ?? 0) > policy.pending.heldPatienceSeconds
  );
}

interface Verdict {
  readonly decision: Decision;
  readonly reasonCode: ReasonCode;
  readonly reason: string;
  readonly cancelJobIds?: readonly string[];
}

export function evaluateSweep(
  snapshot: SweepSnapshot,
  policy: Policy,
  options: EvaluateOptions = {},
): Outcome {
  const aggregation = aggregateFailures(snapshot, policy);
  const { counts, groups } = aggregation;
  const health = assessHealth(snapshot, policy, options.health, aggregation);
  const killSwitch = evaluateKillSwitch(snapshot, policy);
  const current = currentConditions(snapshot);
  const pendingProblems = current.filter(
    (c) => c.status === 'pending' && isPendingProblem(c.attempt, policy),
  );
  const systemicCauses = [...failuresByCause(groups)]
    .filter(([, n]) => counts.terminal > 0 && n / counts.terminal >= policy.bands.intervene)
    .map(([cause]): RootCause => cause);
  const plan = counts.live > 0 ? null : buildRelaunchPlan(snapshot, policy, { systemicCauses });

  const verdict = decide();
  const cadence = nextPoll(snapshot, policy, {
    band: health.band,
    suspect: pendingProblems.length > 0 || killSwitch.fired || verdict.decision !== 'no-intervention',
  });
  const outcome: Omit<Outcome, 'result'> = {
    decision: verdict.decision,
    reasonCode: verdict.reasonCode,
    reason: verdict.reason,
    health,
    counts,
    groups,
    concentration: analyzeConcentration(snapshot, options.concentration),
    failedConditions: current.filter((c) => c.status === 'failed').map((c) => c.condition.id),
    killSwitch,
    cancelJobIds: verdict.cancelJobIds ?? [],
    relaunchPlan: plan,
    cadence,
    nextPollSeconds: cadence.seconds,
    relaunchCycle: snapshot.relaunchCycles,
  };
  return { ...outcome, result: toResult(outcome) };

  function decide(): Verdict {
    if (snapshot.paused === true) {
      return {
        decision: 'no-intervention',
        reasonCode: 'paused',
        reason: 'sweepwatch is paused for this sweep',
      };
    }
    if (counts.total === 0) {
      return { decision: 'no-intervention', reasonCode: 'empty_sweep', reason: 'no job has been launched' };
    }
    // The two actions allowed at any time (F1's exceptions).
    const [stop] = health.hardStops;
    if (stop !== undefined) {
      const ids = [...health.hardStops.flatMap((s) => s.cancelJobIds), ...killSwitch.jobIds];
      const cancel = [...new Set(ids)].sort();
      return {
        decision: 'intervene',
        reasonCode: stop.reasonCode,
        reason: stop.reason,
        cancelJobIds: cancel,
      };
    }
    if (killSwitch.fired) {
      return {
        decision: 'intervene',
        reasonCode: 'kill_switch',
        reason: killSwitch.reason,
        cancelJobIds: killSwitch.jobIds,
      };
    }
    if (counts.live > 0) return whileLive();
    return whenTerminal();
  }

  function whileLive(): Verdict {
    const live = `${counts.live} jobs not terminal (${counts.pending} pending, ${counts.running} running)`;
    if (health.band === 'systemic') {
      return { decision: 'watch', reasonCode: 'waiting_for_terminal', reason: `${health.reason}; ${live}` };
    }
    if (pendingProblems.length > 0) {
      const reasons = [...new Set(pendingProblems.map((c) => c.attempt.pendingReason ?? 'flagged'))];
      const reason = `${pendingProblems.length} pending jobs will not start by waiting (${reasons.join(', ')})`;
      return { decision: 'watch', reasonCode: 'pending_problem', reason };
    }
    if (health.band === 'degraded') {
      return { decision: 'watch', reasonCode: 'degraded_watch', reason: `${health.reason}; ${live}` };
    }
    if (counts.running === 0 && counts.unknown === 0) {
      return {
        decision: 'no-intervention',
        reasonCode: 'pending_legit',
        reason: `${counts.pending} jobs queued`,
      };
    }
    const reasonCode = counts.failed > 0 ? 'failures_within_band' : 'all_healthy';
    return { decision: 'no-intervention', reasonCode, reason: `${health.reason}; ${live}` };
  }

  function whenTerminal(): Verdict {
    if (health.band === 'healthy') {
      const clean = counts.failed === 0;
      return {
        decision: 'no-intervention',
        reasonCode: clean ? 'complete' : 'failures_within_band',
        reason: clean ? `all ${counts.succeeded} jobs completed` : health.reason,
      };
    }
    if (health.band === 'degraded') {
      return { decision: 'watch', reasonCode: 'degraded_watch', reason: health.reason };
    }
    // F4: past the relaunch budget, a systemic batch goes to a person as an issue.
    if (plan?.refused === 'relaunch_budget_exhausted') {
      const reason = `${health.reason}; ${snapshot.relaunchCycles} of ${policy.maxRelaunchCycles} relaunch cycles used: opening an issue`;
      return { decision: 'intervene', reasonCode: 'relaunch_budget_exhausted', reason };
    }
    return { decision: 'intervene', reasonCode: 'systemic_root_cause', reason: health.reason };
  }
}

function toResult(o: Omit<Outcome, 'result'>): OutcomeResult {
  const { byState: _byState, ...counts } = o.counts;
  const plan = o.relaunchPlan;
  return {
    version: RESULT_VERSION,
    decision: o.decision,
    reason_code: o.reasonCode,
    band: o.health.band,
    band_reason_code: o.health.reasonCode,
    counts,
    root_causes: o.groups.map((g) => ({
      root_cause: g.rootCause,
      signature: g.signature,
      count: g.count,
      share: g.share,
      action: g.action,
    })),
    concentrations: o.concentration.flatMap((c) => (c.line !== undefined ? [c.line] : [])),
    failed_conditions: o.failedConditions,
    cancel_job_ids: o.cancelJobIds,
    relaunch:
      plan === null
        ? null
        : {
            cycle: plan.cycle,
            refused: plan.refused ?? null,
            conditions: plan.relaunch.map((i) => i.conditionId),
            deferred: plan.deferred.map((i) => i.conditionId),
            issues: plan.issues.map((i) => i.conditionId),
          },
    next_poll_seconds: o.nextPollSeconds,
    relaunch_cycle: o.relaunchCycle,
  };
}
