/**
 * One job as the state directory tells it, for observe, cancel and findByName: its request,
 * its last recorded state, and whether the supervisor that should be writing that state is
 * gone (a reboot, a SIGKILL, an OOM kill of the supervisor itself). Such a job is "lost": its
 * state.json still says PENDING or RUNNING, but nothing will ever change it.
 */
import { errorMessage, type JobFiles, jobFiles } from './local-layout.js';
import { groupSurvives, isAlive, signalGroup } from './local-proc.js';
import {
  isFinal,
  type JobRecord,
  jobRecordSchema,
  processIdentitySchema,
  readRecord,
  type StateRecord,
  stateRecordSchema,
} from './local-records.js';

export interface FoundJob {
  readonly kind: 'found';
  readonly files: JobFiles;
  readonly job: JobRecord;
  readonly state: StateRecord;
  /** Not final, and its supervisor is dead (or never started within the grace). */
  readonly lost: boolean;
}

export type JobView =
  | FoundJob
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly message: string };

export interface ViewOptions {
  readonly now: Date;
  /** How long a job may have no live supervisor on record after its submission. */
  readonly startGraceMs: number;
}

export function viewJob(stateDir: string, jobId: string, options: ViewOptions): JobView {
  const files = jobFiles(stateDir, jobId);
  try {
    // A directory without job.json is an id being allocated (or a refused submit): no job.
    const job = readRecord(files.job, jobRecordSchema);
    if (job === undefined) return { kind: 'missing' };
    const state = readRecord(files.state, stateRecordSchema) ?? {
      state: 'PENDING',
      reason: 'None',
      updatedAt: job.submittedAt,
    };
    if (isFinal(state.state) || !supervisorGone(files, job, state, options)) {
      return { kind: 'found', files, job, state, lost: false };
    }
    // It may have written its last state and exited between the two reads.
    const last = readRecord(files.state, stateRecordSchema) ?? state;
    return { kind: 'found', files, job, state: last, lost: !isFinal(last.state) };
  } catch (error) {
    return { kind: 'unreadable', message: errorMessage(error) };
  }
}

function supervisorGone(files: JobFiles, job: JobRecord, state: StateRecord, options: ViewOptions): boolean {
  const supervisor = state.supervisor ?? readRecord(files.supervisor, processIdentitySchema);
  if (supervisor === undefined) {
    return options.now.getTime() - Date.parse(job.submittedAt) > options.startGraceMs;
  }
  return !isAlive(supervisor);
}

/**
 * A lost job's command may still be running: a SIGKILLed supervisor leaves its process group
 * orphaned, with no time or memory limit. It is killed, so the relaunch that NODE_FAIL invites
 * never runs beside it. Returns true when something was killed.
 */
export function fenceLostJob(view: FoundJob): boolean {
  const leader = view.state.workload;
  if (!view.lost || leader === undefined || !groupSurvives(leader)) return false;
  return signalGroup(leader.pid, 'SIGKILL');
}
