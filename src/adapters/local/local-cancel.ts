/**
 * cancel(): only jobs of the scope, of this state directory, of this user and under the
 * sweep's name prefix. A cancel is a request the supervisor carries out: the `cancel` file
 * (which also says who asked), then SIGTERM to the supervisor so that it acts at once. The
 * supervisor ends the process group (SIGTERM, SIGKILL after the grace) and records CANCELLED;
 * like scancel, this returns before that has happened.
 */
import type { CancelRefusal, CancelResult, CancelScope } from '../../ports/scheduler.js';
import { type FoundJob, fenceLostJob, viewJob } from './local-job-view.js';
import { errorCode, errorMessage, isLocalJobId, writeJsonAtomic } from './local-layout.js';
import type { ObserveContext } from './local-observe.js';
import { isAlive } from './local-proc.js';
import { type CancelRequest, isFinal, processIdentitySchema, readRecord } from './local-records.js';

type Refused = CancelResult['refused'][number];

export interface CancelContext extends ObserveContext {
  /** The canceller's uid: only its own jobs may be cancelled. */
  readonly uid: number;
}

export function cancelLocal(jobIds: readonly string[], scope: CancelScope, ctx: CancelContext): CancelResult {
  const inScope = new Set(scope.jobIds);
  const cancelled: string[] = [];
  const refused: Refused[] = [];
  const refuse = (jobId: string, reason: CancelRefusal, detail: string) =>
    refused.push({ jobId, reason, detail });
  const options = { now: ctx.now(), startGraceMs: ctx.startGraceMs };
  for (const id of new Set(jobIds)) {
    if (!isLocalJobId(id)) {
      refuse(id, 'invalid_id', 'not a local job id');
      continue;
    }
    if (!inScope.has(id)) {
      refuse(id, 'not_in_scope', 'not in this sweep');
      continue;
    }
    const view = viewJob(ctx.stateDir, id, options);
    if (view.kind === 'missing') {
      refuse(id, 'not_found', `no job ${id} in ${ctx.stateDir}`);
    } else if (view.kind === 'unreadable') {
      refuse(id, 'scheduler_error', view.message);
    } else if (view.job.uid !== ctx.uid) {
      refuse(id, 'other_user', `the job belongs to ${view.job.user}`);
    } else if (scope.namePrefix !== undefined && !view.job.name.startsWith(scope.namePrefix)) {
      refuse(id, 'name_mismatch', "the job's name is outside the sweep's prefix");
    } else if (isFinal(view.state.state)) {
      refuse(id, 'already_finished', `the job has already finished (${view.state.state})`);
    } else if (view.lost) {
      fenceLostJob(view);
      refuse(id, 'already_finished', 'its supervisor was lost: the job is over (NODE_FAIL)');
    } else {
      const failure = requestCancel(view, ctx);
      if (failure === undefined) cancelled.push(id);
      else refuse(id, failure.reason, failure.detail);
    }
  }
  return { cancelled, refused };
}

function requestCancel(
  view: FoundJob,
  ctx: CancelContext,
): { reason: CancelRefusal; detail: string } | undefined {
  const request: CancelRequest = { uid: ctx.uid, at: ctx.now().toISOString() };
  try {
    writeJsonAtomic(view.files.cancel, request);
    // Before its first write the supervisor is known only from supervisor.json; if neither
    // exists yet, it reads the cancel file as soon as it starts.
    const supervisor = view.state.supervisor ?? readRecord(view.files.supervisor, processIdentitySchema);
    if (supervisor !== undefined && isAlive(supervisor)) process.kill(supervisor.pid, 'SIGTERM');
    return undefined;
  } catch (error) {
    // ESRCH: it ended between the check and the signal, without seeing the request.
    if (errorCode(error) === 'ESRCH')
      return { reason: 'already_finished', detail: 'the job has just finished' };
    return { reason: 'scheduler_error', detail: errorMessage(error) };
  }
}
