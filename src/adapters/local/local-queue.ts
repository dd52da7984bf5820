/**
 * The concurrency limit: a queue in the state directory. A waiting job has an entry
 * `queue/<id>`, a running one `running/<id>`, each holding its supervisor's identity.
 * Admission happens under the state lock: a job may start when fewer than `limit` live entries
 * are running and it is among the first waiting ones in id order (first come, first served,
 * like Slurm's age priority). An entry whose supervisor died is removed by whoever looks next,
 * so a lost job never holds a slot.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  errorCode,
  isLocalJobId,
  layoutOf,
  readJsonFile,
  removeFile,
  writeJsonAtomic,
} from './local-layout.js';
import { withLock } from './local-lock.js';
import { isAlive } from './local-proc.js';
import { type ProcessIdentity, processIdentitySchema } from './local-records.js';

/** An entry that does not parse is left alone this long: it may be a write in progress elsewhere. */
const UNREADABLE_ENTRY_GRACE_MS = 10_000;

/**
 * Puts the job in the queue, unless it is there already. Submit does it as soon as the
 * supervisor exists, so the queue's order is the submission order even when supervisors boot
 * out of order; the supervisor does it again in case its submitter died first. No lock: a new
 * file, written atomically; a duplicate left by a race is ignored by tryAdmit.
 */
export function enqueue(stateDir: string, jobId: string, supervisor: ProcessIdentity): void {
  const { queueDir, runningDir } = layoutOf(stateDir);
  mkdirSync(queueDir, { recursive: true });
  mkdirSync(runningDir, { recursive: true });
  if (existsSync(join(queueDir, jobId)) || existsSync(join(runningDir, jobId))) return;
  writeJsonAtomic(join(queueDir, jobId), supervisor);
}

/** True when the job holds a slot (now, or already). */
export function tryAdmit(stateDir: string, jobId: string, limit: number): Promise<boolean> {
  const layout = layoutOf(stateDir);
  return withLock(layout.lockFile, () => {
    const running = liveEntries(layout.runningDir);
    if (running.includes(jobId)) {
      removeFile(join(layout.queueDir, jobId));
      return true;
    }
    const free = limit - running.length;
    if (free <= 0) return false;
    const waiting = liveEntries(layout.queueDir)
      .filter((id) => !running.includes(id))
      .sort((a, b) => Number(a) - Number(b));
    const rank = waiting.indexOf(jobId);
    if (rank < 0 || rank >= free) return false;
    renameSync(join(layout.queueDir, jobId), join(layout.runningDir, jobId));
    return true;
  });
}

/** Gives the slot (or the place in the queue) back. */
export function leaveQueue(stateDir: string, jobId: string): void {
  const { queueDir, runningDir } = layoutOf(stateDir);
  removeFile(join(queueDir, jobId));
  removeFile(join(runningDir, jobId));
}

/** The ids of the entries whose supervisor is alive; the others are removed (the caller holds the lock). */
function liveEntries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const live: string[] = [];
  for (const name of names) {
    if (!isLocalJobId(name)) continue;
    const path = join(dir, name);
    let supervisor: ProcessIdentity | undefined;
    try {
      const parsed = processIdentitySchema.safeParse(readJsonFile(path));
      supervisor = parsed.success ? parsed.data : undefined;
    } catch {
      supervisor = undefined;
    }
    if (supervisor === undefined) {
      if (ageMs(path) > UNREADABLE_ENTRY_GRACE_MS) removeFile(path);
      continue;
    }
    if (isAlive(supervisor)) live.push(name);
    else removeFile(path);
  }
  return live;
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
