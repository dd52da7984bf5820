/**
 * The launch: preflight, then every condition of the sweep that has no attempt yet is
 * submitted (cycle 0). Safe to run again: conditions already submitted are skipped, and
 * submissions cut off by a crash are adopted from the cluster by their scoped job name.
 */
import { factorialOf, type SweepConfig } from '../config/sweep-config.js';
import { expandConditions } from '../core/conditions.js';
import { createManifest, type Manifest } from '../core/manifest.js';
import { latestAttempt } from '../core/manifest-model.js';
import { renderLaunchSummary } from '../core/report-launch.js';
import type { Clock } from '../ports/clock.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { PreflightReport, PreflightRequest, Scheduler } from '../ports/scheduler.js';
import type { SaveWithRetryOptions, StateStore } from '../ports/state-store.js';
import { adoptInFlight } from './adopt.js';
import { submitBatch } from './submit-batch.js';

export interface LaunchDeps {
  readonly store: StateStore;
  readonly scheduler: Pick<Scheduler, 'preflight' | 'submit' | 'findByName'>;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly saveOptions?: SaveWithRetryOptions;
}

export interface LaunchInput {
  readonly config: SweepConfig;
  /** Commit or image digest the jobs run; relaunches compare against it (F3). */
  readonly digest: string;
  /** Who launched (a GitHub login, or the CLI user). */
  readonly requestedBy: string;
  /** Attempts opened and saved per round (default 50). */
  readonly chunkSize?: number;
}

export type LaunchReasonCode =
  | 'launched'
  | 'nothing_to_submit'
  | 'preflight_failed'
  | 'sweep_changed'
  | 'submission_rejected'
  | 'submit_interrupted';

export interface LaunchResult {
  readonly reasonCode: LaunchReasonCode;
  readonly reason: string;
  readonly preflight: PreflightReport;
  readonly submitted: readonly { readonly conditionId: string; readonly jobId: string }[];
  readonly adopted: readonly { readonly conditionId: string; readonly jobId: string }[];
  readonly rejected: readonly { readonly conditionId: string; readonly message: string }[];
  /** Conditions that already had an attempt. */
  readonly skipped: number;
  /** null when nothing was written (a refused launch). */
  readonly manifest: Manifest | null;
  readonly summaryMarkdown: string;
}

/** Only fixed directories are checked: a templated one does not exist before its job. */
export function preflightRequestOf(config: SweepConfig): PreflightRequest {
  const r = config.template.resources;
  const fixed = [config.template.logDir, config.template.workdir].filter(
    (d): d is string => d !== null && !d.includes('{'),
  );
  return {
    ...(r.partition !== null ? { partitions: [r.partition] } : {}),
    ...(r.account !== null ? { accounts: [r.account] } : {}),
    ...(r.qos !== null ? { qos: [r.qos] } : {}),
    ...(fixed.length > 0 ? { writableDirs: fixed } : {}),
  };
}

function sameConditions(m: Manifest, ids: readonly string[]): boolean {
  return m.conditions.length === ids.length && ids.every((id, i) => m.conditions[i]?.id === id);
}

export async function launch(deps: LaunchDeps, input: LaunchInput): Promise<LaunchResult> {
  const logger = deps.logger ?? silentLogger;
  const { config } = input;
  const preflight = await deps.scheduler.preflight(preflightRequestOf(config));
  const base = { preflight, submitted: [], adopted: [], rejected: [], skipped: 0 };
  const refuse = (reasonCode: LaunchReasonCode, reason: string): LaunchResult => {
    const result = { ...base, reasonCode, reason, manifest: null };
    return { ...result, summaryMarkdown: renderLaunchSummary(config.experiment, result) };
  };
  if (!preflight.ok) {
    const problems = preflight.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    return refuse('preflight_failed', `preflight failed: ${problems.join('; ')}`);
  }
  const conditions = expandConditions(factorialOf(config));
  const loaded = await deps.store.load();
  if (
    loaded !== null &&
    !sameConditions(
      loaded.manifest,
      conditions.map((c) => c.id),
    )
  ) {
    return refuse(
      'sweep_changed',
      `the sweep file's conditions differ from the ${loaded.manifest.conditions.length} launched ones; ` +
        'start a new experiment id for a different grid',
    );
  }
  const adoption = loaded === null ? null : await adoptInFlight(deps, loaded.manifest);
  const current = adoption?.manifest ?? null;
  // Cycle 0 only: a refused submission is retried (it never ran), anything else is kept.
  const wanted = (c: Manifest['conditions'][number]) => {
    const last = latestAttempt(c);
    return last === null || (last.phase === 'submit_failed' && last.cycle === 0);
  };
  const todo = current === null ? conditions : current.conditions.filter(wanted);
  const at = deps.clock.now().toISOString();
  const batch = await submitBatch(
    { ...deps, logger },
    config,
    todo.map((c) => ({ conditionId: c.id, cycle: 0, requested: null })),
    {
      chunkSize: input.chunkSize ?? 50,
      wanted,
      prepare: (m) =>
        m ??
        createManifest({
          experiment: config.experiment,
          sweepDigest: config.digest,
          factorNames: config.factors.map((f) => f.name),
          conditions,
          launch: { digest: input.digest, reason: 'launch', requestedBy: input.requestedBy, at },
        }),
    },
  );
  const result = {
    preflight,
    submitted: batch.submitted,
    adopted: adoption?.adopted ?? [],
    rejected: batch.rejected,
    skipped: conditions.length - todo.length,
    manifest: batch.manifest,
    ...verdict(batch.submitted.length, batch.rejected.length, batch.interrupted),
  };
  logger.info(`launch: ${result.reason}`);
  return { ...result, summaryMarkdown: renderLaunchSummary(config.experiment, result) };
}

function verdict(
  submitted: number,
  rejected: number,
  interrupted: string | null,
): { reasonCode: LaunchReasonCode; reason: string } {
  if (interrupted !== null) {
    return {
      reasonCode: 'submit_interrupted',
      reason: `submission interrupted after ${submitted} jobs (${interrupted}); run launch again to adopt and continue`,
    };
  }
  if (rejected > 0) {
    return {
      reasonCode: 'submission_rejected',
      reason: `${submitted} submitted, ${rejected} rejected by the scheduler`,
    };
  }
  return submitted > 0
    ? { reasonCode: 'launched', reason: `${submitted} jobs submitted` }
    : { reasonCode: 'nothing_to_submit', reason: 'every condition already has an attempt' };
}
