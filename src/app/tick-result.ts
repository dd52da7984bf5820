/**
 * What a tick returns: the decision core's Outcome, plus what only the tick knows (the
 * observation's errors, the newly failed attempts, the actions it took, whether anything
 * changed) and the job summary. The `result` JSON extends the core's with the same.
 */
import type { AttemptRef, Manifest } from '../core/manifest.js';
import type { Outcome, OutcomeResult, ReasonCode } from '../core/outcome.js';
import type { ReportedActions } from '../core/report.js';
import type { ObservationError, ObserveDiagnostic } from '../ports/scheduler.js';

/** The tick's own reason code beside the core's: nothing could be observed this time. */
export type TickReasonCode = ReasonCode | 'observation_failed';

export type TickActions = ReportedActions;

export interface TickResult extends Omit<Outcome, 'reasonCode' | 'result'> {
  readonly reasonCode: TickReasonCode;
  readonly observationErrors: readonly ObservationError[];
  readonly diagnostics: readonly ObserveDiagnostic[];
  /** Attempts that entered a failed state this tick (the ones diagnosed). */
  readonly newlyFailed: readonly AttemptRef[];
  /** Log tail requests made, all in one readLogTails call. */
  readonly logTailRequests: number;
  readonly actions: TickActions;
  /** False: same states, same decision, nothing done; nothing was written. */
  readonly changed: boolean;
  /** The manifest as saved (or as loaded when nothing changed). */
  readonly manifest: Manifest;
  readonly summaryMarkdown: string;
  readonly result: TickResultJson;
}

export interface TickResultJson extends Omit<OutcomeResult, 'reason_code'> {
  readonly reason_code: TickReasonCode;
  readonly changed: boolean;
  readonly observation_errors: readonly {
    readonly kind: string;
    readonly source: string;
    readonly message: string;
  }[];
  readonly actions: {
    readonly cancelled: readonly string[];
    readonly issues_created: readonly number[];
    readonly issues_updated: readonly number[];
    readonly issues_closed: readonly number[];
    readonly dispatched: {
      readonly cycle: number;
      readonly conditions: number;
      readonly release: boolean;
    } | null;
    readonly errors: readonly string[];
  };
}

export const NO_ACTIONS: TickActions = {
  cancelled: [],
  cancelRefused: [],
  issuesCreated: [],
  issuesUpdated: [],
  issuesClosed: [],
  dispatch: null,
  notes: [],
  errors: [],
};

/** Whether the actions wrote anything anyone would notice. */
export function actedUpon(a: TickActions): boolean {
  return (
    a.cancelled.length > 0 ||
    a.issuesCreated.length > 0 ||
    a.issuesUpdated.length > 0 ||
    a.issuesClosed.length > 0 ||
    a.dispatch !== null
  );
}

export function resultJson(
  base: OutcomeResult,
  patch: {
    readonly reasonCode: TickReasonCode;
    readonly decision: OutcomeResult['decision'];
    readonly cancelJobIds: readonly string[];
    readonly changed: boolean;
    readonly errors: readonly ObservationError[];
    readonly actions: TickActions;
  },
): TickResultJson {
  const a = patch.actions;
  return {
    ...base,
    decision: patch.decision,
    reason_code: patch.reasonCode,
    cancel_job_ids: patch.cancelJobIds,
    changed: patch.changed,
    observation_errors: patch.errors.map((e) => ({ kind: e.kind, source: e.source, message: e.message })),
    actions: {
      cancelled: a.cancelled,
      issues_created: a.issuesCreated,
      issues_updated: a.issuesUpdated,
      issues_closed: a.issuesClosed,
      dispatched:
        a.dispatch === null
          ? null
          : { cycle: a.dispatch.cycle, conditions: a.dispatch.conditions, release: a.dispatch.release },
      errors: a.errors,
    },
  };
}
