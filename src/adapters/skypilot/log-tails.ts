/**
 * readLogTails(): `sky jobs logs --no-follow [--controller] <id>` for the requested jobs only,
 * in ONE remote call, each bounded in bytes (`tail -c`) and in time (`timeout`, when the host
 * has it). Which log: the reference says (log-refs.ts), and a plain reference means the job's
 * own log unless the job's last known status is one whose story is in the controller's log
 * (FAILED_CONTROLLER, FAILED_NO_RESOURCE, FAILED_PRECHECKS: the job never ran, or its
 * controller died). `--no-follow`, `--controller` and the positional id exist since 0.6.
 * Each line loses the `(task, pid=N)` prefix sky adds (log-prefix.ts).
 */
import type { LogFileTail, LogTail, LogTailRequest } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { stripSkyLogPrefixes } from './log-prefix.js';
import { type LogKind, logRef, parseLogRef } from './log-refs.js';
import { parseFramed, SKY_PRELUDE } from './script.js';
import { CONTROLLER_LOG_STATUSES } from './states.js';

/** $1 nonce, $2 bytes per log, $3 seconds per log, $4 n, then n items `<id>.<job|controller>`, then the sky argv. */
export const LOG_TAILS_SCRIPT = `${SKY_PRELUDE}
max=$2
secs=$3
n=$4
shift 4
items=
while [ "$n" -gt 0 ]; do items="$items $1"; shift; n=$((n - 1)); done
out=$(mktemp) || { meta error 'mktemp failed'; exit 3; }
trap 'rm -f "$err" "$out"' EXIT
T=
if command -v timeout >/dev/null 2>&1; then T=1; fi
lim() { if [ -n "$T" ]; then timeout "$secs" "$@"; else "$@"; fi; }
for it in $items; do
  id=\${it%.*}
  begin log "$it"
  if [ "\${it#*.}" = controller ]; then
    lim "$@" jobs logs --no-follow --controller "$id" >"$out" 2>&1
  else
    lim "$@" jobs logs --no-follow "$id" >"$out" 2>&1
  fi
  rc=$?
  meta "size.$it" "$(wc -c < "$out" | tr -d ' ')"
  tail -c "$max" "$out"
  echo
  end log "$it" "$rc"
done
finish
`;

export interface LogTailOptions {
  readonly nonce: string;
  readonly skyCommand: readonly string[];
  readonly maxTotalBytes: number;
  readonly perLogSeconds: number;
  readonly timeoutMs: number;
  /** Last observed raw status per job id (from observe), to pick the controller's log. */
  readonly lastStatus: ReadonlyMap<string, string>;
}

interface Item {
  readonly jobId: string;
  readonly kind: LogKind;
  readonly key: string;
}

export async function readSkyLogTails(
  transport: Transport,
  requests: readonly LogTailRequest[],
  maxBytesPerFile: number,
  options: LogTailOptions,
): Promise<Map<string, LogTail>> {
  const items = new Map<string, Item>();
  const plan = new Map<string, { items: Item[]; unknown: string[] }>();
  for (const r of requests) {
    const entry = { items: [] as Item[], unknown: [] as string[] };
    for (const path of new Set(r.paths)) {
      const ref = parseLogRef(path);
      if (!ref || ref.jobId !== r.jobId) {
        entry.unknown.push(path);
        continue;
      }
      const status = options.lastStatus.get(ref.jobId);
      const kind: LogKind =
        ref.kind === 'controller' || (status !== undefined && CONTROLLER_LOG_STATUSES.has(status))
          ? 'controller'
          : 'job';
      const item = { jobId: ref.jobId, kind, key: `${ref.jobId}.${kind}` };
      if (!entry.items.some((i) => i.key === item.key)) entry.items.push(item);
      items.set(item.key, item);
    }
    plan.set(r.jobId, entry);
  }

  const perLog = Math.max(
    1,
    Math.min(Math.floor(maxBytesPerFile), Math.floor(options.maxTotalBytes / Math.max(1, items.size))),
  );
  const tails = new Map<string, { text: string; size: number; rc: number | null }>();
  let done = true;
  if (items.size > 0) {
    const keys = [...items.keys()];
    const argv = [
      'sh',
      '-c',
      LOG_TAILS_SCRIPT,
      'sweepwatch-sky-logs',
      options.nonce,
      String(perLog),
      String(options.perLogSeconds),
      String(keys.length),
      ...keys,
      ...options.skyCommand,
    ];
    const out = await transport.exec(argv, {
      timeoutMs: Math.max(options.timeoutMs, keys.length * options.perLogSeconds * 1000 + 30_000),
      maxStdoutBytes: keys.length * (perLog + 512) + 8192,
    });
    const framed = parseFramed(out.stdout, out.stderr, options.nonce);
    done = framed.done;
    for (const s of framed.sections) {
      if (s.source !== 'log') continue;
      const size = Number(framed.meta.get(`size.${s.key}`));
      // The script adds a newline after each tail so the end marker starts a line.
      const text = stripSkyLogPrefixes(s.lines.join('\n').replace(/\n$/, ''));
      tails.set(s.key, { text, size: Number.isFinite(size) ? size : 0, rc: s.rc });
    }
  }

  const result = new Map<string, LogTail>();
  for (const r of requests) {
    const entry = plan.get(r.jobId) ?? { items: [], unknown: [] };
    const files: LogFileTail[] = entry.unknown.map((path) => ({
      path,
      missing: true,
      size: 0,
      truncated: false,
    }));
    const texts: string[] = [];
    for (const item of entry.items) {
      const path = logRef(item.jobId, item.kind);
      const tail = tails.get(item.key);
      if (!tail) {
        // Never reached (output cut short): unread, not missing.
        files.push({ path, missing: done, size: 0, truncated: !done });
        continue;
      }
      const missing = tail.rc !== 0 && tail.size === 0;
      // 124: `timeout` stopped sky; null: the section never ended.
      const truncated = tail.size > perLog || tail.rc === 124 || tail.rc === null;
      files.push({ path, missing, size: tail.size, truncated });
      if (tail.text !== '') texts.push(tail.text);
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
