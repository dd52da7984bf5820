/**
 * The framing protocol of our remote scripts. One remote call runs several commands; the script
 * frames each command's output with marker lines that carry a per-call random nonce (so no job
 * name or log line can forge one), the command's exit status, and "done" at the very end:
 *
 *   stdout: @@SW:<nonce>:begin:<source>:<key>   …lines…   @@SW:<nonce>:end:<source>:<key>:<rc>
 *   stderr: @@SW:<nonce>:begin:<source>:<key>   …the command's stderr…
 *   stdout: @@SW:<nonce>:meta:<name>:<value>    (facts such as the remote user and clock)
 *   stdout: @@SW:<nonce>:done
 *
 * A section without its end marker was cut short (output cap, killed script): its rc is null.
 */
import { randomBytes } from 'node:crypto';

export interface Section {
  readonly source: string;
  readonly key: string;
  readonly lines: readonly string[];
  /** The command's exit status, or null when the section never ended. */
  readonly rc: number | null;
  readonly stderr: string;
}

export interface Framed {
  readonly sections: readonly Section[];
  readonly meta: ReadonlyMap<string, string>;
  /** The script printed its final marker. */
  readonly done: boolean;
  /** Lines outside any section (a shell's own complaints, mostly). */
  readonly stray: readonly string[];
}

/**
 * The shell side of the protocol, builtins only ($1 is always the nonce): a fixed locale and
 * time format (a user's SLURM_TIME_FORMAT would change every timestamp), no user format
 * overrides, the marker helpers.
 */
export const SCRIPT_FRAMING = [
  'export LC_ALL=C SLURM_TIME_FORMAT=standard',
  'unset SQUEUE_FORMAT SQUEUE_FORMAT2 SQUEUE_SORT SACCT_FORMAT SINFO_FORMAT 2>/dev/null',
  'M="@@SW:$1:"',
  // One marker on stdout and the same on stderr, so both streams can be cut into sections.
  `begin() { printf '%sbegin:%s:%s\\n' "$M" "$1" "$2"; printf '%sbegin:%s:%s\\n' "$M" "$1" "$2" >&2; }`,
  `end() { printf '%send:%s:%s:%s\\n' "$M" "$1" "$2" "$3"; }`,
  `meta() { printf '%smeta:%s:%s\\n' "$M" "$1" "$2"; }`,
  `finish() { printf '%sdone\\n' "$M"; }`,
].join('\n');

/**
 * The prelude of the scheduler's scripts: the framing, the field separator $D, the remote user
 * and clock (three forks; the log-tails script, which needs none of them, has the framing only).
 */
export const SCRIPT_PRELUDE = [
  SCRIPT_FRAMING,
  "D=$(printf '\\037')",
  `user=$(id -un) || { meta error 'id -un failed'; exit 3; }`,
  'meta user "$user"',
  'meta now "$(date +%Y-%m-%dT%H:%M:%S)"',
].join('\n');

export function newNonce(): string {
  return randomBytes(9).toString('base64url');
}

/** The marker prefix of one call ($M in the scripts). */
export function markerPrefix(nonce: string): string {
  return `@@SW:${nonce}:`;
}

/** A section as frameSpans reads it: its lines are left in the output, as ranges of it. */
export interface SpanSection {
  readonly source: string;
  readonly key: string;
  /**
   * The section's lines as [start, end) offsets into the stdout, two numbers per run of
   * consecutive lines; a run is the text of one or more whole lines without the last newline
   * (so [5, 5) is one empty line). Read them with forEachLine.
   */
  readonly spans: readonly number[];
  readonly rc: number | null;
  readonly stderr: string;
}

export interface SpanFramed {
  readonly sections: readonly SpanSection[];
  readonly meta: ReadonlyMap<string, string>;
  readonly done: boolean;
  readonly stray: readonly string[];
}

export function parseFramed(stdout: string, stderr: string, nonce: string): Framed {
  const framed = frameSpans(stdout, stderr, nonce);
  const sections = framed.sections.map((s): Section => {
    const lines: string[] = [];
    forEachLine(stdout, s.spans, (line) => lines.push(line));
    return { source: s.source, key: s.key, lines, rc: s.rc, stderr: s.stderr };
  });
  return { sections, meta: framed.meta, done: framed.done, stray: framed.stray };
}

/** Calls `visit` with each line of `spans` (SpanSection.spans) of `text`, in order. */
export function forEachLine(text: string, spans: readonly number[], visit: (line: string) => void): void {
  for (let i = 0; i + 1 < spans.length; i += 2) {
    let pos = spans[i] ?? 0;
    const end = spans[i + 1] ?? 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0 || nl >= end) {
        visit(text.slice(pos, end));
        break;
      }
      visit(text.slice(pos, nl));
      pos = nl + 1;
    }
  }
}

/**
 * parseFramed without cutting the stdout into lines: one pass with indexOf('\n') that notes
 * where each section's lines are. The observe output is ~44 MB at 100,000 jobs; its parsers read
 * the lines from there, so no array of 400,000 lines is built and then copied.
 */
export function frameSpans(stdout: string, stderr: string, nonce: string): SpanFramed {
  const prefix = markerPrefix(nonce);
  const sections: { source: string; key: string; spans: number[]; rc: number | null; stderr: string }[] = [];
  const byId = new Map<string, (typeof sections)[number]>();
  const meta = new Map<string, string>();
  const stray: string[] = [];
  let current: (typeof sections)[number] | undefined;
  let done = false;
  // The run of body lines of `current` not yet recorded: [runStart, runEnd), or none (-1).
  let runStart = -1;
  let runEnd = -1;

  // Lines as text.split('\n') gives them, less the empty one after a final newline.
  const length = stdout.length;
  for (let pos = 0; pos < length; ) {
    let nl = stdout.indexOf('\n', pos);
    if (nl < 0) nl = length;
    // The prefix must fit in the line: a marker never spans a newline.
    if (nl - pos < prefix.length || !stdout.startsWith(prefix, pos)) {
      if (current) {
        if (runStart < 0) runStart = pos;
        runEnd = nl;
      } else {
        const line = stdout.slice(pos, nl);
        if (line.trim() !== '') stray.push(line);
      }
      pos = nl + 1;
      continue;
    }
    if (current && runStart >= 0) current.spans.push(runStart, runEnd);
    runStart = -1;
    const [kind = '', ...rest] = stdout.slice(pos + prefix.length, nl).split(':');
    pos = nl + 1;
    if (kind === 'begin' && rest.length >= 2) {
      const [source = '', ...key] = rest;
      current = { source, key: key.join(':'), spans: [], rc: null, stderr: '' };
      sections.push(current);
      byId.set(`${current.source}:${current.key}`, current);
    } else if (kind === 'end' && current && rest.length >= 3) {
      const rc = Number(rest[rest.length - 1]);
      current.rc = Number.isInteger(rc) ? rc : null;
      current = undefined;
    } else if (kind === 'meta' && rest.length >= 1) {
      const [name = '', ...value] = rest;
      meta.set(name, value.join(':'));
    } else if (kind === 'done') {
      done = true;
    }
  }
  if (current && runStart >= 0) current.spans.push(runStart, runEnd);

  // stderr has begin markers only: everything after one belongs to that section.
  let target: (typeof sections)[number] | undefined;
  const orphanErr: string[] = [];
  for (const line of splitLines(stderr)) {
    if (line.startsWith(prefix)) {
      const [kind = '', source = '', ...key] = line.slice(prefix.length).split(':');
      if (kind === 'begin') target = byId.get(`${source}:${key.join(':')}`);
      continue;
    }
    if (target) target.stderr += `${line}\n`;
    else if (line.trim() !== '') orphanErr.push(line);
  }
  if (orphanErr.length > 0) stray.push(...orphanErr);
  return { sections, meta, done, stray };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
