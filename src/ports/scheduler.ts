/**
 * How sweepwatch talks to a batch scheduler (Slurm over SSH, SkyPilot, a local runner).
 * Backend-neutral: every id is the scheduler's own string, every state is normalized to
 * JobState with the raw words kept beside it. Observation problems are reported as data
 * (`errors`, `diagnostics`), never as job failures.
 */
import type { JobObservation, RootCause } from '../core/types.js';

/** A row or record of scheduler output that was skipped because it could not be read. */
export interface ObserveDiagnostic {
  /** Which query produced it (`squeue`, `sacct`, `scontrol`, `sky`, `input`). */
  readonly source: string;
  /** The offending text, shortened to a few hundred characters. */
  readonly line: string;
  readonly why: string;
}

/**
 * Why (part of) an observation failed. These are monitoring errors: the affected jobs keep
 * their last known state and are marked stale by the caller; they never become failures.
 * - `transport`: the remote call itself failed (SSH down, timeout): nothing was observed.
 * - `sacct_unavailable`: accounting did not answer; live state came from the fallback sources.
 * - `query_failed`: another query exited non-zero (e.g. the controller is unreachable).
 * - `incomplete_output`: output was cut short (cap, broken script); some jobs were not seen.
 */
export const OBSERVATION_ERROR_KINDS = [
  'transport',
  'sacct_unavailable',
  'query_failed',
  'incomplete_output',
] as const;
export type ObservationErrorKind = (typeof OBSERVATION_ERROR_KINDS)[number];

export interface ObservationError {
  readonly kind: ObservationErrorKind;
  /** The query that failed (`transport`, `squeue`, `sacct`, `scontrol`, …). */
  readonly source: string;
  /** The scheduler's or transport's own words. */
  readonly message: string;
}

export interface ObserveResult {
  /** One observation per job or array task found, keyed by its jobId (`123`, `123_4`). */
  readonly observations: ReadonlyMap<string, JobObservation>;
  /** Requested ids that every source answered for and none knows: they do not exist (for us). */
  readonly missing: readonly string[];
  /** Requested ids that could not be seen because a source failed: keep their last state. */
  readonly unobserved: readonly string[];
  readonly diagnostics: readonly ObserveDiagnostic[];
  readonly errors: readonly ObservationError[];
}

/** Resources of one submission; unset fields are left to the scheduler's defaults. */
export interface SubmitResources {
  readonly timeMinutes?: number;
  readonly memMb?: number;
  readonly cpusPerTask?: number;
  readonly gpus?: number;
  readonly partition?: string;
  readonly account?: string;
  readonly qos?: string;
  readonly constraint?: string;
}

/** What to run: a script on the cluster with its arguments, or an argv wrapped as a command. */
export type SubmitCommand =
  | { readonly kind: 'script'; readonly path: string; readonly args?: readonly string[] }
  | { readonly kind: 'argv'; readonly argv: readonly string[] };

export interface SubmitRequest {
  /** The full job name, already carrying the sweep's scoped prefix. */
  readonly name: string;
  readonly command: SubmitCommand;
  /** The job's working directory on the cluster; relative log paths are resolved against it. */
  readonly workdir?: string;
  /** Log path patterns (`%j`, `%A`, `%a`, `%x`, `%u`); default `<name>-%j.out|.err` (`%A_%a` for arrays). */
  readonly stdout?: string;
  readonly stderr?: string;
  readonly resources?: SubmitResources;
  /** Extra environment for the job, on top of the submitting shell's (names `[A-Za-z_][A-Za-z0-9_]*`). */
  readonly env?: Readonly<Record<string, string>>;
  /** An array spec such as `0-9` or `1,3-5%2`. */
  readonly array?: string;
}

export type SubmitResult =
  | {
      readonly ok: true;
      readonly jobId: string;
      readonly cluster?: string;
      /** Log paths with every placeholder known at submit time expanded (`%a` stays for arrays). */
      readonly stdoutPath: string;
      readonly stderrPath: string;
      /** The container image's digest (`sha256:…`) the job was launched with, when it is pinned by one. */
      readonly imageDigest?: string;
    }
  | {
      readonly ok: false;
      /** `provisioning`: no cloud or cluster could provide the resources (e.g. SkyPilot's optimizer). */
      readonly rootCause: Extract<RootCause, 'submission_rejected' | 'provisioning'>;
      readonly message: string;
    };

/** Which jobs a cancel may touch: only those of the manifest (and, when given, of the sweep's name prefix). */
export interface CancelScope {
  readonly jobIds: Iterable<string>;
  readonly namePrefix?: string;
}

export const CANCEL_REFUSALS = [
  'not_in_scope',
  'invalid_id',
  'not_found',
  'other_user',
  'name_mismatch',
  'already_finished',
  'scheduler_error',
] as const;
export type CancelRefusal = (typeof CANCEL_REFUSALS)[number];

export interface CancelResult {
  readonly cancelled: readonly string[];
  readonly refused: readonly {
    readonly jobId: string;
    readonly reason: CancelRefusal;
    readonly detail: string;
  }[];
}

export interface LogTailRequest {
  readonly jobId: string;
  readonly paths: readonly string[];
}

export interface LogFileTail {
  readonly path: string;
  readonly missing: boolean;
  /** The file's size in bytes when read (0 when missing). */
  readonly size: number;
  readonly truncated: boolean;
}

export interface LogTail {
  /** The tails of the job's files in request order (stdout before stderr), joined by a newline. */
  readonly text: string;
  /** Some file was longer than the per-file budget. */
  readonly truncated: boolean;
  /** Paths that did not exist or could not be read. */
  readonly missing: readonly string[];
  readonly files: readonly LogFileTail[];
}

export interface PreflightRequest {
  readonly partitions?: readonly string[];
  readonly accounts?: readonly string[];
  readonly qos?: readonly string[];
  /** Directories the jobs will write to (logs, working directories). */
  readonly writableDirs?: readonly string[];
}

export const PREFLIGHT_PROBLEMS = [
  'command_missing',
  'user_unknown',
  'partition_unknown',
  'account_unknown',
  'qos_unknown',
  'dir_not_writable',
  'accounting_unavailable',
  'query_failed',
] as const;
export type PreflightProblemCode = (typeof PREFLIGHT_PROBLEMS)[number];

export interface PreflightProblem {
  readonly code: PreflightProblemCode;
  /** `error` blocks a launch; `warning` degrades monitoring (e.g. no accounting). */
  readonly severity: 'error' | 'warning';
  /** The command, partition, account, QOS or directory concerned. */
  readonly subject: string;
  readonly message: string;
}

export interface PreflightReport {
  /** No problem of severity `error`. */
  readonly ok: boolean;
  /** The remote login (`id -un`). */
  readonly user: string | null;
  /** Command → its `--version` line, or null when absent. */
  readonly versions: Readonly<Record<string, string | null>>;
  readonly accountingAvailable: boolean;
  readonly problems: readonly PreflightProblem[];
}

/** A query the scheduler could not answer where no partial answer is safe (e.g. adoption). */
export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Scheduler {
  /**
   * Starts what the first call will need (the SSH connection) without waiting for it, so that
   * it is ready by then; a tick calls it before it loads the manifest. Never throws: a failure
   * is the first call's, as it would have been without it.
   */
  prepare?(): void;
  /** Observes every given id in one remote round trip (the port promises a constant number). */
  observe(jobIds: readonly string[]): Promise<ObserveResult>;
  submit(request: SubmitRequest): Promise<SubmitResult>;
  /** Cancels only ids in scope that belong to the cluster user; reports the rest as refused. */
  cancel(jobIds: readonly string[], scope: CancelScope): Promise<CancelResult>;
  /** Reads the last bytes of each job's log files in one remote round trip. */
  readLogTails(requests: readonly LogTailRequest[], maxBytesPerFile: number): Promise<Map<string, LogTail>>;
  preflight(request: PreflightRequest): Promise<PreflightReport>;
  /**
   * The cluster user's jobs whose name starts with the prefix (adoption after a crash). Throws
   * SchedulerError rather than answer from partial data: a missed job would be submitted twice.
   */
  findByName(namePrefix: string): Promise<readonly JobObservation[]>;
}
