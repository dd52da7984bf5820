/**
 * The sweep's results, as the final report shows them: the numbers found in each condition's
 * expected outputs (bounded), summarised by factor level and by cell (mean and spread over
 * the replicates), with NaN, missing and outlying results flagged. Pure: the app reads the
 * files and hands their first bytes in.
 */
import type { ConditionResult, OutputStatus } from './final-report-model.js';

/** Metrics kept per condition; a results file with hundreds of numbers is not a table. */
export const MAX_METRICS = 8;
/** Metrics summarised in the report. */
export const SUMMARY_METRICS = 3;
const MAX_DEPTH = 3;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export interface ParsedOutput {
  readonly status: OutputStatus;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/** Numbers of a JSON document, flattened (`eval.loss`); NaN spelled as text or null is non-finite. */
function walk(
  value: unknown,
  key: string,
  depth: number,
  out: Record<string, number | null>,
  bad: string[],
): number {
  if (typeof value === 'number') {
    if (key !== '' && Object.keys(out).length < MAX_METRICS) out[key] = value;
    return 1;
  }
  if (value === null || (typeof value === 'string' && NON_FINITE.test(value.trim()))) {
    bad.push(key || '(root)');
    if (key !== '' && Object.keys(out).length < MAX_METRICS) out[key] = null;
    return 0;
  }
  if (depth >= MAX_DEPTH || typeof value !== 'object') return 0;
  let numbers = 0;
  if (Array.isArray(value)) {
    // Arrays are checked for NaN but not kept: a curve is not a metric.
    for (const item of value.slice(0, 1000)) numbers += walk(item, '', depth + 1, {}, bad);
    return numbers;
  }
  for (const [k, v] of Object.entries(value))
    numbers += walk(v, key === '' ? k : `${key}.${k}`, depth + 1, out, bad);
  return numbers;
}

export function parseOutput(text: string, path: string, truncated: boolean): ParsedOutput {
  if (text.trim() === '') return { status: 'empty', metrics: {} };
  const looksJson = path.endsWith('.json') || /^\s*[[{]/.test(text);
  if (looksJson && !truncated) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { status: 'unreadable', metrics: {} };
    }
    const metrics: Record<string, number | null> = {};
    const bad: string[] = [];
    const numbers = walk(json, '', 0, metrics, bad);
    if (bad.length > 0) return { status: 'non_finite', metrics };
    return { status: numbers > 0 ? 'ok' : 'unreadable', metrics };
  }
  // Text (or a JSON file too large to parse whole): finite if it holds numbers and no NaN/inf.
  if (/(^|[^a-z])(nan|inf|infinity)([^a-z]|$)/i.test(text)) return { status: 'non_finite', metrics: {} };
  return { status: /\d/.test(text) ? 'ok' : 'unreadable', metrics: {} };
}

/** The worst status of a condition's files, in order of how much they lose. */
export function worstStatus(statuses: readonly OutputStatus[]): OutputStatus {
  const order: OutputStatus[] = ['missing', 'empty', 'unreadable', 'non_finite', 'not_checked', 'ok'];
  for (const s of order) if (statuses.includes(s)) return s;
  return 'ok';
}

/** The metrics to summarise: the first few, in the order the first results name them. */
export function metricNames(results: readonly ConditionResult[]): string[] {
  const names: string[] = [];
  for (const r of results)
    for (const name of Object.keys(r.metrics)) if (!names.includes(name)) names.push(name);
  return names.slice(0, SUMMARY_METRICS);
}

export interface Stats {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation; 0 for a single value. */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
}

export function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  // Loops, not Math.min(...values): a level of a large sweep holds more values than V8 takes arguments.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { n, mean, sd, min, max };
}

export interface Grouped {
  /** `factor=level` or a cell's `a=x,b=y`. */
  readonly key: string;
  readonly stats: Stats | null;
}

type FactorsOf = (conditionId: string) => Readonly<Record<string, string>> | undefined;

function finiteValue(r: ConditionResult, metric: string): number | undefined {
  const v = r.metrics[metric];
  return r.status === 'ok' && typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Per factor level: the metric over every condition at that level (replicates included). */
export function byLevel(
  results: readonly ConditionResult[],
  factors: readonly { readonly name: string; readonly levels: readonly string[] }[],
  factorsOf: FactorsOf,
  metric: string,
): Grouped[] {
  const out: Grouped[] = [];
  for (const f of factors) {
    for (const level of f.levels) {
      const values = results
        .filter((r) => factorsOf(r.conditionId)?.[f.name] === level)
        .map((r) => finiteValue(r, metric))
        .filter((v) => v !== undefined);
      out.push({ key: `${f.name}=${level}`, stats: stats(values) });
    }
  }
  return out;
}

/** Per cell of the grid (every factor but the replicate one): mean and spread over replicates. */
export function byCell(
  results: readonly ConditionResult[],
  factorNames: readonly string[],
  replicate: string | null,
  factorsOf: FactorsOf,
  metric: string,
): Grouped[] {
  const cells = new Map<string, number[]>();
  for (const r of results) {
    const f = factorsOf(r.conditionId);
    if (f === undefined) continue;
    const key = factorNames
      .filter((n) => n !== replicate)
      .map((n) => `${n}=${f[n] ?? ''}`)
      .join(',');
    const list = cells.get(key) ?? [];
    const v = finiteValue(r, metric);
    if (v !== undefined) list.push(v);
    cells.set(key, list);
  }
  return [...cells.entries()].map(([key, values]) => ({ key, stats: stats(values) }));
}

export interface Outlier {
  readonly conditionId: string;
  readonly metric: string;
  readonly value: number;
  /** Robust z-score: 0.6745 · (x − median) / MAD. */
  readonly z: number;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Results far from the others, by the median and the median absolute deviation (a mean and a
 * standard deviation would be dragged by the very outlier they should expose). |z| > 3.5 is
 * Iglewicz and Hoaglin's usual cut.
 */
export function outliers(results: readonly ConditionResult[], metric: string, cut = 3.5): Outlier[] {
  const points = results
    .map((r) => ({ id: r.conditionId, v: finiteValue(r, metric) }))
    .filter((p): p is { id: string; v: number } => p.v !== undefined);
  if (points.length < 5) return [];
  const sorted = points.map((p) => p.v).sort((a, b) => a - b);
  const m = median(sorted);
  const mad = median(sorted.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
  if (mad === 0) return [];
  return points
    .map((p) => ({ conditionId: p.id, metric, value: p.v, z: (0.6745 * (p.v - m)) / mad }))
    .filter((o) => Math.abs(o.z) > cut)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
}
