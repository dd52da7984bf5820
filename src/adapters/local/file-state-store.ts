/**
 * The manifest in a local file, for the CLI. Saves are compare-and-swap under a lock file and
 * atomic: the new text goes to a temp file in the same directory, is fsynced, renamed over the
 * manifest, and the directory is fsynced, so a crash leaves the old file or the new one, never
 * half of one. The version is the sha256 of the file's bytes. A file that does not parse is
 * refused on load, and since no caller can then hold its version, no save can replace it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { type Manifest, parseManifest, serializeManifest } from '../../core/manifest.js';
import type { LoadedManifest, SaveManifestResult, StateStore } from '../../ports/state-store.js';

export interface FileStateStoreOptions {
  readonly path: string;
  /** When given, a manifest of another experiment is refused on load and on save. */
  readonly experiment?: string;
  /** How long save() waits for another writer's lock (default 10 s). */
  readonly lockTimeoutMs?: number;
  /** A lock older than this is taken to be left by a crash (default 30 s; a save takes milliseconds). */
  readonly staleLockMs?: number;
}

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  /** Epoch ms when taken. */
  readonly at: number;
}

/** An unreadable lock (its writer died between create and write) is dated by its mtime. */
const UNREADABLE_HOLDER = { pid: -1, host: '', token: '' } as const;

const versionOf = (text: string) => createHash('sha256').update(text).digest('hex');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorCode = (error: unknown) => (error instanceof Error && 'code' in error ? error.code : undefined);

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EACCES'].includes(String(errorCode(error)))) throw error;
  } finally {
    await handle?.close();
  }
}

export class FileStateStore implements StateStore {
  readonly path: string;
  private readonly lockPath: string;

  constructor(private readonly options: FileStateStoreOptions) {
    this.path = options.path;
    this.lockPath = `${options.path}.lock`;
  }

  private parse(text: string): Manifest {
    const experiment = this.options.experiment;
    return parseManifest(
      text,
      experiment === undefined ? { source: this.path } : { source: this.path, experiment },
    );
  }

  async load(): Promise<LoadedManifest | null> {
    const text = await readIfExists(this.path);
    if (text === null) return null;
    return { manifest: this.parse(text), version: versionOf(text) };
  }

  async save(manifest: Manifest, expectedVersion: string | null): Promise<SaveManifestResult> {
    const text = serializeManifest(manifest);
    // Never replace the last good manifest with one that would not load back.
    this.parse(text);
    await mkdir(dirname(this.path), { recursive: true });
    const lock = await this.acquireLock();
    try {
      const current = await readIfExists(this.path);
      const currentVersion = current === null ? null : versionOf(current);
      if (currentVersion !== expectedVersion) return { ok: false, conflict: true, currentVersion };
      await this.writeAtomically(text);
      return { ok: true, version: versionOf(text) };
    } finally {
      await this.releaseLock(lock);
    }
  }

  private async writeAtomically(text: string): Promise<void> {
    const dir = dirname(this.path);
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dir);
  }

  private async acquireLock(): Promise<LockInfo> {
    const timeoutMs = this.options.lockTimeoutMs ?? 10_000;
    const info: LockInfo = { pid: process.pid, host: hostname(), token: randomUUID(), at: Date.now() };
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; ; round++) {
      try {
        const handle = await open(this.lockPath, 'wx', 0o644);
        try {
          await handle.writeFile(JSON.stringify(info));
        } finally {
          await handle.close();
        }
        return info;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const holder = await this.readLock();
      if (holder !== null && this.isStale(holder)) {
        await this.breakLock(holder);
        continue;
      }
      if (Date.now() >= deadline) {
        const who =
          holder === null || holder.pid <= 0 ? 'another writer' : `pid ${holder.pid} on ${holder.host}`;
        throw new Error(
          `${this.lockPath}: still locked by ${who} after ${timeoutMs} ms; if no sweepwatch is running, delete the lock file`,
        );
      }
      await sleep(Math.min(50, 2 + round * 2) * (0.5 + Math.random()));
    }
  }

  private async readLock(): Promise<LockInfo | null> {
    const text = await readIfExists(this.lockPath);
    if (text === null) return null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object') {
        const [pid, host, token, at] = ['pid', 'host', 'token', 'at'].map((k) => Reflect.get(parsed, k));
        if (
          typeof pid === 'number' &&
          typeof host === 'string' &&
          typeof token === 'string' &&
          typeof at === 'number'
        ) {
          return { pid, host, token, at };
        }
      }
    } catch {
      // Empty or partial: being written right now, or its writer died in between. Its mtime says which.
    }
    const mtimeMs = await stat(this.lockPath).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    return { ...UNREADABLE_HOLDER, token: text, at: mtimeMs };
  }

  private isStale(holder: LockInfo): boolean {
    const age = Date.now() - holder.at;
    if (age > (this.options.staleLockMs ?? 30_000)) return true;
    if (holder.pid <= 0) return false;
    return holder.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
  }

  /**
   * Moves the stale lock aside before deleting it, and only when it is still the one judged
   * stale: two writers breaking it at once must not delete a lock a third one just took.
   */
  private async breakLock(stale: LockInfo): Promise<void> {
    const aside = `${this.lockPath}.${randomUUID().slice(0, 8)}.stale`;
    try {
      await rename(this.lockPath, aside);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    const moved = await readIfExists(aside);
    if (moved !== null && moved !== stale.token && !moved.includes(stale.token)) {
      // We moved a fresh lock: put it back. link() fails if someone locked meanwhile; then two
      // writers briefly both hold it, the one race this scheme cannot close (it needs a crash first).
      await link(aside, this.lockPath).catch(() => undefined);
    }
    await unlink(aside).catch(() => undefined);
  }

  private async releaseLock(lock: LockInfo): Promise<void> {
    const holder = await this.readLock();
    if (holder?.token === lock.token) await unlink(this.lockPath).catch(() => undefined);
  }
}
