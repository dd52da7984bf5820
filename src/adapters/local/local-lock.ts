/**
 * A lock file shared by unrelated processes (the submitting CLI, later ticks, supervisors):
 * created with O_EXCL, holding its holder's identity. Critical sections are a few file
 * operations long, so waiters simply poll.
 *
 * A holder that died (SIGKILL, reboot) leaves the file behind; a waiter that finds its holder
 * dead removes it. Two waiters breaking the same dead lock at once could both get in: callers
 * therefore keep their invariants with atomic operations too (mkdir of a job dir, rename of a
 * queue entry), and the lock only orders them.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { errorCode, removeFile } from './local-layout.js';
import { identify, isAlive, sleep } from './local-proc.js';
import { processIdentitySchema } from './local-records.js';

export interface LockOptions {
  /** How long to wait for a live holder; default 30 s. */
  readonly timeoutMs?: number;
}

/** A lock file still empty after this long belongs to a process that died between create and write. */
const EMPTY_LOCK_STALE_MS = 5_000;

export async function withLock<T>(
  path: string,
  fn: () => T | Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const token = await acquire(path, options.timeoutMs ?? 30_000);
  try {
    return await fn();
  } finally {
    release(path, token);
  }
}

async function acquire(path: string, timeoutMs: number): Promise<string> {
  const token = randomUUID();
  const body = JSON.stringify({ token, holder: identify(process.pid) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, body);
      } finally {
        closeSync(fd);
      }
      return token;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    if (isStale(path)) {
      removeFile(path);
      continue;
    }
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${path}`);
    // Jitter, so that waiters released together do not collide again in step.
    await sleep(5 + Math.random() * 20);
  }
}

function isStale(path: string): boolean {
  let text: string;
  let ageMs: number;
  try {
    text = readFileSync(path, 'utf8');
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return false; // released meanwhile: just try again
  }
  const holder = parseHolder(text);
  if (holder === undefined) return ageMs > EMPTY_LOCK_STALE_MS;
  return !isAlive(holder.holder);
}

function parseHolder(text: string) {
  try {
    const raw = JSON.parse(text) as { token?: unknown; holder?: unknown };
    const holder = processIdentitySchema.safeParse(raw.holder);
    if (typeof raw.token !== 'string' || !holder.success) return undefined;
    return { token: raw.token, holder: holder.data };
  } catch {
    return undefined;
  }
}

/** Removes the lock only if it is still ours: a waiter may have broken it as stale meanwhile. */
function release(path: string, token: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  if (parseHolder(text)?.token === token) removeFile(path);
}
