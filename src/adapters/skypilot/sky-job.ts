/**
 * One managed job as the queue reports it, whatever the form (JSON records or a text table),
 * and its JobObservation. A job is one row per task in SkyPilot (pipelines have several); the
 * parsers aggregate them here the way SkyPilot does (the first task that has not SUCCEEDED
 * decides the status, recoveries add up), so one observation stands for one job id.
 */
import type { JobObservation } from '../../core/types.js';
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { logRef } from './log-refs.js';
import { normalizeSkyStatus, skyStatusWord, statusReason } from './states.js';
import { stripAnsi } from './text-table.js';

export interface SkyJob {
  /** The managed job id, digits. */
  readonly jobId: string;
  readonly name?: string;
  /** The raw status word (`RUNNING`, `FAILED_SETUP`, or a word this adapter does not know). */
  readonly status: string;
  /** Preemptions (and failures) recovered from, over every task. */
  readonly recoveries?: number;
  /** Seconds the job has run, provisioning and recovery excluded. */
  readonly jobDurationSeconds?: number;
  /** Epoch seconds (JSON only: the table shows them humanized). */
  readonly submittedAt?: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** A lower bound from the table's relative SUBMITTED (`2 hrs ago`). */
  readonly submittedAgoSeconds?: number;
  /** The failure reason or the details line of the task that decides the status. */
  readonly failureReason?: string;
  readonly details?: string;
  /** The cluster the job runs on, when the queue shows it. */
  readonly cluster?: string;
  readonly user?: string;
  /** How many tasks the job has (1 for a plain job). */
  readonly tasks: number;
}

/** What a queue parser makes of one `sky jobs queue` output. */
export interface QueueParse {
  readonly jobs: readonly SkyJob[];
  readonly diagnostics: readonly ObserveDiagnostic[];
  /** Set when the output holds no queue at all: the sky's own message (controller down, …). */
  readonly failure?: string;
  /** The output says it shows only part of the queue (`Only showing the latest 50 …`). */
  readonly partial: boolean;
}

/** `-`, `None`, empty: SkyPilot's ways of saying "no value". */
export function present(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined) return undefined;
  const t = stripAnsi(text).trim();
  return t === '' || t === '-' || t === 'None' || t === 'null' ? undefined : t;
}

export interface ObservationContext {
  /** The cluster's clock (epoch seconds) when the queue was read. */
  readonly remoteEpoch?: number;
  /** `sky jobs queue (json)` or `sky jobs queue (table)`. */
  readonly source: string;
}

function iso(epochSeconds: number | undefined): string | undefined {
  if (epochSeconds === undefined || !Number.isFinite(epochSeconds) || epochSeconds <= 0) return undefined;
  return new Date(Math.round(epochSeconds * 1000)).toISOString().replace(/\.000Z$/, 'Z');
}

export function toObservation(job: SkyJob, context: ObservationContext): JobObservation {
  const state = normalizeSkyStatus(job.status);
  const failure = present(job.failureReason);
  const reason =
    (state === 'FAILED' ? failure : undefined) ?? statusReason(job.status) ?? present(job.details);
  let pendingSeconds: number | undefined;
  if (state === 'PENDING') {
    if (job.submittedAt !== undefined && context.remoteEpoch !== undefined)
      pendingSeconds = Math.max(0, Math.round(context.remoteEpoch - job.submittedAt));
    else pendingSeconds = job.submittedAgoSeconds;
  }
  const submittedAt = iso(job.submittedAt);
  const startedAt = iso(job.startedAt);
  const endedAt = iso(job.endedAt);
  const ref = logRef(job.jobId);
  return {
    jobId: job.jobId,
    state,
    rawState: skyStatusWord(job.status),
    ...(reason !== undefined ? { reason } : {}),
    ...(submittedAt !== undefined ? { submittedAt } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(endedAt !== undefined ? { endedAt } : {}),
    ...(job.jobDurationSeconds !== undefined ? { elapsedSeconds: Math.round(job.jobDurationSeconds) } : {}),
    ...(job.cluster !== undefined ? { nodes: job.cluster } : {}),
    ...(job.recoveries !== undefined ? { restarts: job.recoveries } : {}),
    stdoutPath: ref,
    stderrPath: ref,
    ...(job.name !== undefined ? { name: job.name } : {}),
    ...(pendingSeconds !== undefined ? { pendingSeconds } : {}),
    source: context.source,
  };
}
