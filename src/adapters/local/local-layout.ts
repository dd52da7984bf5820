/**
 * The local scheduler's state directory. It is the scheduler's whole memory: every tick is a
 * new process, so the submitting process, later ticks and the supervisors only ever meet here.
 *
 *   <stateDir>/lock                 the one lock (id allocation, slot admission)
 *   <stateDir>/last-id              the last job id handed out
 *   <stateDir>/queue/<id>           a job waiting for a slot (its supervisor's identity)
 *   <stateDir>/running/<id>         a job holding a slot
 *   <stateDir>/jobs/<id>/           job.json, state.json, supervisor.json, cancel,
 *                                   supervisor.log, and by default stdout.log and stderr.log
 *
 * Every JSON file is written whole (temporary file, fsync, rename), so a reader in another
 * process sees the old or the new version, never half of one.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface StateLayout {
  readonly stateDir: string;
  readonly lockFile: string;
  readonly lastIdFile: string;
  readonly queueDir: string;
  readonly runningDir: string;
  readonly jobsDir: string;
}

export interface JobFiles {
  readonly jobId: string;
  readonly dir: string;
  readonly job: string;
  readonly state: string;
  readonly supervisor: string;
  readonly cancel: string;
  readonly supervisorLog: string;
  readonly stdout: string;
  readonly stderr: string;
}

export function layoutOf(stateDir: string): StateLayout {
  return {
    stateDir,
    lockFile: join(stateDir, 'lock'),
    lastIdFile: join(stateDir, 'last-id'),
    queueDir: join(stateDir, 'queue'),
    runningDir: join(stateDir, 'running'),
    jobsDir: join(stateDir, 'jobs'),
  };
}

export function jobFiles(stateDir: string, jobId: string): JobFiles {
  return jobFilesIn(join(stateDir, 'jobs', jobId));
}

/** The files of a job directory, for the supervisor, which is given only that directory. */
export function jobFilesIn(dir: string): JobFiles {
  return {
    jobId: basename(dir),
    dir,
    job: join(dir, 'job.json'),
    state: join(dir, 'state.json'),
    supervisor: join(dir, 'supervisor.json'),
    cancel: join(dir, 'cancel'),
    supervisorLog: join(dir, 'supervisor.log'),
    stdout: join(dir, 'stdout.log'),
    stderr: join(dir, 'stderr.log'),
  };
}

/** `<stateDir>/jobs/<id>` → `<stateDir>`. */
export function stateDirOf(jobDir: string): string {
  return dirname(dirname(jobDir));
}

/** Job ids are plain decimal integers, like Slurm's, so they never name anything but a job dir. */
export function isLocalJobId(id: string): boolean {
  return /^[1-9]\d{0,15}$/.test(id);
}

let tmpCounter = 0;

/**
 * Replaces the file atomically. The temporary name starts with a dot so that directory scans
 * (queue/, running/, jobs/) never take it for an entry.
 */
export function writeFileAtomic(path: string, text: string): void {
  tmpCounter += 1;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${tmpCounter}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    // Without it a crash can leave the renamed file empty: the rename may reach the disk first.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (error) {
    removeFile(tmp);
    throw error;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The parsed file, or undefined when it does not exist; other errors (EACCES, bad JSON) throw. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
