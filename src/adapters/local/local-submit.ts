/**
 * submit(): checks the request, allocates an id, writes the job's directory, and starts a
 * detached supervisor for it; then returns at once. The submitting process (`sweepwatch
 * launch`, a tick) exits soon after, so everything the job needs later is in the job directory,
 * and the supervisor is a session of its own, outliving its parent.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SubmitRequest, SubmitResult } from '../../ports/scheduler.js';
import { expandLogPattern } from '../slurm/log-paths.js';
import { allocateJob } from './local-ids.js';
import { errorMessage, type JobFiles, jobFilesIn, writeJsonAtomic } from './local-layout.js';
import { identify } from './local-proc.js';
import { enqueue } from './local-queue.js';
import type { JobRecord, ProcessIdentity, StateRecord } from './local-records.js';
import { currentUser } from './local-user.js';
import { rejectReason } from './local-validate.js';

export interface SubmitContext {
  readonly stateDir: string;
  readonly supervisorCommand: readonly string[];
  readonly concurrency: number;
  readonly pollMs: number;
  readonly killGraceMs: number;
  readonly now: () => Date;
}

export async function submitLocal(req: SubmitRequest, ctx: SubmitContext): Promise<SubmitResult> {
  const reason = rejectReason(req);
  if (reason !== undefined) {
    return { ok: false, rootCause: 'submission_rejected', message: `refused before submission: ${reason}` };
  }
  const { jobId, dir } = await allocateJob(ctx.stateDir);
  const files = jobFilesIn(dir);
  const job = jobRecord(req, jobId, files, ctx);
  writeJsonAtomic(files.job, job);
  // The only state.json not written by the supervisor: it must exist before the supervisor does.
  const initial: StateRecord = { state: 'PENDING', reason: 'None', updatedAt: job.submittedAt };
  writeJsonAtomic(files.state, initial);

  const supervisor = await startSupervisor(ctx.supervisorCommand, files);
  if (typeof supervisor === 'string') {
    // Nothing runs and nothing will: as with a refused sbatch, no job exists afterwards.
    rmSync(dir, { recursive: true, force: true });
    return {
      ok: false,
      rootCause: 'submission_rejected',
      message: `the local supervisor could not be started: ${supervisor}`,
    };
  }
  writeJsonAtomic(files.supervisor, supervisor);
  enqueue(ctx.stateDir, jobId, supervisor);
  return { ok: true, jobId, stdoutPath: job.stdoutPath, stderrPath: job.stderrPath };
}

function jobRecord(req: SubmitRequest, jobId: string, files: JobFiles, ctx: SubmitContext): JobRecord {
  const user = currentUser();
  // Like sbatch: the job runs where it was submitted from unless told otherwise.
  const workdir = resolve(req.workdir ?? process.cwd());
  const facts = { jobId, name: req.name, user: user.name, workdir };
  const cmd = req.command;
  const { timeMinutes, memMb, ...others } = req.resources ?? {};
  const resources: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(others)) if (value !== undefined) resources[key] = value;
  return {
    version: 1,
    jobId,
    name: req.name,
    kind: cmd.kind,
    argv: cmd.kind === 'script' ? [cmd.path, ...(cmd.args ?? [])] : [...cmd.argv],
    env: { ...req.env },
    workdir,
    // Slurm's patterns (%j, %x, %u), relative to the workdir; by default in the job directory.
    stdoutPath: req.stdout === undefined ? files.stdout : expandLogPattern(req.stdout, facts),
    stderrPath: req.stderr === undefined ? files.stderr : expandLogPattern(req.stderr, facts),
    limits: {
      ...(timeMinutes !== undefined ? { timeMinutes } : {}),
      ...(memMb !== undefined ? { memMb } : {}),
    },
    resources,
    submittedAt: ctx.now().toISOString(),
    uid: user.uid,
    user: user.name,
    concurrency: ctx.concurrency,
    pollMs: ctx.pollMs,
    killGraceMs: ctx.killGraceMs,
  };
}

/** The supervisor's identity, or why it could not be started. */
async function startSupervisor(
  command: readonly string[],
  files: JobFiles,
): Promise<ProcessIdentity | string> {
  const [program, ...prefix] = command;
  if (program === undefined) return 'the supervisor command is empty';
  // The supervisor's own output (a crash, a bug) goes next to the job, where one looks for it.
  const log = openSync(files.supervisorLog, 'a');
  try {
    // detached: a session of its own, so neither the parent's exit nor its terminal's hangup
    // reaches it. cwd and env are inherited: they are the job's defaults, as with sbatch.
    const child = spawn(program, [...prefix, files.dir], { detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) {
      const error = await new Promise<unknown>((done) => child.once('error', done));
      return errorMessage(error);
    }
    child.unref();
    return identify(child.pid);
  } finally {
    closeSync(log);
  }
}
