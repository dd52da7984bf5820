/** "Did you mean" for unknown keys and values: the closest candidate within a small edit distance. */
import { clip } from './config-error.js';

/** The most edits a suggestion may be away; a longer word is not a typo of a short one. */
const MAX_EDITS = 3;

/**
 * Levenshtein distance with adjacent transpositions counted as one edit (optimal string
 * alignment), because `modle` for `model` is the typo people actually make.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate closest to `input` if it is close enough to be a typo: within a third of the
 * word's length (1 to 3 edits). Differences of case or `-`/`_` alone, and a truncated key
 * (`window` for `window_seconds`), count as close.
 */
export function closest(input: string, candidates: readonly string[]): string | null {
  const normalize = (s: string) => s.toLowerCase().replace(/-/g, '_');
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const [x, y] = [normalize(input), normalize(candidate)];
    const truncated = x.length >= 3 && (y.startsWith(`${x}_`) || x.startsWith(`${y}_`));
    // The distance is at least the difference in length: skip the quadratic table when that is
    // already too far (a 200 KB key against a short name).
    const tooFar = Math.abs(input.length - candidate.length) > MAX_EDITS;
    const distance = x === y || truncated ? 0 : tooFar ? MAX_EDITS + 1 : editDistance(input, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const limit = Math.min(MAX_EDITS, Math.max(1, Math.floor(input.length / 3)));
  return bestDistance <= limit ? best : null;
}

export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closest(input, candidates);
  return match === null ? '' : ` (did you mean "${clip(match)}"?)`;
}
