/** Use-case results → the `--json` shapes of json-output.ts. */
import type { z } from 'zod';
import type { DryRunAction } from '../app/dry-run.js';
import type { RelaunchResult } from '../app/relaunch.js';
import { getAttempt } from '../core/manifest-model.js';
import type { Outcome } from '../core/outcome.js';
import type { relaunchJson, tickJson } from './json-output.js';
import type { TickStep } from './tick-session.js';

type Verdict = Pick<
  Outcome,
  'decision' | 'reason' | 'health' | 'counts' | 'groups' | 'concentration' | 'relaunchCycle'
> & {
  readonly reasonCode: string;
};

export function verdictJson(experiment: string, o: Verdict) {
  const { byState: _byState, ...counts } = o.counts;
  return {
    experiment,
    decision: o.decision,
    reason_code: o.reasonCode,
    reason: o.reason,
    band: o.health.band,
    counts,
    root_causes: o.groups.map((g) => ({
      root_cause: g.rootCause,
      signature: g.signature,
      count: g.count,
      share: g.share,
      action: g.action,
    })),
    concentrations: o.concentration.flatMap((c) => (c.line === undefined ? [] : [c.line])),
    relaunch_cycle: o.relaunchCycle,
  };
}

export function relaunchToJson(r: RelaunchResult): z.input<typeof relaunchJson> {
  return {
    cycle: r.cycle,
    reason_code: r.reasonCode,
    reason: r.reason,
    submitted: r.submitted.map((s) => ({ condition_id: s.conditionId, job_id: s.jobId })),
    held: [...r.held],
    refused: r.refused.map((x) => ({ condition_id: x.conditionId, reason: x.reason })),
    quarantined: r.quarantined.length,
  };
}

export function dryRunJson(actions: readonly DryRunAction[]): { kind: string; detail: string }[] {
  return actions.map((a): { kind: string; detail: string } => {
    switch (a.kind) {
      case 'submit':
        return { kind: a.kind, detail: `${a.request.name} as ${a.jobId}` };
      case 'cancel':
        return { kind: a.kind, detail: a.jobIds.join(', ') };
      case 'ensure_issue':
        return { kind: a.kind, detail: `${a.outcome}: ${a.title}` };
      case 'close_issue':
        return { kind: a.kind, detail: `#${a.issue}` };
      case 'dispatch':
        return { kind: a.kind, detail: a.inputs.payload ?? '' };
      case 'save':
        return { kind: a.kind, detail: `manifest of ${a.manifest.experiment}` };
      default:
        return { kind: a.kind, detail: `${a.paths.join(', ')} → ${a.dest}` };
    }
  });
}

export function tickStepJson(experiment: string, step: TickStep): Omit<z.input<typeof tickJson>, 'command'> {
  const r = step.result;
  return {
    at: step.at,
    ...verdictJson(experiment, r),
    next_poll_seconds: r.nextPollSeconds,
    changed: r.changed,
    newly_failed: r.newlyFailed.map((ref) => {
      const a = getAttempt(r.manifest, ref);
      return {
        condition_id: ref.conditionId,
        job_id: a?.jobId ?? null,
        root_cause: a?.classification?.rootCause ?? 'unknown',
      };
    }),
    relaunches: step.relaunches.map(relaunchToJson),
    relaunch_errors: [...step.relaunchErrors],
    notes: [...r.actions.notes, ...r.actions.errors],
    dry_run: step.dryRun === null ? null : dryRunJson(step.dryRun.actions),
  };
}
