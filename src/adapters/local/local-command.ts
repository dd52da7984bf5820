/**
 * What the supervisor executes, and what it says when that fails. There is no shell between
 * the supervisor and the job, so the supervisor speaks for one: a missing command exits 127
 * with `command not found`, an unexecutable one 126, as bash would, so the classifier and the
 * user read the usual words in stderr.log.
 */
import { accessSync, closeSync, constants, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { errorCode, errorMessage } from './local-layout.js';
import type { JobRecord } from './local-records.js';

/** The prefix of every line the supervisor writes into a job's stderr. */
export const BANNER = 'sweepwatch-local';

/**
 * An argv runs as given (PATH lookup included). A script is a path relative to the workdir;
 * sbatch runs scripts without the x bit, so one that is not executable runs through its `#!`
 * line, or /bin/sh without one.
 */
export function commandArgv(job: JobRecord): readonly string[] {
  if (job.kind === 'argv') return job.argv;
  const [path = '', ...args] = job.argv;
  const script = isAbsolute(path) ? path : resolve(job.workdir, path);
  try {
    accessSync(script, constants.X_OK);
    return [script, ...args];
  } catch {
    // Missing: executing it fails with ENOENT, reported below. Not executable: read its #!.
  }
  const interpreter = shebang(script);
  if (interpreter === undefined) return [script, ...args];
  return [...interpreter, script, ...args];
}

/** `#!/usr/bin/env python3 -u` → ['/usr/bin/env', 'python3 -u'] (Linux passes the rest as one word). */
function shebang(path: string): string[] | undefined {
  let head: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(256);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (!head.startsWith('#!')) return ['/bin/sh'];
  const line = (head.slice(2).split('\n')[0] ?? '').trim();
  const space = line.search(/\s/);
  if (line === '') return ['/bin/sh'];
  if (space < 0) return [line];
  return [line.slice(0, space), line.slice(space).trim()];
}

export interface SpawnFailure {
  readonly code: number;
  /** One line for stderr.log, in a shell's words. */
  readonly message: string;
}

export function spawnFailure(error: unknown, program: string): SpawnFailure {
  switch (errorCode(error)) {
    case 'ENOENT':
      return program.includes('/')
        ? { code: 127, message: `${BANNER}: ${program}: No such file or directory` }
        : { code: 127, message: `${BANNER}: ${program}: command not found` };
    case 'EACCES':
      return { code: 126, message: `${BANNER}: ${program}: Permission denied` };
    default:
      return { code: 126, message: `${BANNER}: ${program}: ${errorMessage(error)}` };
  }
}
