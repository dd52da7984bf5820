/**
 * The Scheduler port for SkyPilot managed jobs (`sky jobs …`), over any Transport: SSH to a
 * host where sky is installed and configured, or this machine. Every call is a constant script
 * with the data as positional arguments and the sky command as an argv (skyCommand).
 *
 * It learns the remote sky on first contact (its version, and which `jobs queue` flags it
 * takes; see dialects.ts) and remembers the last status of each job it observed, to pick the
 * controller's log for jobs that failed before or outside their own run.
 */
import type { JobObservation } from '../../core/types.js';
import type {
  CancelResult,
  CancelScope,
  LogTail,
  LogTailRequest,
  ObserveResult,
  PreflightReport,
  PreflightRequest,
  Scheduler,
  SubmitRequest,
  SubmitResult,
} from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { cancelJobs } from './cancel.js';
import { QUEUE_DIALECTS } from './dialects.js';
import { findSkyJobsByName } from './find-by-name.js';
import { readSkyLogTails } from './log-tails.js';
import { observeJobs } from './observe.js';
import { runSkyPreflight } from './preflight.js';
import { type QueueAnswer, type QueueQueryOptions, queryQueue } from './queue-query.js';
import type { SkyResourceDefaults } from './resource-defaults.js';
import { newNonce } from './script.js';
import { submitJob } from './submit.js';
import { TaskChecks } from './task-check.js';

export interface SkyPilotSchedulerOptions {
  readonly transport: Transport;
  /** How to run sky on the far side, as an argv prefix; default `['sky']`. */
  readonly skyCommand?: readonly string[];
  /** The task YAML for conditions whose command is not a .yaml itself (path on the sky host). */
  readonly taskYaml?: string;
  /**
   * The jobs' working directory when it is the same for all: preflight reads a relative task
   * YAML there, as each launch does. Absent: the login directory.
   */
  readonly workdir?: string;
  /** Launch tasks that do not pin a container image (`resources.image_id: docker:…`); default false. */
  readonly allowBareVm?: boolean;
  /** Resources every launch asks for on top of the task YAML (`template.resources.skypilot`). */
  readonly resources?: SkyResourceDefaults;
  /** Per-call timeout; default 300 s (sky starts slowly and may wake its API server). */
  readonly timeoutMs?: number;
  /** Max stdout of one queue read; default 64 MiB. */
  readonly maxQueueBytes?: number;
  /** Upper bound of one readLogTails call; default 8 MiB. */
  readonly maxLogBytes?: number;
  /** Time bound of each `sky jobs logs`; default 60 s. */
  readonly logTimeoutSeconds?: number;
  /** Injectable for tests: the marker nonce of each call. */
  readonly nonce?: () => string;
}

export interface SkyVersionInfo {
  /** `0.10.3`, or null when `sky --version` did not say. */
  readonly version: string | null;
  /** The `jobs queue` dialect that answered (`json`, `all-verbose`, …), once known. */
  readonly queueDialect: string | null;
}

export class SkyPilotScheduler implements Scheduler {
  private readonly transport: Transport;
  private readonly skyCommand: readonly string[];
  private readonly timeoutMs: number;
  private readonly nonce: () => string;
  private readonly checks: TaskChecks;
  private readonly lastStatus = new Map<string, string>();
  private skyVersion: string | null | undefined;
  private dialect: number | undefined;

  constructor(private readonly options: SkyPilotSchedulerOptions) {
    this.transport = options.transport;
    this.skyCommand = options.skyCommand ?? ['sky'];
    if (this.skyCommand.length === 0) throw new TypeError('skyCommand must name a program');
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.nonce = options.nonce ?? newNonce;
    const imageId = options.resources?.imageId;
    this.checks = new TaskChecks(this.transport, {
      allowBareVm: options.allowBareVm ?? false,
      ...(imageId !== undefined ? { imageId } : {}),
      timeoutMs: this.timeoutMs,
      nonce: this.nonce,
    });
  }

  prepare(): void {
    this.transport.warmUp?.();
  }

  async observe(jobIds: readonly string[]): Promise<ObserveResult> {
    const { result, answer } = await observeJobs(this.transport, jobIds, this.queueOptions());
    if (answer) this.learn(answer);
    for (const [id, o] of result.observations) this.lastStatus.set(id, o.rawState);
    return result;
  }

  submit(request: SubmitRequest): Promise<SubmitResult> {
    return submitJob(
      {
        transport: this.transport,
        checks: this.checks,
        skyCommand: this.skyCommand,
        taskYaml: this.options.taskYaml,
        defaults: this.options.resources ?? {},
        timeoutMs: this.timeoutMs,
        nonce: this.nonce,
      },
      request,
    );
  }

  cancel(jobIds: readonly string[], scope: CancelScope): Promise<CancelResult> {
    return cancelJobs(
      {
        transport: this.transport,
        queue: this.queueOptions(),
        skyCommand: this.skyCommand,
        nonce: this.nonce(),
        timeoutMs: this.timeoutMs,
      },
      jobIds,
      scope,
    );
  }

  readLogTails(requests: readonly LogTailRequest[], maxBytesPerFile: number): Promise<Map<string, LogTail>> {
    return readSkyLogTails(this.transport, requests, maxBytesPerFile, {
      nonce: this.nonce(),
      skyCommand: this.skyCommand,
      maxTotalBytes: this.options.maxLogBytes ?? 8 * 1024 * 1024,
      perLogSeconds: this.options.logTimeoutSeconds ?? 60,
      timeoutMs: this.timeoutMs,
      lastStatus: this.lastStatus,
    });
  }

  async preflight(request: PreflightRequest): Promise<PreflightReport> {
    const report = await runSkyPreflight(
      {
        transport: this.transport,
        skyCommand: this.skyCommand,
        taskYaml: this.options.taskYaml,
        workdir: this.options.workdir ?? '',
        checks: this.checks,
        nonce: this.nonce(),
        timeoutMs: this.timeoutMs,
      },
      request,
    );
    if (report.versions.sky !== undefined && report.versions.sky !== null)
      this.skyVersion ??= report.versions.sky;
    return report;
  }

  async findByName(namePrefix: string): Promise<readonly JobObservation[]> {
    const { jobs, answer } = await findSkyJobsByName(this.transport, namePrefix, this.queueOptions());
    this.learn(answer);
    return jobs;
  }

  /** The remote sky's version and queue dialect; asks sky when it has not been seen yet. */
  async version(): Promise<SkyVersionInfo> {
    if (this.skyVersion === undefined) this.learn(await queryQueue(this.transport, this.queueOptions()));
    return {
      version: this.skyVersion ?? null,
      queueDialect: this.dialect === undefined ? null : (QUEUE_DIALECTS[this.dialect]?.id ?? null),
    };
  }

  private queueOptions(): QueueQueryOptions {
    return {
      nonce: this.nonce(),
      skyCommand: this.skyCommand,
      dialect: this.dialect ?? 0,
      askVersion: this.skyVersion === undefined,
      timeoutMs: this.timeoutMs,
      maxStdoutBytes: this.options.maxQueueBytes ?? 64 * 1024 * 1024,
    };
  }

  private learn(answer: QueueAnswer): void {
    if (answer.version !== undefined) this.skyVersion = answer.version;
    if (answer.dialect !== undefined) this.dialect = answer.dialect;
  }
}
