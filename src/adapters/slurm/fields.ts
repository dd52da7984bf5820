/**
 * Readers for Slurm's scalar fields: exit codes, durations, timestamps, node lists. Each returns
 * undefined for Slurm's placeholders (`Unknown`, `None`, `N/A`, `UNLIMITED`) instead of guessing.
 */
import type { ExitStatus } from '../../core/types.js';

/** `137:0`, `0:9` (code:signal, as sacct and scontrol print). Signal 0 means "not signalled". */
export function parseExitCode(text: string): ExitStatus | undefined {
  const m = /^\s*(\d+):(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const code = Number(m[1]);
  const signal = Number(m[2]);
  return { code, signal: signal === 0 ? null : signal };
}

/**
 * A raw wait(2) status, as squeue --json's `exit_code` carries it: 256 = exit 1, 15 = SIGTERM,
 * 253 = signal 125 with the core-dump bit (what cgroup OOM kills report).
 */
export function decodeWaitStatus(value: number): ExitStatus | undefined {
  if (!Number.isInteger(value) || value < 0) return undefined;
  const signal = value & 0x7f;
  return { code: (value >> 8) & 0xff, signal: signal === 0 ? null : signal };
}

/**
 * `[D-]HH:MM:SS`, `MM:SS`, `M:SS`, `HH:MM:SS.mmm` (sacct Elapsed, squeue %M, scontrol RunTime).
 * `UNLIMITED`, `INVALID`, `NOT_SET`, `Partition_Limit` → undefined.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)(?:\.\d+)?\s*$/.exec(text);
  if (!m) return undefined;
  const [, days, hours, minutes, seconds] = m;
  // `1-02:03` (days with HH:MM) cannot be told from MM:SS in this regex; Slurm prints days
  // only with the full HH:MM:SS, so a day part without hours is not a duration we know.
  if (days !== undefined && hours === undefined) return undefined;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes) * 60 + Number(seconds);
}

const PLACEHOLDERS = new Set(['', 'unknown', 'none', 'n/a', 'not_set', 'invalid', '(null)', 'none assigned']);

/** A Slurm timestamp (`2026-11-26T04:20:49`, cluster local time) or undefined for placeholders. */
export function parseTimestamp(text: string): string | undefined {
  const t = text.trim();
  if (PLACEHOLDERS.has(t.toLowerCase())) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(t) ? t : undefined;
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
  return PLACEHOLDERS.has(t.toLowerCase()) ? undefined : t;
}

/** A non-negative integer field, or undefined. */
export function parseCount(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** A field with Slurm's placeholders removed (reasons, names). */
export function parseText(text: string): string | undefined {
  const t = text.trim();
  return t === '' || t === '(null)' || t.toLowerCase() === 'n/a' ? undefined : t;
}

/** Shortens a line for a diagnostic. */
export function clip(line: string, max = 300): string {
  return line.length <= max ? line : `${line.slice(0, max)}…`;
}
