/**
 * Readers for Slurm's scalar fields: exit codes, durations, timestamps, node lists. Each returns
 * undefined for Slurm's placeholders (`Unknown`, `None`, `N/A`, `UNLIMITED`) instead of guessing.
 */
import { exitStatus } from '../../core/exit-status.js';
import { ownText } from '../../core/own-text.js';
import type { ExitStatus } from '../../core/types.js';
import { TimestampPool } from './timestamp-pool.js';

/**
 * The texts these readers return are kept (in observations, then the manifest), so each is a
 * copy of its own (see own-text.ts). Timestamps also repeat (a batch is submitted in the same
 * second): one copy each, shared by every job that has it.
 */
const TIMES = new TimestampPool(16_384);

/** `137:0`, `0:9` (code:signal, as sacct and scontrol print). Signal 0 means "not signalled". */
export function parseExitCode(text: string): ExitStatus | undefined {
  // Nearly every exit code is bare `N:N`: read it without the regex (the same answer).
  const colon = text.indexOf(':');
  const bareCode = digitsValue(text, 0, colon);
  const bareSignal = digitsValue(text, colon + 1, text.length);
  if (bareCode >= 0 && bareSignal >= 0) return exitStatus(bareCode, bareSignal === 0 ? null : bareSignal);
  const m = /^\s*(\d+):(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const code = Number(m[1]);
  const signal = Number(m[2]);
  return exitStatus(code, signal === 0 ? null : signal);
}

/**
 * A raw wait(2) status, as squeue --json's `exit_code` carries it: 256 = exit 1, 15 = SIGTERM,
 * 253 = signal 125 with the core-dump bit (what cgroup OOM kills report).
 */
export function decodeWaitStatus(value: number): ExitStatus | undefined {
  if (!Number.isInteger(value) || value < 0) return undefined;
  const signal = value & 0x7f;
  return exitStatus((value >> 8) & 0xff, signal === 0 ? null : signal);
}

/**
 * `[D-]HH:MM:SS`, `MM:SS`, `M:SS`, `HH:MM:SS.mmm` (sacct Elapsed, squeue %M, scontrol RunTime).
 * `UNLIMITED`, `INVALID`, `NOT_SET`, `Partition_Limit` → undefined.
 */
export function parseDuration(text: string): number | undefined {
  // The common `HH:MM:SS` without the regex (the same answer).
  if (text.length === 8 && text.charCodeAt(2) === COLON && text.charCodeAt(5) === COLON) {
    const h = twoDigits(text, 0);
    const m = twoDigits(text, 3);
    const s = twoDigits(text, 6);
    if (h >= 0 && m >= 0 && s >= 0) return h * 3_600 + m * 60 + s;
  }
  const m = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)(?:\.\d+)?\s*$/.exec(text);
  if (!m) return undefined;
  const [, days, hours, minutes, seconds] = m;
  // `1-02:03` (days with HH:MM) cannot be told from MM:SS in this regex; Slurm prints days
  // only with the full HH:MM:SS, so a day part without hours is not a duration we know.
  if (days !== undefined && hours === undefined) return undefined;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes) * 60 + Number(seconds);
}

const PLACEHOLDERS = new Set(['', 'unknown', 'none', 'n/a', 'not_set', 'invalid', '(null)', 'none assigned']);
/**
 * Lower-casing never shortens a string and the placeholders hold no character it lengthens into,
 * so a text of another length is no placeholder: no toLowerCase() copy for it.
 */
const PLACEHOLDER_LENGTHS = new Set([...PLACEHOLDERS].map((p) => p.length));

function isPlaceholder(t: string): boolean {
  return PLACEHOLDER_LENGTHS.has(t.length) && PLACEHOLDERS.has(t.toLowerCase());
}

const COLON = 0x3a;

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/**
 * The value of text[from, to) if it is 1 to 15 ASCII digits (what `\d+` matches, small enough
 * to add up exactly as Number() would read it), else -1.
 */
function digitsValue(text: string, from: number, to: number): number {
  if (from < 0 || from >= to || to - from > 15) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    if (!isDigit(text, i)) return -1;
    value = value * 10 + text.charCodeAt(i) - 0x30;
  }
  return value;
}

/** The two ASCII digits at i as a number, or -1. */
function twoDigits(text: string, i: number): number {
  return isDigit(text, i) && isDigit(text, i + 1)
    ? (text.charCodeAt(i) - 0x30) * 10 + text.charCodeAt(i + 1) - 0x30
    : -1;
}

/** A Slurm timestamp (`2026-11-26T04:20:49`, cluster local time) or undefined for placeholders. */
export function parseTimestamp(text: string): string | undefined {
  // A bare timestamp has nothing to trim and is no placeholder: one pass over its characters.
  const bare = TIMES.own(text);
  if (bare !== undefined) return bare;
  const t = text.trim();
  return isPlaceholder(t) ? undefined : TIMES.own(t);
}

/** Seconds between two cluster-local timestamps (same clock, same zone), or undefined. */
export function secondsBetween(from: string, to: string): number | undefined {
  const a = Date.parse(`${from}Z`);
  const b = Date.parse(`${to}Z`);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return Math.max(0, Math.round((b - a) / 1000));
}

/** A node list, or undefined for `None assigned`, `(null)` and empty. */
export function parseNodes(text: string): string | undefined {
  const t = text.trim();
  return isPlaceholder(t) ? undefined : ownText(t);
}

/** A non-negative integer field, or undefined. */
export function parseCount(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** A field with Slurm's placeholders removed (reasons, names). */
export function parseText(text: string): string | undefined {
  const t = text.trim();
  // Only a 3-character text can lower-case to `n/a` (see PLACEHOLDER_LENGTHS).
  return t === '' || t === '(null)' || (t.length === 3 && t.toLowerCase() === 'n/a') ? undefined : ownText(t);
}

/** Shortens a line for a diagnostic. */
export function clip(line: string, max = 300): string {
  // Diagnostics outlive the answer (the tick reports them): a copy, not a view into it.
  return line.length <= max ? ownText(line) : `${line.slice(0, max)}…`;
}
