/**
 * observe() and findByName(): the state files, read and mapped onto the normalized vocabulary
 * the Slurm adapter produces. There is no remote side, so one call is one "round trip" by
 * construction. A job whose supervisor is lost is reported NODE_FAIL with reason
 * `supervisor lost`: as with a Slurm node failure, the host lost the job and nobody recorded
 * its end.
 */
import { readdirSync } from 'node:fs';
import type { JobObservation } from '../../core/types.js';
import {
  type ObservationError,
  type ObserveDiagnostic,
  type ObserveResult,
  SchedulerError,
} from '../../ports/scheduler.js';
import { type FoundJob, fenceLostJob, type ViewOptions, viewJob } from './local-job-view.js';
import { errorCode, errorMessage, isLocalJobId, layoutOf } from './local-layout.js';

export interface ObserveContext {
  readonly stateDir: string;
  readonly now: () => Date;
  readonly startGraceMs: number;
  /** `nodes` of every observation. */
  readonly host: string;
}

export const SUPERVISOR_LOST = 'supervisor lost';

export function observeLocal(jobIds: readonly string[], ctx: ObserveContext): ObserveResult {
  const observations = new Map<string, JobObservation>();
  const missing: string[] = [];
  const unobserved: string[] = [];
  const diagnostics: ObserveDiagnostic[] = [];
  const errors: ObservationError[] = [];
  const options = viewOptions(ctx);
  for (const id of new Set(jobIds)) {
    if (!isLocalJobId(id)) {
      missing.push(id);
      diagnostics.push({ source: 'input', line: id.slice(0, 200), why: 'not a local job id; not queried' });
      continue;
    }
    const view = viewJob(ctx.stateDir, id, options);
    if (view.kind === 'missing') missing.push(id);
    else if (view.kind === 'unreadable') {
      // A monitoring error: the caller keeps the job's last state.
      unobserved.push(id);
      errors.push({ kind: 'query_failed', source: 'state', message: `job ${id}: ${view.message}` });
    } else {
      fenceLostJob(view);
      observations.set(id, toObservation(view, options.now, ctx.host));
    }
  }
  return { observations, missing, unobserved, diagnostics, errors };
}

/** Every job whose name starts with the prefix; refuses to answer from a partly unreadable directory. */
export function findLocal(namePrefix: string, ctx: ObserveContext): JobObservation[] {
  if (namePrefix === '') throw new TypeError('findByName needs a non-empty prefix: it would adopt every job');
  let entries: string[];
  try {
    entries = readdirSync(layoutOf(ctx.stateDir).jobsDir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw new SchedulerError('state', `cannot list the local jobs: ${errorMessage(error)}`);
  }
  const options = viewOptions(ctx);
  const found: JobObservation[] = [];
  for (const id of entries.filter(isLocalJobId).sort((a, b) => Number(a) - Number(b))) {
    const view = viewJob(ctx.stateDir, id, options);
    if (view.kind === 'unreadable') {
      // A job we fail to see here would be submitted a second time.
      throw new SchedulerError('state', `cannot read local job ${id}: ${view.message}`);
    }
    if (view.kind === 'missing' || !view.job.name.startsWith(namePrefix)) continue;
    fenceLostJob(view);
    found.push(toObservation(view, options.now, ctx.host));
  }
  return found;
}

function viewOptions(ctx: ObserveContext): ViewOptions {
  return { now: ctx.now(), startGraceMs: ctx.startGraceMs };
}

export function toObservation(view: FoundJob, now: Date, host: string): JobObservation {
  const { job, state } = view;
  const reported = view.lost ? 'NODE_FAIL' : state.state;
  const rawState =
    reported === 'CANCELLED' && state.cancelledBy !== undefined
      ? `CANCELLED by ${state.cancelledBy}`
      : reported;
  const reason = view.lost ? SUPERVISOR_LOST : state.reason;
  // A lost job's end was never recorded: no end time, and no elapsed time that keeps growing.
  const endedAt = view.lost ? undefined : state.endedAt;
  const elapsedEnd = endedAt !== undefined ? Date.parse(endedAt) : view.lost ? undefined : now.getTime();
  const elapsedSeconds =
    state.startedAt === undefined || elapsedEnd === undefined
      ? undefined
      : Math.max(0, Math.floor((elapsedEnd - Date.parse(state.startedAt)) / 1000));
  return {
    jobId: job.jobId,
    state: reported,
    rawState,
    ...(reason !== undefined ? { reason } : {}),
    ...(state.exit !== undefined ? { exit: state.exit } : {}),
    submittedAt: job.submittedAt,
    ...(state.startedAt !== undefined ? { startedAt: state.startedAt } : {}),
    ...(endedAt !== undefined ? { endedAt } : {}),
    ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}),
    nodes: host,
    stdoutPath: job.stdoutPath,
    stderrPath: job.stderrPath,
    name: job.name,
    ...(reported === 'PENDING'
      ? { pendingSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(job.submittedAt)) / 1000)) }
      : {}),
    source: 'local',
  };
}
