/**
 * readLogTails(): the last bytes of each job's log files, read directly. Same contract as the
 * Slurm adapter's: paths deduplicated, the per-file budget shrunk so the whole answer fits
 * maxTotalBytes, a missing or unreadable file reported missing rather than as an error.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LogFileTail, LogTail, LogTailRequest } from '../../ports/scheduler.js';

export function readLocalTails(
  requests: readonly LogTailRequest[],
  maxBytesPerFile: number,
  maxTotalBytes: number,
): Map<string, LogTail> {
  const distinct = new Set(requests.flatMap((r) => r.paths));
  const perFile = Math.max(
    1,
    Math.min(Math.floor(maxBytesPerFile), Math.floor(maxTotalBytes / Math.max(1, distinct.size))),
  );
  const cache = new Map<string, { text: string; size: number } | undefined>();
  const read = (path: string) => {
    if (!cache.has(path)) cache.set(path, readTail(path, perFile));
    return cache.get(path);
  };
  const result = new Map<string, LogTail>();
  for (const r of requests) {
    const files: LogFileTail[] = [];
    const texts: string[] = [];
    for (const path of new Set(r.paths)) {
      const tail = read(path);
      if (tail === undefined) {
        files.push({ path, missing: true, size: 0, truncated: false });
        continue;
      }
      files.push({ path, missing: false, size: tail.size, truncated: tail.size > perFile });
      if (tail.text !== '') texts.push(tail.text.endsWith('\n') ? tail.text.slice(0, -1) : tail.text);
    }
    result.set(r.jobId, {
      text: texts.join('\n'),
      truncated: files.some((f) => f.truncated),
      missing: files.filter((f) => f.missing).map((f) => f.path),
      files,
    });
  }
  return result;
}

/** The file's last `max` bytes and its size, or undefined when it cannot be read. */
function readTail(path: string, max: number): { text: string; size: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const length = Math.min(max, stat.size);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, stat.size - length + got);
      if (n === 0) break; // truncated while we read
      got += n;
    }
    return { text: buf.subarray(0, got).toString('utf8'), size: stat.size };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
