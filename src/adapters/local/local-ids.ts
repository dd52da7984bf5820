/**
 * Job ids: increasing integers, like Slurm's, so every layer that parses ids (manifest,
 * markers, the Slurm-shaped checks) takes them as they are. The counter lives in `last-id`
 * under the state lock; the job directory is then claimed with mkdir, which is atomic, so an
 * id can never be handed out twice even if the counter was lost or the lock was broken.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode, isLocalJobId, layoutOf, writeFileAtomic } from './local-layout.js';
import { withLock } from './local-lock.js';

export interface AllocatedJob {
  readonly jobId: string;
  readonly dir: string;
}

/** Allocates the next id and creates its (empty) job directory. */
export async function allocateJob(stateDir: string): Promise<AllocatedJob> {
  const layout = layoutOf(stateDir);
  mkdirSync(layout.jobsDir, { recursive: true });
  return withLock(layout.lockFile, () => {
    let next = lastId(layout.lastIdFile, layout.jobsDir) + 1;
    for (;;) {
      const dir = join(layout.jobsDir, String(next));
      try {
        mkdirSync(dir);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
        next += 1;
        continue;
      }
      writeFileAtomic(layout.lastIdFile, `${next}\n`);
      return { jobId: String(next), dir };
    }
  });
}

/** The counter, or when it is missing or damaged, the highest id that has a directory. */
function lastId(counterFile: string, jobsDir: string): number {
  try {
    const n = Number(readFileSync(counterFile, 'utf8').trim());
    if (Number.isSafeInteger(n) && n >= 0) return n;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  let max = 0;
  for (const entry of readdirSync(jobsDir)) {
    if (isLocalJobId(entry)) max = Math.max(max, Number(entry));
  }
  return max;
}
