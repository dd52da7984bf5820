/**
 * readLogTails(): the last bytes of many log files in ONE remote call. The script is a constant;
 * paths arrive as positional arguments and are named in the output only by their position, so
 * no path (newlines, quotes) can break the framing. A missing or unreadable file is reported as
 * missing, not as an error. The total is bounded: the per-file budget shrinks to fit maxTotalBytes.
 */
import type { LogFileTail, LogTail, LogTailRequest } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { parseFramed, SCRIPT_PRELUDE } from './sections.js';

/** $1 nonce, $2 bytes per file, then the paths. Each file: begin file <index>:<size>, its tail, a newline, end. */
export const LOG_TAILS_SCRIPT = `${SCRIPT_PRELUDE}
max=$2
shift 2
i=0
for p do
  if [ -f "$p" ] && [ -r "$p" ]; then
    size=$(wc -c < "$p" | tr -d ' ')
    begin file "$i:$size"
    tail -c "$max" -- "$p"
    rc=$?
    printf '\\n'
    end file "$i:$size" "$rc"
  else
    meta "missing.$i" 1
  fi
  i=$((i + 1))
done
finish
`;

export interface LogTailOptions {
  readonly nonce: string;
  readonly maxTotalBytes: number;
  readonly timeoutMs: number;
}

export async function readTails(
  transport: Transport,
  requests: readonly LogTailRequest[],
  maxBytesPerFile: number,
  options: LogTailOptions,
): Promise<Map<string, LogTail>> {
  const paths: string[] = [];
  const indexOf = new Map<string, number>();
  for (const r of requests) {
    for (const p of r.paths) {
      if (!indexOf.has(p)) {
        indexOf.set(p, paths.length);
        paths.push(p);
      }
    }
  }
  const result = new Map<string, LogTail>();
  if (paths.length === 0) {
    for (const r of requests) result.set(r.jobId, { text: '', truncated: false, missing: [], files: [] });
    return result;
  }
  const perFile = Math.max(
    1,
    Math.min(Math.floor(maxBytesPerFile), Math.floor(options.maxTotalBytes / paths.length)),
  );
  const out = await transport.exec(
    ['sh', '-c', LOG_TAILS_SCRIPT, 'sweepwatch-log-tails', options.nonce, String(perFile), ...paths],
    { timeoutMs: options.timeoutMs, maxStdoutBytes: paths.length * (perFile + 256) + 4096 },
  );
  const framed = parseFramed(out.stdout, out.stderr, options.nonce);
  const files = new Map<number, { text: string; size: number; complete: boolean }>();
  for (const s of framed.sections) {
    if (s.source !== 'file') continue;
    const [index = '', size = ''] = s.key.split(':');
    files.set(Number(index), { text: s.lines.join('\n'), size: Number(size), complete: s.rc === 0 });
  }
  for (const r of requests) {
    const tails: LogFileTail[] = [];
    const texts: string[] = [];
    const seen = new Set<string>();
    for (const path of r.paths) {
      if (seen.has(path)) continue;
      seen.add(path);
      const index = indexOf.get(path) ?? -1;
      const file = files.get(index);
      if (!file) {
        // Reported missing by the script, or never reached (output cut short): the latter is
        // an unread file, flagged truncated rather than claimed missing.
        const missing = framed.meta.has(`missing.${index}`) || framed.done;
        tails.push({ path, missing, size: 0, truncated: !missing });
        continue;
      }
      // A cut-short section (output cap) is a truncated tail, never a missing file.
      const truncated = file.size > perFile || !file.complete;
      tails.push({ path, missing: false, size: file.size, truncated });
      if (file.text !== '') texts.push(file.text.endsWith('\n') ? file.text.slice(0, -1) : file.text);
    }
    result.set(r.jobId, {
      text: texts.join('\n'),
      truncated: tails.some((t) => t.truncated),
      missing: tails.filter((t) => t.missing).map((t) => t.path),
      files: tails,
    });
  }
  return result;
}
