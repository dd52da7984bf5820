/** Small statistics for the benchmark's repeated measurements. */

export function median(values: readonly number[]): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Least-squares slope of y over x, and how well a line through the origin fits (max relative error). */
export function linearity(points: readonly { x: number; y: number }[]): {
  slope: number;
  maxDeviation: number;
} {
  const slope = sum(points.map((p) => p.x * p.y)) / sum(points.map((p) => p.x * p.x));
  const maxDeviation = Math.max(...points.map((p) => Math.abs(p.y - slope * p.x) / Math.max(1, slope * p.x)));
  return { slope, maxDeviation };
}
