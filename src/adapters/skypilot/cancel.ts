/**
 * cancel(): `sky jobs cancel -y <ids>` for our jobs only, checked before anything is sent:
 * 1. Here: ids outside the manifest scope, or not managed job ids, are refused unsent.
 * 2. The queue (one call): unknown ids, names outside the sweep's prefix and finished jobs are
 *    refused. The queue lists only the caller's jobs, so another user's id is "not found", and
 *    sky's cancel itself skips jobs that are not the caller's.
 * 3. One `sky jobs cancel`, its per-job answers read back:
 *    `Job(s) with ID(s) 5, 6 is/are scheduled to be cancelled.`, `Job 7 not found. Skipped.`,
 *    `Job 7 is already in terminal state SUCCEEDED. Skipped.` (sky/jobs/utils.py
 *    cancel_jobs_by_id, identical wording 0.6 … 0.13).
 */
import { isTerminal } from '../../core/types.js';
import type { CancelRefusal, CancelResult, CancelScope } from '../../ports/scheduler.js';
import { type Transport, TransportError } from '../../ports/transport.js';
import { clip } from '../slurm/fields.js';
import { isSkyJobId } from './log-refs.js';
import { type QueueQueryOptions, queryQueue } from './queue-query.js';
import { parseFramed, SKY_PRELUDE } from './script.js';
import { normalizeSkyStatus } from './states.js';
import { stripAnsi } from './text-table.js';

/** $1 nonce, then the sky argv (`sky jobs cancel -y <ids>`). */
export const CANCEL_SCRIPT = `${SKY_PRELUDE}
shift 1
run cancel 0 "$@"
finish
`;

type Refused = CancelResult['refused'][number];

export interface CancelContext {
  readonly transport: Transport;
  readonly queue: QueueQueryOptions;
  readonly skyCommand: readonly string[];
  readonly nonce: string;
  readonly timeoutMs: number;
}

export async function cancelJobs(
  ctx: CancelContext,
  jobIds: readonly string[],
  scope: CancelScope,
): Promise<CancelResult> {
  const inScope = new Set(scope.jobIds);
  const refused: Refused[] = [];
  const refuse = (jobId: string, reason: CancelRefusal, detail: string) =>
    refused.push({ jobId, reason, detail });
  const candidates: string[] = [];
  for (const id of new Set(jobIds)) {
    if (!isSkyJobId(id)) refuse(id, 'invalid_id', 'not a SkyPilot managed job id');
    else if (!inScope.has(id)) refuse(id, 'not_in_scope', 'not in this sweep');
    else candidates.push(id);
  }
  if (candidates.length === 0) return { cancelled: [], refused };

  let send: string[];
  try {
    const answer = await queryQueue(ctx.transport, ctx.queue);
    const jobs = new Map((answer.parse?.jobs ?? []).map((j) => [j.jobId, j]));
    send = [];
    for (const id of candidates) {
      const job = jobs.get(id);
      if (!job) {
        if (answer.complete) refuse(id, 'not_found', 'sky jobs queue does not list this job for the user');
        else
          refuse(
            id,
            'scheduler_error',
            `could not check the job first: ${answer.errors[0]?.message ?? 'no queue'}`,
          );
      } else if (
        scope.namePrefix !== undefined &&
        scope.namePrefix !== '' &&
        !job.name?.startsWith(scope.namePrefix)
      ) {
        refuse(id, 'name_mismatch', `the job's name '${job.name ?? ''}' is outside the sweep's prefix`);
      } else if (isTerminal(normalizeSkyStatus(job.status))) {
        refuse(id, 'already_finished', `the job has already finished (${job.status})`);
      } else send.push(id);
    }
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    for (const id of candidates) refuse(id, 'scheduler_error', error.message);
    return { cancelled: [], refused };
  }
  if (send.length === 0) return { cancelled: [], refused };

  const argv = [
    'sh',
    '-c',
    CANCEL_SCRIPT,
    'sweepwatch-sky-cancel',
    ctx.nonce,
    ...ctx.skyCommand,
    'jobs',
    'cancel',
    '-y',
    ...send,
  ];
  let text: string;
  let rc: number | null;
  try {
    const out = await ctx.transport.exec(argv, { timeoutMs: ctx.timeoutMs });
    const section = parseFramed(out.stdout, out.stderr, ctx.nonce).sections.find(
      (s) => s.source === 'cancel',
    );
    text = stripAnsi(`${section?.lines.join('\n') ?? ''}\n${section?.stderr ?? out.stderr}`);
    rc = section?.rc ?? null;
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    for (const id of send) refuse(id, 'scheduler_error', error.message);
    return { cancelled: [], refused };
  }
  return readCancelOutput(send, text, rc, refused);
}

/** Sorts the sent ids by sky's per-job answers; an id sky did not mention is not claimed cancelled. */
export function readCancelOutput(
  send: readonly string[],
  text: string,
  rc: number | null,
  refused: Refused[],
): CancelResult {
  const scheduled = new Set<string>();
  for (const m of text.matchAll(/Jobs? with IDs? ([\d,\s]+?) (?:is|are) scheduled to be cancelled/g)) {
    for (const id of (m[1] ?? '').split(/[,\s]+/)) if (id !== '') scheduled.add(id);
  }
  const cancelled: string[] = [];
  for (const id of send) {
    const notFound = new RegExp(`Job ${id} not found`).test(text);
    const terminal = new RegExp(`Job ${id} is already in terminal state (\\w+)`).exec(text);
    if (scheduled.has(id)) cancelled.push(id);
    else if (notFound) refused.push({ jobId: id, reason: 'not_found', detail: `sky: Job ${id} not found` });
    else if (terminal)
      refused.push({ jobId: id, reason: 'already_finished', detail: `sky: already ${terminal[1]}` });
    else {
      const line =
        text.split('\n').find((l) => l.trim() !== '') ?? `sky jobs cancel exited ${rc ?? 'abnormally'}`;
      refused.push({ jobId: id, reason: 'scheduler_error', detail: clip(line.trim()) });
    }
  }
  return { cancelled, refused };
}
