/**
 * Files on this machine, for the CLI: the ClusterFiles port (moving a failed attempt's partial
 * outputs aside before its relaunch) and bounded reads of expected outputs for the final
 * report. Relative paths are taken from `baseDir` (the sweep's working directory), as the
 * jobs themselves resolved them.
 */
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { ClusterFiles, QuarantineResult } from '../../ports/cluster-files.js';
import { errorCode } from './local-layout.js';

export type OutputRead =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly size: number;
      /** The first maxBytes bytes, decoded as UTF-8. */
      readonly text: string;
      readonly truncated: boolean;
    };

export class LocalFiles implements ClusterFiles {
  constructor(private readonly baseDir: string) {}

  private abs(path: string): string {
    return isAbsolute(path) ? path : resolve(this.baseDir, path);
  }

  async quarantine(paths: readonly string[], dest: string): Promise<QuarantineResult> {
    const moved: string[] = [];
    const missing: string[] = [];
    const target = this.abs(dest);
    for (const path of paths) {
      const from = this.abs(path);
      if (!(await exists(from))) {
        missing.push(path);
        continue;
      }
      await mkdir(target, { recursive: true });
      // rename() within one filesystem is atomic: the output is either here or there, never half.
      await rename(from, join(target, basename(from)));
      moved.push(path);
    }
    return { moved, missing };
  }

  /** At most maxBytes of the file, so a huge output cannot blow up the report. */
  async read(path: string, maxBytes: number): Promise<OutputRead> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.abs(path), 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return { exists: false };
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.alloc(Math.min(size, maxBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return {
        exists: true,
        size,
        text: buffer.subarray(0, bytesRead).toString('utf8'),
        truncated: size > maxBytes,
      };
    } finally {
      await handle.close();
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}
