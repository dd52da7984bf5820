/**
 * SkyPilot's ManagedJobStatus → JobState. The raw status always stays beside it (rawState), so
 * the classifier (core/rules/states.ts) still tells FAILED_NO_RESOURCE (provisioning) from
 * FAILED_CONTROLLER (controller_error) from FAILED_SETUP (the log decides).
 *
 * Source: `class ManagedJobStatus` in sky/jobs/state.py of 0.6 … 0.13 (SUBMITTED became
 * DEPRECATED_SUBMITTED = 'SUBMITTED' in 0.10 and is only read from old databases) and the newer
 * lifecycle module that adds WINDING_DOWN. FAILED_DRIVER is a cluster-job status (job_lib) some
 * outputs carry. Anything else is UNKNOWN, which is never a failure.
 */
import type { JobState } from '../../core/types.js';

interface Mapping {
  readonly state: JobState;
  /** The raw status is the reason: it says what the job waits for or why it is not running. */
  readonly reasonIsRaw: boolean;
}

const STATUSES: Readonly<Record<string, Mapping>> = {
  // Waiting for a controller slot, accepted (legacy), or provisioning its cluster.
  PENDING: { state: 'PENDING', reasonIsRaw: true },
  SUBMITTED: { state: 'PENDING', reasonIsRaw: true },
  STARTING: { state: 'PENDING', reasonIsRaw: true },
  RUNNING: { state: 'RUNNING', reasonIsRaw: false },
  // Preempted and being relaunched: alive, and the recovery is counted in restarts.
  RECOVERING: { state: 'RUNNING', reasonIsRaw: true },
  // All work done; the coordinator waits for workers and merges outputs.
  WINDING_DOWN: { state: 'COMPLETING', reasonIsRaw: true },
  // A cancel is in progress: the cluster is being cleaned up.
  CANCELLING: { state: 'COMPLETING', reasonIsRaw: true },
  SUCCEEDED: { state: 'COMPLETED', reasonIsRaw: false },
  CANCELLED: { state: 'CANCELLED', reasonIsRaw: false },
  FAILED: { state: 'FAILED', reasonIsRaw: false },
  FAILED_SETUP: { state: 'FAILED', reasonIsRaw: false },
  FAILED_PRECHECKS: { state: 'FAILED', reasonIsRaw: false },
  FAILED_NO_RESOURCE: { state: 'FAILED', reasonIsRaw: false },
  FAILED_CONTROLLER: { state: 'FAILED', reasonIsRaw: false },
  FAILED_DRIVER: { state: 'FAILED', reasonIsRaw: false },
};

/** Every status this adapter knows, in ManagedJobStatus order. */
export const KNOWN_SKY_STATUSES: readonly string[] = Object.keys(STATUSES);

/** Failures whose explanation is in the controller's log, not the job's (it never ran, or the controller died). */
export const CONTROLLER_LOG_STATUSES: ReadonlySet<string> = new Set([
  'FAILED_CONTROLLER',
  'FAILED_NO_RESOURCE',
  'FAILED_PRECHECKS',
]);

/**
 * The status word of a cell or field: `RUNNING (task: 1)` (an aggregated pipeline row) →
 * `RUNNING`, `ManagedJobStatus.FAILED_SETUP` (a repr) → `FAILED_SETUP`.
 */
export function skyStatusWord(raw: string): string {
  const token = raw.trim().split(/\s+/, 1)[0]?.toUpperCase() ?? '';
  return token.slice(token.lastIndexOf('.') + 1);
}

export function normalizeSkyStatus(raw: string): JobState {
  return STATUSES[skyStatusWord(raw)]?.state ?? 'UNKNOWN';
}

/** The raw status as a reason, for states where it explains the wait (PENDING, RECOVERING, …). */
export function statusReason(raw: string): string | undefined {
  const word = skyStatusWord(raw);
  return STATUSES[word]?.reasonIsRaw === true ? word : undefined;
}
