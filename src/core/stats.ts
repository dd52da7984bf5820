/**
 * Small exact statistics for the factor-concentration test. Everything works in log space so
 * that sweeps of thousands of conditions neither overflow factorials nor underflow tail sums.
 */

// ln(n!) for n = 0..length-1, grown on demand; exact sums of logs are accurate enough here
// (relative error ~1e-15 per term) and need no gamma-function approximation.
const logFactorials: number[] = [0];

export function logFactorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`logFactorial: ${n} is not a natural number`);
  for (let i = logFactorials.length; i <= n; i++) {
    logFactorials.push((logFactorials[i - 1] ?? 0) + Math.log(i));
  }
  return logFactorials[n] ?? 0;
}

export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/**
 * A 2×2 table. In concentration terms: a = failed inside the level, b = not failed inside,
 * c = failed outside, d = not failed outside.
 */
export interface Table2x2 {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

/** Support and log-probabilities of the top-left cell given the table's margins. */
function hypergeometric(t: Table2x2): { readonly lo: number; readonly logP: readonly number[] } {
  for (const v of [t.a, t.b, t.c, t.d]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`Fisher exact test: bad cell ${v}`);
  }
  const row1 = t.a + t.b;
  const col1 = t.a + t.c;
  const n = row1 + t.c + t.d;
  const lo = Math.max(0, row1 + col1 - n);
  const hi = Math.min(row1, col1);
  const logDenominator = logChoose(n, row1);
  const logP: number[] = [];
  for (let x = lo; x <= hi; x++) {
    logP.push(logChoose(col1, x) + logChoose(n - col1, row1 - x) - logDenominator);
  }
  return { lo, logP };
}

/** ln(Σ exp(values)), stable: factor out the largest term. */
export function logSumExp(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

function clampProbability(logP: number): number {
  return Math.min(1, Math.exp(logP));
}

/** ln P(X = a) for the table's margins: one term of the Fisher test, a lower bound of its tail. */
export function hypergeometricLogPmf(t: Table2x2): number {
  const row1 = t.a + t.b;
  const col1 = t.a + t.c;
  const n = row1 + t.c + t.d;
  return logChoose(col1, t.a) + logChoose(n - col1, t.b) - logChoose(n, row1);
}

/**
 * One-sided Fisher exact test, alternative "a is larger than chance": P(X ≥ a). Only the upper
 * tail is computed (the same terms, in the same order, as slicing the whole distribution): the
 * concentration analysis runs thousands of these on tables of thousands of jobs.
 */
export function fisherExactGreater(t: Table2x2): number {
  for (const v of [t.a, t.b, t.c, t.d]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`Fisher exact test: bad cell ${v}`);
  }
  const row1 = t.a + t.b;
  const col1 = t.a + t.c;
  const n = row1 + t.c + t.d;
  const hi = Math.min(row1, col1);
  const logDenominator = logChoose(n, row1);
  const tail: number[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (let x = t.a; x <= hi; x++) {
    const term = logChoose(col1, x) + logChoose(n - col1, row1 - x) - logDenominator;
    tail.push(term);
    if (term > max) max = term;
  }
  if (max === Number.NEGATIVE_INFINITY) return clampProbability(max);
  let sum = 0;
  for (const v of tail) sum += Math.exp(v - max);
  return clampProbability(max + Math.log(sum));
}

/** One-sided Fisher exact test, alternative "a is smaller than chance": P(X ≤ a). */
export function fisherExactLess(t: Table2x2): number {
  const { lo, logP } = hypergeometric(t);
  return clampProbability(logSumExp(logP.slice(0, t.a - lo + 1)));
}

/**
 * Two-sided Fisher exact test: the total probability of tables no more likely than the one
 * observed (R's and SciPy's definition), with a relative tolerance for floating-point ties.
 */
export function fisherExactTwoSided(t: Table2x2): number {
  const { lo, logP } = hypergeometric(t);
  const observed = logP[t.a - lo] ?? Number.NEGATIVE_INFINITY;
  const tolerance = 1e-7;
  return clampProbability(logSumExp(logP.filter((lp) => lp <= observed + tolerance)));
}

/** Bonferroni-adjusted p-value for one of `tests` tests. */
export function bonferroni(p: number, tests: number): number {
  return Math.min(1, p * Math.max(1, tests));
}
