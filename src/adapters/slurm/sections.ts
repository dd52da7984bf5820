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
import { forEachLineOf } from '../../ports/exec-lines.js';

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

/** A section as FrameReader reads it: what it is and how it ended, its lines given to its sink. */
export interface SectionHead {
  readonly source: string;
  readonly key: string;
  /** The command's exit status, or null when the section never ended. */
  readonly rc: number | null;
  /** Filled in by FrameReader.finish(). */
  readonly stderr: string;
}

/** Where a section's lines go as they are read, and its end (not called for a section cut short). */
export interface SectionSink {
  line(line: string): void;
  end?(rc: number | null): void;
}

export interface FramedHeads {
  readonly sections: readonly SectionHead[];
  readonly meta: ReadonlyMap<string, string>;
  readonly done: boolean;
  readonly stray: readonly string[];
}

interface OpenSection {
  readonly source: string;
  readonly key: string;
  rc: number | null;
  stderr: string;
  readonly sink: SectionSink | undefined;
}

/**
 * The framing read one stdout line at a time, as the transport hands them over (execByLine):
 * nothing of the output is kept but what a section's sink keeps. `open` is asked for a sink at
 * each section's begin marker, with its source and key (undefined: its lines are dropped). The
 * stderr, which is small and comes on its own stream, is cut into sections at the end.
 */
export class FrameReader {
  private readonly prefix: string;
  private readonly sections: OpenSection[] = [];
  private readonly meta = new Map<string, string>();
  private readonly stray: string[] = [];
  private current: OpenSection | undefined;
  private done = false;

  constructor(
    nonce: string,
    private readonly open: (source: string, key: string) => SectionSink | undefined,
  ) {
    this.prefix = markerPrefix(nonce);
  }

  add(line: string): void {
    const current = this.current;
    if (!line.startsWith(this.prefix)) {
      if (current) current.sink?.line(line);
      else if (line.trim() !== '') this.stray.push(line);
      return;
    }
    const [kind = '', ...rest] = line.slice(this.prefix.length).split(':');
    if (kind === 'begin' && rest.length >= 2) {
      const [source = '', ...keyParts] = rest;
      const key = keyParts.join(':');
      const next: OpenSection = { source, key, rc: null, stderr: '', sink: this.open(source, key) };
      this.sections.push(next);
      this.current = next;
    } else if (kind === 'end' && current && rest.length >= 3) {
      const rc = Number(rest[rest.length - 1]);
      current.rc = Number.isInteger(rc) ? rc : null;
      this.current = undefined;
      current.sink?.end?.(current.rc);
    } else if (kind === 'meta' && rest.length >= 1) {
      const [name = '', ...value] = rest;
      this.meta.set(name, value.join(':'));
    } else if (kind === 'done') {
      this.done = true;
    }
  }

  /** After the last line: the sections with their stderr, the meta facts, done, stray lines. */
  finish(stderr: string): FramedHeads {
    const byId = new Map<string, OpenSection>();
    for (const s of this.sections) byId.set(`${s.source}:${s.key}`, s);
    // stderr has begin markers only: everything after one belongs to that section (the last
    // section of that source and key, when one was repeated).
    let target: OpenSection | undefined;
    const orphanErr: string[] = [];
    for (const line of splitLines(stderr)) {
      if (line.startsWith(this.prefix)) {
        const [kind = '', source = '', ...key] = line.slice(this.prefix.length).split(':');
        if (kind === 'begin') target = byId.get(`${source}:${key.join(':')}`);
        continue;
      }
      if (target) target.stderr += `${line}\n`;
      else if (line.trim() !== '') orphanErr.push(line);
    }
    const sections = this.sections.map(
      (s): SectionHead => ({ source: s.source, key: s.key, rc: s.rc, stderr: s.stderr }),
    );
    return { sections, meta: this.meta, done: this.done, stray: [...this.stray, ...orphanErr] };
  }
}

/** The framing of a whole output at once, each section with its lines. */
export function parseFramed(stdout: string, stderr: string, nonce: string): Framed {
  const lines: string[][] = [];
  const reader = new FrameReader(nonce, () => {
    const own: string[] = [];
    lines.push(own);
    return { line: (line) => own.push(line) };
  });
  forEachLineOf(stdout, (line) => reader.add(line));
  const framed = reader.finish(stderr);
  const sections = framed.sections.map(
    (s, i): Section => ({ source: s.source, key: s.key, lines: lines[i] ?? [], rc: s.rc, stderr: s.stderr }),
  );
  return { ...framed, sections };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
