/**
 * Slurm's job states → JobState. Slurm prints a state in three spellings: the long name
 * (`OUT_OF_MEMORY`, sacct adds `CANCELLED by 1001`), squeue's compact code (`OOM`, `PD`), and
 * sacct's truncated form without --parsable (`OUT_OF_ME+`). All three map here; anything else is
 * UNKNOWN, which is never a failure. The raw words stay in JobObservation.rawState.
 * Source of the lists: squeue(1) JOB STATE CODES and job_state_string{,_compact} in Slurm.
 */
import type { JobState } from '../../core/types.js';

const LONG: Readonly<Record<string, JobState>> = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  SUSPENDED: 'SUSPENDED',
  COMPLETING: 'COMPLETING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CANCELLED',
  OUT_OF_MEMORY: 'OUT_OF_MEMORY',
  NODE_FAIL: 'NODE_FAIL',
  PREEMPTED: 'PREEMPTED',
  BOOT_FAIL: 'BOOT_FAIL',
  DEADLINE: 'DEADLINE',
  REQUEUED: 'REQUEUED',
  REQUEUE_HOLD: 'REQUEUE_HOLD',
  RESIZING: 'RESIZING',
  REVOKED: 'REVOKED',
  SPECIAL_EXIT: 'SPECIAL_EXIT',
  STOPPED: 'STOPPED',
  // Allocated, nodes booting: the clock runs, so it counts as running (a boot failure is BOOT_FAIL).
  CONFIGURING: 'RUNNING',
  // Being signalled: still running until the signal takes effect.
  SIGNALING: 'RUNNING',
  // Burst-buffer stage-out after the job's own end.
  STAGE_OUT: 'COMPLETING',
  // Held after its reservation was deleted: it waits (the reason tells the problem).
  RESV_DEL_HOLD: 'PENDING',
  // A federation requeue is a requeue.
  REQUEUE_FED: 'REQUEUED',
};

const COMPACT: Readonly<Record<string, string>> = {
  PD: 'PENDING',
  R: 'RUNNING',
  S: 'SUSPENDED',
  CG: 'COMPLETING',
  CD: 'COMPLETED',
  F: 'FAILED',
  TO: 'TIMEOUT',
  CA: 'CANCELLED',
  OOM: 'OUT_OF_MEMORY',
  NF: 'NODE_FAIL',
  PR: 'PREEMPTED',
  BF: 'BOOT_FAIL',
  DL: 'DEADLINE',
  RQ: 'REQUEUED',
  RH: 'REQUEUE_HOLD',
  RS: 'RESIZING',
  RV: 'REVOKED',
  SE: 'SPECIAL_EXIT',
  ST: 'STOPPED',
  CF: 'CONFIGURING',
  SI: 'SIGNALING',
  SO: 'STAGE_OUT',
  RD: 'RESV_DEL_HOLD',
  RF: 'REQUEUE_FED',
};

/** The state word without sacct's suffix (`CANCELLED by 1001` → `CANCELLED`). */
export function stateWord(raw: string): string {
  return raw.trim().split(/\s+/, 1)[0]?.toUpperCase() ?? '';
}

export function normalizeSlurmState(raw: string): JobState {
  const word = stateWord(raw);
  const long = LONG[word];
  if (long) return long;
  const compact = COMPACT[word];
  if (compact) return LONG[compact] ?? 'UNKNOWN';
  // `OUT_OF_ME+`: sacct's fixed-width truncation. Accept it only when exactly one name fits.
  if (word.endsWith('+') && word.length > 2) {
    const prefix = word.slice(0, -1);
    const hits = Object.keys(LONG).filter((name) => name.startsWith(prefix));
    if (hits.length === 1 && hits[0]) return LONG[hits[0]] ?? 'UNKNOWN';
  }
  return 'UNKNOWN';
}

/** States that squeue reports while the job still lives; squeue is authoritative for these. */
const LIVE: ReadonlySet<JobState> = new Set<JobState>([
  'PENDING',
  'RUNNING',
  'SUSPENDED',
  'COMPLETING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'RESIZING',
  'STOPPED',
]);

export function isLiveState(state: JobState): boolean {
  return LIVE.has(state);
}
