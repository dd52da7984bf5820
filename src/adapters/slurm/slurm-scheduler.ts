/**
 * The Scheduler port for Slurm, over any Transport (SSH to a login node, or local). Every
 * method is one remote round trip of a constant script; see the module of each for the details.
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
import { findJobsByName } from './find-by-name.js';
import { readTails } from './log-tails.js';
import { observeJobs } from './observe.js';
import { runPreflight } from './preflight.js';
import { newNonce } from './sections.js';
import { buildSbatchArgv, submitResult } from './submit.js';

export interface SlurmSchedulerOptions {
  readonly transport: Transport;
  /** The cluster login, when known up front; otherwise learned from the first script's `id -un`. */
  readonly user?: string;
  /** Per-call timeout; default 120 s. */
  readonly timeoutMs?: number;
  /** Max bytes of one id list per squeue/sacct call; default 100 KB (Linux allows 128 KiB per argument). */
  readonly chunkBytes?: number;
  /** Max `scontrol show job` calls when accounting is down; default 500. */
  readonly fallbackCap?: number;
  /** Max stdout of one observe call; default 64 MiB. */
  readonly maxObserveBytes?: number;
  /** Upper bound of one readLogTails call; default 8 MiB. */
  readonly maxLogBytes?: number;
  /** sacct window for findByName; default `now-30days`. */
  readonly findSince?: string;
  /** Injectable for tests: the marker nonce of each call. */
  readonly nonce?: () => string;
}

export class SlurmScheduler implements Scheduler {
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly nonce: () => string;
  private user: string | undefined;

  constructor(private readonly options: SlurmSchedulerOptions) {
    this.transport = options.transport;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.nonce = options.nonce ?? newNonce;
    this.user = options.user;
  }

  prepare(): void {
    this.transport.warmUp?.();
  }

  async observe(jobIds: readonly string[]): Promise<ObserveResult> {
    const result = await observeJobs(this.transport, jobIds, {
      nonce: this.nonce(),
      chunkBytes: this.options.chunkBytes ?? 100_000,
      fallbackCap: this.options.fallbackCap ?? 500,
      timeoutMs: this.timeoutMs,
      maxStdoutBytes: this.options.maxObserveBytes ?? 64 * 1024 * 1024,
    });
    return result;
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const call = buildSbatchArgv(request);
    if (typeof call === 'string') {
      return { ok: false, rootCause: 'submission_rejected', message: `refused before submission: ${call}` };
    }
    // A TransportError propagates, and so does submitResult's SchedulerError when the controller
    // did not answer: whether the job exists is then unknown, and only findByName can tell.
    const out = await this.transport.exec(call.argv, { timeoutMs: this.timeoutMs });
    return submitResult(call, request, out, this.user);
  }

  cancel(jobIds: readonly string[], scope: CancelScope): Promise<CancelResult> {
    return cancelJobs(this.transport, jobIds, scope, this.nonce(), this.timeoutMs);
  }

  readLogTails(requests: readonly LogTailRequest[], maxBytesPerFile: number): Promise<Map<string, LogTail>> {
    return readTails(this.transport, requests, maxBytesPerFile, {
      nonce: this.nonce(),
      maxTotalBytes: this.options.maxLogBytes ?? 8 * 1024 * 1024,
      timeoutMs: this.timeoutMs,
    });
  }

  async preflight(request: PreflightRequest): Promise<PreflightReport> {
    const report = await runPreflight(this.transport, request, this.nonce(), this.timeoutMs);
    if (report.user !== null) this.user ??= report.user;
    return report;
  }

  findByName(namePrefix: string): Promise<readonly JobObservation[]> {
    return findJobsByName(this.transport, namePrefix, {
      nonce: this.nonce(),
      since: this.options.findSince ?? 'now-30days',
      timeoutMs: this.timeoutMs,
      maxStdoutBytes: this.options.maxObserveBytes ?? 64 * 1024 * 1024,
    });
  }
}
