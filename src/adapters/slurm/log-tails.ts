/**
 * readLogTails(): the last bytes of many log files in ONE remote call. The script is a constant;
 * paths arrive as positional arguments and are named in the output only by their position, so
 * no path (newlines, quotes, leading dashes) can break the framing. A missing or unreadable file
 * is reported as missing, not as an error. The total is bounded: the per-file budget shrinks to
 * fit maxTotalBytes.
 *
 * Cost on the login node (shared, and the biggest part of a tick's overhead): one process per
 * file (`tail`) plus one `stat` for all the sizes. Everything else is shell builtins.
 */
import type { LogFileTail, LogTail, LogTailRequest } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { parseFramed, SCRIPT_PRELUDE, type Section } from './sections.js';

/**
 * $1 nonce, $2 bytes per file, then the paths. Each readable file: begin file <index>, its tail,
 * a newline, end. Then one section `sizes <n>` with one size per line, for the n files read, in
 * order. stat runs after the tails so a file that grew meanwhile reads as truncated rather than
 * whole. The list handed to stat holds only `"${N}"` words built from counters, never a path, so
 * the eval cannot be steered by a file name; stat prints no names, so none can desync the lines.
 * Where stat fails (BSD spells `-c %s` as `-f %z`; a file vanished, leaving one line short), one
 * `size <index>` section per file from `wc -c <`, which names nothing either.
 */
export const LOG_TAILS_SCRIPT = `${SCRIPT_PRELUDE}
max=$2
shift 2
i=0
n=0
list=
for p do
  if [ -f "$p" ] && [ -r "$p" ]; then
    begin file "$i"
    tail -c "$max" -- "$p"
    rc=$?
    printf '\\n'
    end file "$i" "$rc"
    n=$((n + 1))
    list="$list \\"\\\${$((i + 1))}\\""
  else
    meta "missing.$i" 1
  fi
  i=$((i + 1))
done
if [ "$n" -gt 0 ]; then
  begin sizes "$n"
  eval "stat -L -c %s -- $list"
  rc=$?
  end sizes "$n" "$rc"
  if [ "$rc" -ne 0 ]; then
    i=0
    for p do
      if [ -f "$p" ] && [ -r "$p" ]; then
        begin size "$i"
        wc -c < "$p"
        end size "$i" "$?"
      fi
      i=$((i + 1))
    done
  fi
fi
finish
`;

export interface LogTailOptions {
  readonly nonce: string;
  readonly maxTotalBytes: number;
  readonly timeoutMs: number;
}

interface FileRead {
  readonly text: string;
  readonly complete: boolean;
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
    // 256 bytes per file cover its markers, its size line and, without GNU stat, its size section.
    { timeoutMs: options.timeoutMs, maxStdoutBytes: paths.length * (perFile + 256) + 4096 },
  );
  const framed = parseFramed(out.stdout, out.stderr, options.nonce);
  const files = new Map<number, FileRead>();
  for (const s of framed.sections) {
    if (s.source === 'file') files.set(Number(s.key), { text: s.lines.join('\n'), complete: s.rc === 0 });
  }
  const sizes = readSizes(framed.sections);
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
      const size = sizes.get(index);
      if (size === undefined) {
        // The sizes never arrived (output cut short after the tail): nothing proves the tail is
        // the whole file, so it is truncated, and the bytes we hold are the best size we have.
        tails.push({ path, missing: false, size: Buffer.byteLength(file.text), truncated: true });
      } else {
        // A cut-short section (output cap) is a truncated tail, never a missing file.
        tails.push({ path, missing: false, size, truncated: size > perFile || !file.complete });
      }
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

const DIGITS = /^\d+$/;

/**
 * Sizes by path index. The `sizes` lines belong, in order, to the files that have a section;
 * they count only when stat succeeded and gave exactly one number per file (anything else could
 * pair a size with the wrong file). Otherwise the per-file `size` sections of the fallback.
 */
function readSizes(sections: readonly Section[]): Map<number, number> {
  const sizes = new Map<number, number>();
  const order = sections.filter((s) => s.source === 'file').map((s) => Number(s.key));
  const batch = sections.find((s) => s.source === 'sizes');
  if (batch?.rc === 0 && batch.lines.length === order.length && batch.lines.every((l) => DIGITS.test(l))) {
    for (const [k, index] of order.entries()) sizes.set(index, Number(batch.lines[k]));
    return sizes;
  }
  for (const s of sections) {
    const value = s.lines[0]?.trim() ?? '';
    if (s.source === 'size' && s.rc === 0 && s.lines.length === 1 && DIGITS.test(value)) {
      sizes.set(Number(s.key), Number(value));
    }
  }
  return sizes;
}
