/**
 * The supervisor: one detached node process per job, started by submit and living as long as
 * the job. It waits for a slot (PENDING, reason Resources), runs the workload (local-workload),
 * and records every step in state.json, of which it is the only writer once it runs. A cancel
 * reaches it as SIGTERM or as the job's `cancel` file, whichever it sees first.
 *
 * `superviseJob(jobDir)` is the entry point for any host: local-supervisor-main.ts from source,
 * the CLI's `__supervise` command from the bundle.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { commandArgv } from './local-command.js';
import { errorMessage, type JobFiles, jobFilesIn, stateDirOf, writeJsonAtomic } from './local-layout.js';
import { identify, signalGroup } from './local-proc.js';
import { enqueue, leaveQueue, tryAdmit } from './local-queue.js';
import {
  cancelRequestSchema,
  type JobRecord,
  jobRecordSchema,
  type ProcessIdentity,
  readRecord,
  type StateRecord,
  stateRecordSchema,
} from './local-records.js';
import { Workload } from './local-workload.js';

export async function superviseJob(jobDir: string): Promise<void> {
  const files = jobFilesIn(resolve(jobDir));
  const job = readRecord(files.job, jobRecordSchema);
  if (job === undefined) throw new Error(`no job record at ${files.job}`);
  const current = readRecord(files.state, stateRecordSchema);
  const me = identify(process.pid);
  // Started twice by mistake, or after the job ended: never run a job a second time.
  if (current !== undefined && (current.state !== 'PENDING' || current.supervisor !== undefined)) {
    throw new Error(`job ${job.jobId} is already supervised (state ${current.state})`);
  }
  await new Supervision(job, files, me).run();
}

class Supervision {
  private readonly stateDir: string;
  private state: StateRecord;
  private workload: Workload | undefined;
  private cancelled = false;
  private cancelledBy: number | undefined;
  private wake: () => void = () => {};

  constructor(
    private readonly job: JobRecord,
    private readonly files: JobFiles,
    private readonly me: ProcessIdentity,
  ) {
    this.stateDir = stateDirOf(files.dir);
    this.state = { state: 'PENDING', reason: 'None', supervisor: me, updatedAt: now() };
  }

  async run(): Promise<void> {
    const onSignal = (): void => this.requestCancel();
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const cancelPoll = setInterval(() => {
      if (existsSync(this.files.cancel)) this.requestCancel();
    }, this.job.pollMs);
    try {
      this.write({});
      enqueue(this.stateDir, this.job.jobId, this.me);
      if (existsSync(this.files.cancel)) this.requestCancel();
      if (!(await this.waitForSlot())) {
        this.write({ state: 'CANCELLED', reason: undefined, endedAt: now(), ...this.by() });
        return;
      }
      await this.runWorkload();
    } catch (error) {
      // A bug or an I/O error here must not leave the job RUNNING forever, nor its processes behind.
      console.error(`supervisor of job ${this.job.jobId} failed:`, error);
      if (this.state.pgid !== undefined) signalGroup(this.state.pgid, 'SIGKILL');
      this.write({ state: 'NODE_FAIL', reason: `supervisor error: ${errorMessage(error)}`, endedAt: now() });
    } finally {
      leaveQueue(this.stateDir, this.job.jobId);
      clearInterval(cancelPoll);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  }

  /** False when cancelled while waiting. */
  private async waitForSlot(): Promise<boolean> {
    for (;;) {
      if (this.cancelled) return false;
      if (await tryAdmit(this.stateDir, this.job.jobId, this.job.concurrency)) return !this.cancelled;
      if (this.state.reason !== 'Resources') this.write({ reason: 'Resources' });
      await this.sleep(this.job.pollMs);
    }
  }

  private async runWorkload(): Promise<void> {
    const { job } = this;
    const { timeMinutes, memMb } = job.limits;
    const workload = new Workload({
      jobId: job.jobId,
      argv: commandArgv(job),
      env: { ...process.env, ...job.env, SWEEPWATCH_JOB_ID: job.jobId, SWEEPWATCH_JOB_NAME: job.name },
      workdir: job.workdir,
      stdoutPath: job.stdoutPath,
      stderrPath: job.stderrPath,
      ...(timeMinutes !== undefined ? { timeLimitMs: Math.round(timeMinutes * 60_000) } : {}),
      // Slurm's --mem=<n>M means MiB.
      ...(memMb !== undefined ? { memLimitBytes: Math.round(memMb * 1024 * 1024) } : {}),
      pollMs: job.pollMs,
      killGraceMs: job.killGraceMs,
      host: hostname(),
    });
    this.workload = workload;
    if (this.cancelled) workload.cancel();
    const outcome = await workload.run((leader) =>
      this.write({
        state: 'RUNNING',
        reason: undefined,
        workload: leader,
        pgid: leader.pid,
        startedAt: now(),
      }),
    );
    this.write({
      state: outcome.state,
      reason: outcome.reason,
      exit: outcome.exit,
      startedAt: this.state.startedAt ?? outcome.startedAt.toISOString(),
      endedAt: outcome.endedAt.toISOString(),
      peakRssBytes: outcome.peakRssBytes,
      ...(outcome.state === 'CANCELLED' ? this.by() : {}),
    });
  }

  private requestCancel(): void {
    if (!this.cancelled) {
      this.cancelled = true;
      try {
        this.cancelledBy = readRecord(this.files.cancel, cancelRequestSchema)?.uid;
      } catch {
        // An unreadable request is still a request.
      }
    }
    this.workload?.cancel();
    this.wake();
  }

  private by(): Pick<StateRecord, 'cancelledBy'> {
    return this.cancelledBy === undefined ? {} : { cancelledBy: this.cancelledBy };
  }

  private write(patch: Partial<StateRecord>): void {
    this.state = { ...this.state, ...patch, updatedAt: now() };
    writeJsonAtomic(this.files.state, this.state);
  }

  /** Sleeps, unless a cancel comes first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(done, ms);
      this.wake = () => {
        clearTimeout(timer);
        done();
      };
    });
  }
}

function now(): string {
  return new Date().toISOString();
}
