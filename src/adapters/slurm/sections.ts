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
 * The shell side of the protocol, the prelude of every script ($1 is always the nonce): a fixed
 * locale and time format (a user's SLURM_TIME_FORMAT would change every timestamp), no user
 * format overrides, the marker helpers, the field separator $D, the remote user and clock.
 */
export const SCRIPT_PRELUDE = [
  'export LC_ALL=C SLURM_TIME_FORMAT=standard',
  'unset SQUEUE_FORMAT SQUEUE_FORMAT2 SQUEUE_SORT SACCT_FORMAT SINFO_FORMAT 2>/dev/null',
  'M="@@SW:$1:"',
  "D=$(printf '\\037')",
  // One marker on stdout and the same on stderr, so both streams can be cut into sections.
  `begin() { printf '%sbegin:%s:%s\\n' "$M" "$1" "$2"; printf '%sbegin:%s:%s\\n' "$M" "$1" "$2" >&2; }`,
  `end() { printf '%send:%s:%s:%s\\n' "$M" "$1" "$2" "$3"; }`,
  `meta() { printf '%smeta:%s:%s\\n' "$M" "$1" "$2"; }`,
  `finish() { printf '%sdone\\n' "$M"; }`,
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

export function parseFramed(stdout: string, stderr: string, nonce: string): Framed {
  const prefix = markerPrefix(nonce);
  const sections: { source: string; key: string; lines: string[]; rc: number | null; stderr: string }[] = [];
  const byId = new Map<string, (typeof sections)[number]>();
  const meta = new Map<string, string>();
  const stray: string[] = [];
  let current: (typeof sections)[number] | undefined;
  let done = false;

  for (const line of splitLines(stdout)) {
    if (!line.startsWith(prefix)) {
      if (current) current.lines.push(line);
      else if (line.trim() !== '') stray.push(line);
      continue;
    }
    const [kind = '', ...rest] = line.slice(prefix.length).split(':');
    if (kind === 'begin' && rest.length >= 2) {
      const [source = '', ...key] = rest;
      current = { source, key: key.join(':'), lines: [], rc: null, stderr: '' };
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
