/**
 * ONE remote call that reads the user's whole managed-job queue: observe, findByName and the
 * cancel check all start here. The script is a constant; its data is the nonce, the dialect to
 * start from, whether to ask `sky --version` (first contact), and the sky command as argv.
 * It walks the dialects (dialects.ts) only while click rejects an option, so an unknown sky
 * costs a few extra sky starts once, and a known one exactly one.
 */
import type { ObservationError } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { clip } from '../slurm/fields.js';
import { parseSkyVersion, QUEUE_DIALECTS } from './dialects.js';
import { parseQueueJson } from './queue-json.js';
import { parseQueueTable } from './queue-table.js';
import { type Framed, parseFramed, type Section, SKY_PRELUDE } from './script.js';
import type { QueueParse } from './sky-job.js';

const LAST = QUEUE_DIALECTS.length - 1;

/** $1 nonce, $2 first dialect, $3 1 = ask the version, then the sky command. */
export const QUEUE_SCRIPT = `${SKY_PRELUDE}
d=$2
v=$3
shift 3
if [ "$v" = 1 ]; then run version 0 "$@" --version; fi
while :; do
  case $d in
${QUEUE_DIALECTS.map((q, i) => `    ${i}) run queue ${i} "$@" ${q.args.join(' ')} ;;`).join('\n')}
    *) meta error "no dialect $d"; break ;;
  esac
  # An older sky: click refuses an option (exit 2). Anything else is the answer.
  [ "$rc" -eq 2 ] && [ "$d" -lt ${LAST} ] && grep -qi 'no such option' "$err" || break
  d=$((d + 1))
done
finish
`;

export interface QueueQueryOptions {
  readonly nonce: string;
  readonly skyCommand: readonly string[];
  /** The dialect to start from (index into QUEUE_DIALECTS); 0 when unknown. */
  readonly dialect: number;
  readonly askVersion: boolean;
  readonly timeoutMs: number;
  readonly maxStdoutBytes: number;
}

export interface QueueAnswer {
  /** The parsed queue, when sky answered with one. */
  readonly parse: QueueParse | undefined;
  /** The dialect that answered (learned: start there next time). */
  readonly dialect: number | undefined;
  /** `sky --version`'s version when asked: undefined when not asked, null when unreadable. */
  readonly version: string | null | undefined;
  readonly errors: readonly ObservationError[];
  /** Every job of the user is in `parse`: an id missing from it does not exist. */
  readonly complete: boolean;
  readonly remoteEpoch: number | undefined;
  readonly source: string;
}

export function queueArgv(options: QueueQueryOptions): string[] {
  const { nonce, dialect, askVersion, skyCommand } = options;
  return [
    'sh',
    '-c',
    QUEUE_SCRIPT,
    'sweepwatch-sky-queue',
    nonce,
    String(dialect),
    askVersion ? '1' : '0',
    ...skyCommand,
  ];
}

/** Runs the queue script. A TransportError propagates: the caller decides what it means. */
export async function queryQueue(transport: Transport, options: QueueQueryOptions): Promise<QueueAnswer> {
  const out = await transport.exec(queueArgv(options), {
    timeoutMs: options.timeoutMs,
    maxStdoutBytes: options.maxStdoutBytes,
  });
  const framed = parseFramed(out.stdout, out.stderr, options.nonce);
  return readAnswer(framed, out.stdoutTruncated, options.askVersion);
}

export function readAnswer(framed: Framed, truncated: boolean, askedVersion: boolean): QueueAnswer {
  const errors: ObservationError[] = [];
  const epoch = Number(framed.meta.get('epoch'));
  const remoteEpoch = Number.isFinite(epoch) && epoch > 0 ? epoch : undefined;
  let version: string | null | undefined;
  if (askedVersion) {
    const v = framed.sections.find((s) => s.source === 'version');
    version = v?.rc === 0 ? (parseSkyVersion(v.lines.join('\n')) ?? null) : null;
  }
  const queues = framed.sections.filter((s) => s.source === 'queue');
  const last = queues[queues.length - 1];
  const dialect = last === undefined ? undefined : Number(last.key);
  const spec = dialect === undefined ? undefined : QUEUE_DIALECTS[dialect];
  const source = `sky jobs queue (${spec?.format ?? 'unknown'})`;
  let parse: QueueParse | undefined;
  if (last === undefined || spec === undefined) {
    errors.push({ kind: 'incomplete_output', source: 'sky', message: scriptTrouble(framed) });
  } else if (last.rc === null) {
    errors.push({ kind: 'incomplete_output', source: 'sky', message: 'sky jobs queue output was cut short' });
  } else if (last.rc !== 0) {
    errors.push({ kind: 'query_failed', source: 'sky', message: firstError(last) });
  } else {
    const text = last.lines.join('\n');
    parse = spec.format === 'json' ? parseQueueJson(text) : parseQueueTable(text);
    if (parse.failure !== undefined) {
      errors.push({
        kind: 'query_failed',
        source: 'sky',
        message: `sky jobs queue showed no queue: ${parse.failure}`,
      });
      parse = undefined;
    } else if (parse.partial) {
      errors.push({
        kind: 'incomplete_output',
        source: 'sky',
        message: 'sky jobs queue showed only part of the queue',
      });
    }
  }
  if (parse !== undefined && (truncated || !framed.done)) {
    errors.push({ kind: 'incomplete_output', source: 'sky', message: 'the queue output was cut short' });
  }
  const complete = parse !== undefined && errors.length === 0;
  const learned = last?.rc === 0 ? dialect : undefined;
  return { parse, dialect: learned, version, errors, complete, remoteEpoch, source };
}

export function firstError(s: Section): string {
  const lines = s.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line = lines.find((l) => /error|exception|not found|failed/i.test(l)) ?? lines[lines.length - 1];
  return clip(line ?? `sky exited ${s.rc}`);
}

function scriptTrouble(framed: Framed): string {
  const err = framed.meta.get('error');
  if (err) return `the sky script failed: ${err}`;
  const stray = framed.stray.find((l) => l.trim() !== '');
  return stray ? `the sky script did not finish: ${clip(stray)}` : 'the sky script did not finish';
}
