/**
 * readLogTails(): the last bytes of many log files in ONE remote call. The script is a constant;
 * paths arrive as positional arguments and are named in the output only by their position, so
 * no path (newlines, quotes, leading dashes) can break the framing. A missing or unreadable file
 * is reported as missing, not as an error. The total is bounded: the per-file budget shrinks to
 * fit maxTotalBytes.
 *
 * Cost on the login node (shared, and the biggest part of a tick's overhead; issue #10): four
 * processes whatever the number of files — a `stat` for every size before, ONE `tail` for every
 * tail, a `stat` for every size after, an `rm` — where a process per file cost ~0.8 ms each.
 * Nothing else: the script has the framing's builtins but not the prelude's `id` and `date`
 * (nor its `$D` subshell), which the tails do not need (~2 ms of the call on the lab).
 * The per-file loop (one `tail` per file) stays as the fallback where `tail` cannot take many
 * files without headers, `stat` is not GNU's, or the budget is smaller than the separator.
 */
import type { LogFileTail, LogTail, LogTailRequest } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { parseTails } from './log-tails-parse.js';
import { SCRIPT_FRAMING } from './sections.js';

/**
 * $1 nonce, $2 bytes per file, then the paths. First, builtins only: a `missing.<i>` meta for
 * each path that is not a readable regular file, and word lists naming the others only as
 * `"${N}"` (and tail's also `"$sep"`), so the evals cannot be steered by a file name.
 *
 * The batch: the separator file $sep (a newline, `@@SW:<nonce>:next`, a newline; created with
 * noclobber, so never someone else's file) goes after every log in one `tail -q -c` (-q: no
 * headers, which would carry the paths). Its output is a `tails` section: tail, separator,
 * tail, separator… The bytes travel as they are (an encoding such as base64 would add a third
 * to the biggest answer of a tick): a log's bytes can neither forge nor swallow a separator
 * (see log-tails-parse.ts), so a file that grows or shrinks meanwhile cannot shift another's
 * tail, and the sizes before (`before`) and after (`sizes`) tell the client which tails to
 * distrust. A script killed mid-way (timeout) removes its separator file on the way out (only
 * SIGKILL leaves it, ~24 bytes in TMPDIR).
 *
 * tail exits non-zero when a file went away after the test (a race the size checks catch), or
 * when it rejects -q or a second file; only the probe on $sep, run in that case alone, tells
 * them apart. On a rejection, a lost separator file, a `stat` without -c (BSD spells it
 * `-f %z`) or a budget smaller than the separator: `meta tails each`, then one `file` section
 * per readable file from its own `tail`. When the last stat fails, one `size` section per file
 * from `wc -c <`, which names nothing either.
 */
export const LOG_TAILS_SCRIPT = `${SCRIPT_FRAMING}
nonce=$1
max=$2
shift 2
i=0
n=0
idx=
list=
tlist=
for p do
  i=$((i + 1))
  if [ -f "$p" ] && [ -r "$p" ]; then
    n=$((n + 1))
    idx="$idx $i"
    list="$list \\"\\\${$i}\\""
    tlist="$tlist \\"\\\${$i}\\" \\"\\$sep\\""
  else
    meta "missing.$((i - 1))" 1
  fi
done
[ "$n" -gt 0 ] || { finish; exit 0; }
mode=each
stat=1
sep="\${TMPDIR:-/tmp}/sweepwatch-tails.$$.$nonce"
made=
if [ "$max" -ge $((\${#M} + 6)) ]; then
  set -C
  printf '\\n%snext\\n' "$M" 2>/dev/null >"$sep" && made=1
  set +C
fi
if [ -n "$made" ]; then
  # Killed by the timeout (HUP when the channel closes, TERM from the timeout's kill): remove it.
  trap 'rm -f -- "$sep"' EXIT
  trap 'exit 143' HUP INT TERM
  begin before "$n"
  eval "stat -L -c %s -- $list"
  rc=$?
  end before "$n" "$rc"
  if [ "$rc" -eq 0 ]; then
    mode=batch
    begin tails "$n"
    eval "tail -q -c \\"\\$max\\" -- $tlist"
    rc=$?
    end tails "$n" "$rc"
    if [ "$rc" -ne 0 ] && { ! [ -f "$sep" ] || ! tail -q -c 1 -- "$sep" "$sep" >/dev/null 2>&1; }; then
      mode=each
    fi
  else
    stat=
  fi
  rm -f -- "$sep"
  trap - EXIT HUP INT TERM
fi
meta tails "$mode"
if [ "$mode" = each ]; then
  for k in $idx; do
    eval "p=\\\${$k}"
    begin file "$((k - 1))"
    tail -c "$max" -- "$p"
    rc=$?
    printf '\\n'
    end file "$((k - 1))" "$rc"
  done
fi
rc=1
if [ -n "$stat" ]; then
  begin sizes "$n"
  eval "stat -L -c %s -- $list"
  rc=$?
  end sizes "$n" "$rc"
fi
if [ "$rc" -ne 0 ]; then
  for k in $idx; do
    eval "p=\\\${$k}"
    begin size "$((k - 1))"
    wc -c < "$p"
    end size "$((k - 1))" "$?"
  done
fi
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
    // 256 bytes per file cover its separator or markers, its two size lines and, without GNU
    // stat, its size section.
    { timeoutMs: options.timeoutMs, maxStdoutBytes: paths.length * (perFile + 256) + 4096 },
  );
  const reads = parseTails(out.stdout, out.stderr, options.nonce, paths.length, perFile);
  for (const r of requests) {
    const tails: LogFileTail[] = [];
    const texts: string[] = [];
    const seen = new Set<string>();
    for (const path of r.paths) {
      if (seen.has(path)) continue;
      seen.add(path);
      const read = reads[indexOf.get(path) ?? -1];
      if (read === undefined) continue;
      tails.push({ path, missing: read.missing, size: read.size, truncated: read.truncated });
      if (read.text !== '') texts.push(read.text.endsWith('\n') ? read.text.slice(0, -1) : read.text);
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
