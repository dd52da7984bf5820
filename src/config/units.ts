/**
 * Resource quantities as people write them in a sweep file. Memory follows Slurm (K/M/G/T are
 * powers of 1024, a bare number is MB); time follows Slurm for bare numbers (minutes) and its
 * `[D-]HH:MM:SS` forms, and also takes `90m`, `2h30m`, `1d`. Each parser returns null on bad
 * input so the schema can report it with the key path.
 */

const MEMORY = /^(\d+(?:\.\d+)?)\s*([KMGT])?(?:i?B)?$/i;
const MB_PER: Readonly<Record<string, number>> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

export function parseMemoryMb(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input > 0 ? Math.ceil(input) : null;
  const match = MEMORY.exec(input.trim());
  if (!match) return null;
  const factor = MB_PER[(match[2] ?? 'M').toUpperCase()] ?? 1;
  const mb = Math.ceil(Number(match[1]) * factor);
  return mb > 0 ? mb : null;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `30m`, `2h30m`, `1d`, or the Slurm clock forms; null when it is neither. */
function parseDurationText(text: string, bareNumberSeconds: number): number | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * bareNumberSeconds;
  if (/^(\d+[smhd])+$/i.test(trimmed)) {
    let total = 0;
    for (const m of trimmed.matchAll(/(\d+)([smhd])/gi)) {
      total += Number(m[1]) * (UNIT_SECONDS[(m[2] ?? 's').toLowerCase()] ?? 1);
    }
    return total;
  }
  // Slurm: MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
  const slurm = /^(?:(\d+)-)?(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?$/.exec(trimmed);
  if (!slurm) return null;
  const [, days, a, b, c] = slurm;
  const d = Number(days ?? 0);
  if (days !== undefined) return d * 86400 + Number(a) * 3600 + Number(b ?? 0) * 60 + Number(c ?? 0);
  if (c !== undefined) return Number(a) * 3600 + Number(b) * 60 + Number(c);
  return Number(a) * 60 + Number(b ?? 0);
}

/** Wall time in whole minutes (rounded up). A bare number is minutes, as in `sbatch --time`. */
export function parseTimeMinutes(input: string | number): number | null {
  const seconds = typeof input === 'number' ? input * 60 : parseDurationText(input, 60);
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return null;
  return Math.ceil(seconds / 60);
}

/** A policy duration in seconds. A bare number is seconds (the policy's unit everywhere). */
export function parseSeconds(input: string | number): number | null {
  const seconds = typeof input === 'number' ? input : parseDurationText(input, 1);
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  return Math.round(seconds);
}
