/**
 * The normalized vocabulary every layer speaks. Scheduler adapters map their raw states onto
 * JobState (keeping the raw string beside it); the diagnosis maps failures onto RootCause.
 * Ids here are public interface (outputs, markers, manifest): add, never rename.
 */

/** Root-cause ids, fixed by docs/root-causes.md. */
export const ROOT_CAUSES = [
  'gpu_oom',
  'host_oom',
  'timeout',
  'preempted',
  'node_failure',
  'distributed',
  'nan_divergence',
  'gpu_fault',
  'env_import',
  'disk_quota',
  'crash',
  'config_error',
  'code_error',
  'provisioning',
  'controller_error',
  'submission_rejected',
  'cancelled',
  'unknown',
  'none',
] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];

export function isRootCause(value: string): value is RootCause {
  return (ROOT_CAUSES as readonly string[]).includes(value);
}

/**
 * Normalized job states: Slurm's vocabulary, which is the richest, plus UNKNOWN for anything
 * a scheduler invents later. UNKNOWN is never a failure.
 */
export const JOB_STATES = [
  'PENDING',
  'RUNNING',
  'SUSPENDED',
  'COMPLETING',
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REQUEUED',
  'REQUEUE_HOLD',
  'RESIZING',
  'REVOKED',
  'SPECIAL_EXIT',
  'STOPPED',
  'UNKNOWN',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States after which the job will not change by itself. */
export const TERMINAL_STATES: readonly JobState[] = [
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
  'SPECIAL_EXIT',
];
const TERMINAL: ReadonlySet<JobState> = new Set(TERMINAL_STATES);

/** Terminal states that are failures of the attempt (COMPLETED is terminal but not a failure). */
const FAILED: ReadonlySet<JobState> = new Set<JobState>(
  [...TERMINAL].filter((s) => s !== 'COMPLETED' && s !== 'REVOKED'),
);

export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

/** REVOKED (a federated sibling won) is terminal but not a failure; UNKNOWN never is. */
export function isFailedState(state: JobState): boolean {
  return FAILED.has(state);
}

/** An exit status as schedulers report it: the code and, when killed, the signal number. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: number | null;
}

/** What the scheduler says about one job at one moment. */
export interface JobObservation {
  /** The scheduler's id for this job (`123`, or `123_4` for an array task). */
  readonly jobId: string;
  readonly state: JobState;
  /** The scheduler's own words, e.g. `CANCELLED by 1001` or `FAILED_NO_RESOURCE`. */
  readonly rawState: string;
  /** Pending or state reason (`Priority`, `OutOfMemory`, …) when the scheduler gives one. */
  readonly reason?: string;
  readonly exit?: ExitStatus;
  /** ISO 8601 timestamps as reported by the cluster. */
  readonly submittedAt?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly elapsedSeconds?: number;
  readonly nodes?: string;
  /** How many times the scheduler requeued or recovered the job. */
  readonly restarts?: number;
  readonly stdoutPath?: string;
  readonly stderrPath?: string;
  /** The job's name as the scheduler knows it (adoption matches the sweep's prefix on it). */
  readonly name?: string;
  /** The scheduler's unique id when it differs from jobId (a Slurm array task's own job id). */
  readonly jobIdRaw?: string;
  /** For a pending job: seconds since submission, measured on the cluster's clock. */
  readonly pendingSeconds?: number;
  /** Which query the state came from (`squeue`, `sacct`, `scontrol`, …). */
  readonly source?: string;
}

/** The input of one classification, as in the `classify` contract. */
export interface ClassifyInput {
  readonly log: string;
  /** The raw scheduler state (`OUT_OF_MEMORY`, `CANCELLED by 1001`, `FAILED_NO_RESOURCE`) or null. */
  readonly schedulerState: string | null;
  /** `"137:0"` (code:signal), a bare number, or null. */
  readonly exitCode: string | number | null;
}

/** The output of one classification, as in the `classify` contract. */
export interface Classification {
  readonly rootCause: RootCause;
  /** 0..1 */
  readonly confidence: number;
  /** The masked fingerprint: equal signatures fail "identically". */
  readonly signature: string;
  /** The log lines (or scheduler facts) that decided it. */
  readonly evidence: readonly string[];
  /** The id of the rule that decided it. */
  readonly rule: string;
}

export const HEALTH_BANDS = ['healthy', 'degraded', 'systemic'] as const;
export type HealthBand = (typeof HEALTH_BANDS)[number];

export const DECISIONS = ['no-intervention', 'watch', 'intervene'] as const;
export type Decision = (typeof DECISIONS)[number];
