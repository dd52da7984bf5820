/**
 * The Scheduler port on this machine: each job a real process group under a detached
 * supervisor (local-supervisor.ts), with a wall-time and a memory limit, a concurrency limit,
 * and everything recorded in a state directory (local-layout.ts). Any process given the same
 * state directory sees the same jobs, so each tick may be a new process, as under Slurm.
 */
import { hostname } from 'node:os';
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
import { cancelLocal } from './local-cancel.js';
import { readLocalTails } from './local-log-tails.js';
import { findLocal, type ObserveContext, observeLocal } from './local-observe.js';
import { preflightLocal } from './local-preflight.js';
import { type SubmitContext, submitLocal } from './local-submit.js';
import { currentUser } from './local-user.js';

export interface LocalSchedulerOptions {
  /** Where jobs are recorded; created on first use. Every process of one sweep must use the same one. */
  readonly stateDir: string;
  /**
   * The argv prefix that runs a supervisor; the job directory is appended. From source:
   * `[node, '--import', 'tsx', '<abs>/local-supervisor-main.ts']`; from the bundle:
   * `[node, '<dist>/cli/index.js', '__supervise']`.
   */
  readonly supervisorCommand: readonly string[];
  /** Jobs running at once; the others wait PENDING (reason Resources). Default 4. */
  readonly concurrency?: number;
  /** How often a supervisor samples memory and polls for a slot; default 200 ms. */
  readonly pollMs?: number;
  /** Between SIGTERM and SIGKILL at the time limit or on cancel (Slurm's KillWait); default 10 s. */
  readonly killGraceMs?: number;
  /** How long a job may show no live supervisor after submission before it is lost; default 60 s. */
  readonly supervisorStartGraceMs?: number;
  /** Upper bound of one readLogTails call; default 8 MiB. */
  readonly maxLogBytes?: number;
  readonly now?: () => Date;
}

export class LocalScheduler implements Scheduler {
  private readonly submitContext: SubmitContext;
  private readonly observeContext: ObserveContext;

  constructor(private readonly options: LocalSchedulerOptions) {
    const concurrency = options.concurrency ?? 4;
    const pollMs = options.pollMs ?? 200;
    const killGraceMs = options.killGraceMs ?? 10_000;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError('concurrency must be an integer ≥ 1');
    if (!Number.isInteger(pollMs) || pollMs < 1) throw new RangeError('pollMs must be an integer ≥ 1');
    if (!Number.isInteger(killGraceMs) || killGraceMs < 0)
      throw new RangeError('killGraceMs must be an integer ≥ 0');
    if (options.supervisorCommand.length === 0) throw new RangeError('supervisorCommand must not be empty');
    const now = options.now ?? (() => new Date());
    this.submitContext = {
      stateDir: options.stateDir,
      supervisorCommand: options.supervisorCommand,
      concurrency,
      pollMs,
      killGraceMs,
      now,
    };
    this.observeContext = {
      stateDir: options.stateDir,
      now,
      startGraceMs: options.supervisorStartGraceMs ?? 60_000,
      host: hostname(),
    };
  }

  async observe(jobIds: readonly string[]): Promise<ObserveResult> {
    return observeLocal(jobIds, this.observeContext);
  }

  submit(request: SubmitRequest): Promise<SubmitResult> {
    return submitLocal(request, this.submitContext);
  }

  async cancel(jobIds: readonly string[], scope: CancelScope): Promise<CancelResult> {
    return cancelLocal(jobIds, scope, { ...this.observeContext, uid: currentUser().uid });
  }

  async readLogTails(
    requests: readonly LogTailRequest[],
    maxBytesPerFile: number,
  ): Promise<Map<string, LogTail>> {
    return readLocalTails(requests, maxBytesPerFile, this.options.maxLogBytes ?? 8 * 1024 * 1024);
  }

  async preflight(request: PreflightRequest): Promise<PreflightReport> {
    return preflightLocal(request, this.submitContext);
  }

  async findByName(namePrefix: string): Promise<readonly JobObservation[]> {
    return findLocal(namePrefix, this.observeContext);
  }
}
