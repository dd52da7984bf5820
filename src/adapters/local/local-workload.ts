/**
 * One run of a job's command, as the supervisor drives it: the command leads a process group
 * of its own, so everything it forks can be measured and killed together. The wall time ends
 * with SIGTERM to the group and SIGKILL after a grace (Slurm's KillWait); a group whose summed
 * RSS passes the memory limit is SIGKILLed at once (Slurm's cgroup OOM kill). When the leader
 * exits, what it left in its group is killed too, as Slurm ends a job's cgroup.
 *
 * The verdicts are Slurm's, and so are the lines written to stderr.log, so the classifier
 * reads a local run exactly as a cluster one.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { ExitStatus } from '../../core/types.js';
import { BANNER, spawnFailure } from './local-command.js';
import { errorMessage } from './local-layout.js';
import { groupMembers, identify, rssBytes, signalGroup, waitGroupGone } from './local-proc.js';
import type { ProcessIdentity } from './local-records.js';

export interface WorkloadSpec {
  readonly jobId: string;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly workdir: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly timeLimitMs?: number;
  readonly memLimitBytes?: number;
  readonly pollMs: number;
  readonly killGraceMs: number;
  /** For the banners (`*** JOB 12 ON host CANCELLED AT … ***`). */
  readonly host: string;
}

export interface WorkloadOutcome {
  readonly state: 'COMPLETED' | 'FAILED' | 'TIMEOUT' | 'OUT_OF_MEMORY' | 'CANCELLED';
  readonly reason?: string;
  readonly exit: ExitStatus;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly peakRssBytes: number;
}

type KillCause = 'time' | 'memory' | 'cancel';

/** How long the leftovers of a group may take to die after SIGKILL before we stop waiting. */
const REAP_TIMEOUT_MS = 5_000;

export class Workload {
  /** The first reason we killed the group: it decides the verdict whatever the exit says. */
  private killedFor: KillCause | undefined;
  private pgid: number | undefined;
  private ended = false;
  private errFd: number | undefined;
  private peak = 0;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly spec: WorkloadSpec) {}

  /** A cancel request; safe at any time (before the spawn it stops the group as soon as it exists). */
  cancel(): void {
    this.stop('cancel');
  }

  async run(onStart: (leader: ProcessIdentity) => void): Promise<WorkloadOutcome> {
    const startedAt = new Date();
    const fail = (code: number): WorkloadOutcome => this.outcome(startedAt, { code, signal: null }, null);
    let outFd: number;
    try {
      outFd = openSync(this.spec.stdoutPath, 'w', 0o644);
    } catch (error) {
      // No stderr to write to: the supervisor's own log gets the why.
      console.error(`${BANNER}: cannot open the job's stdout: ${errorMessage(error)}`);
      return fail(1);
    }
    try {
      this.errFd =
        this.spec.stderrPath === this.spec.stdoutPath ? outFd : openSync(this.spec.stderrPath, 'w', 0o644);
    } catch (error) {
      closeSync(outFd);
      console.error(`${BANNER}: cannot open the job's stderr: ${errorMessage(error)}`);
      return fail(1);
    }
    try {
      if (!isDirectory(this.spec.workdir)) {
        this.say(`${BANNER}: cd: ${this.spec.workdir}: No such file or directory`);
        return fail(1);
      }
      const [program = '', ...args] = this.spec.argv;
      const child = spawn(program, args, {
        cwd: this.spec.workdir,
        env: this.spec.env,
        // Leader of a new session and process group: pgid = its pid.
        detached: true,
        stdio: ['ignore', outFd, this.errFd],
      });
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) =>
        child.once('exit', (code, signal) => done([code, signal])),
      );
      const spawnError = await new Promise<unknown>((done) => {
        child.once('spawn', () => done(undefined));
        child.once('error', done);
      });
      child.on('error', () => {}); // later errors (none expected: we never call child.kill) are not fatal
      if (spawnError !== undefined || child.pid === undefined) {
        const failure = spawnFailure(spawnError, program);
        this.say(failure.message);
        return fail(failure.code);
      }
      const pgid = child.pid;
      this.pgid = pgid;
      onStart(identify(pgid));
      if (this.killedFor !== undefined) this.stop(this.killedFor); // a cancel that came before the spawn
      const wall =
        this.spec.timeLimitMs === undefined
          ? undefined
          : new Deadline(this.spec.timeLimitMs, () => this.stop('time'));
      const sampler = setInterval(() => this.sample(), this.spec.pollMs);
      this.sample();
      const [code, signal] = await exited;
      this.ended = true;
      wall?.clear();
      clearInterval(sampler);
      clearTimeout(this.graceTimer);
      signalGroup(pgid, 'SIGKILL');
      if (!(await waitGroupGone(pgid, REAP_TIMEOUT_MS))) {
        console.error(`${BANNER}: processes of group ${pgid} survived SIGKILL for ${REAP_TIMEOUT_MS} ms`);
      }
      return this.outcome(startedAt, exitStatus(code, signal), signal);
    } finally {
      if (outFd !== this.errFd) closeSync(outFd);
      if (this.errFd !== undefined) closeSync(this.errFd);
      this.errFd = undefined;
    }
  }

  private outcome(startedAt: Date, exit: ExitStatus, signal: NodeJS.Signals | null): WorkloadOutcome {
    const base = { exit, startedAt, endedAt: new Date(), peakRssBytes: this.peak };
    switch (this.killedFor) {
      case 'memory':
        return { ...base, state: 'OUT_OF_MEMORY', reason: 'OutOfMemory' };
      case 'time':
        return { ...base, state: 'TIMEOUT', reason: 'TimeLimit' };
      case 'cancel':
        return { ...base, state: 'CANCELLED' };
      default:
        if (exit.code === 0 && exit.signal === null) return { ...base, state: 'COMPLETED' };
        return {
          ...base,
          state: 'FAILED',
          reason: signal === null ? 'NonZeroExitCode' : `RaisedSignal:${exit.signal ?? '?'}(${signal})`,
        };
    }
  }

  private sample(): void {
    if (this.pgid === undefined || this.ended) return;
    const rss = rssBytes(groupMembers(this.pgid));
    this.peak = Math.max(this.peak, rss);
    const limit = this.spec.memLimitBytes;
    if (limit !== undefined && rss > limit && this.killedFor !== 'memory') {
      this.say(
        `${BANNER}: error: Exceeded job memory limit (${mb(rss)} MB > ${mb(limit)} MB); ` +
          `the job's processes were killed (oom_kill)`,
      );
      this.stop('memory');
    }
  }

  private stop(cause: KillCause): void {
    if (this.killedFor === undefined) {
      this.killedFor = cause;
      const at = new Date().toISOString().slice(0, 19);
      const due = cause === 'time' ? ' DUE TO TIME LIMIT' : '';
      if (cause !== 'memory')
        this.say(
          `${BANNER}: error: *** JOB ${this.spec.jobId} ON ${this.spec.host} CANCELLED AT ${at}${due} ***`,
        );
    }
    const pgid = this.pgid;
    if (pgid === undefined || this.ended) return; // not spawned yet: run() calls again once it is
    if (cause === 'memory') {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    if (this.graceTimer !== undefined) return; // already terminating
    signalGroup(pgid, 'SIGTERM');
    this.graceTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), this.spec.killGraceMs);
  }

  /** A line into the job's stderr, through the fd the job shares, so it lands in order. */
  private say(line: string): void {
    if (this.errFd === undefined) return;
    try {
      writeSync(this.errFd, `${line}\n`);
    } catch {
      // A full disk must not stop the supervisor from recording the verdict.
    }
  }
}

/** setTimeout caps delays at 2^31-1 ms (24.8 days) and fires at once beyond: long limits are re-armed. */
class Deadline {
  private static readonly MAX_DELAY_MS = 2 ** 31 - 1;
  private timer: NodeJS.Timeout | undefined;
  private readonly at: number;

  constructor(
    ms: number,
    private readonly fire: () => void,
  ) {
    this.at = Date.now() + ms;
    this.arm();
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    const left = this.at - Date.now();
    if (left <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => this.arm(), Math.min(left, Deadline.MAX_DELAY_MS));
  }
}

/** Slurm's convention, which the rest of sweepwatch reads: a signalled job has code 0 and the signal. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
  if (signal !== null) return { code: 0, signal: osConstants.signals[signal] ?? null };
  return { code, signal: null };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
