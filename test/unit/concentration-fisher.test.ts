import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bonferroni,
  fisherExactGreater,
  fisherExactLess,
  fisherExactTwoSided,
  hypergeometricLogPmf,
  logChoose,
  logFactorial,
} from '../../src/core/stats.js';

/*
 * Reference values and how they were obtained:
 * - tea tasting [[3,1],[1,3]]: exact 17/70 one-sided, 34/70 two-sided (Fisher 1935; the sums
 *   C(4,3)C(4,1)+C(4,4)C(4,0) = 17 over C(8,4) = 70, by hand).
 * - [[9,1],[0,40]] greater: the only tables as extreme are a = 9, so p = C(9,9)C(41,1)/C(50,10)
 *   = 41/10272278170 (closed form, Python fractions).
 * - [[5,0],[1,4]] greater: C(6,5)C(4,0)/C(10,5) = 6/252 = 1/42 (by hand).
 * - dieting [[1,9],[11,3]] (Wikipedia, "Fisher's exact test"): less 0.0013797280926,
 *   two-sided 0.0027594561852 — scipy.stats.fisher_exact 1.17.
 * - [[520,480],[480,520]] and [[5000,5000],[4000,6000]] greater: 50-digit sums of binomials in
 *   mpmath (0.0405550302895667 and 3.88350280991781e-46), matching scipy.
 */
describe('Fisher exact test', () => {
  it('one term, P(X = a), never exceeds the tail P(X ≥ a) (so it may rule a level out)', () => {
    const table = fc
      .record({ a: fc.nat(300), b: fc.nat(300), c: fc.nat(3000), d: fc.nat(3000) })
      .filter((t) => t.a + t.b > 0 && t.c + t.d > 0);
    fc.assert(
      fc.property(table, (t) => {
        expect(Math.exp(hypergeometricLogPmf(t))).toBeLessThanOrEqual(fisherExactGreater(t) * (1 + 1e-9));
      }),
      { numRuns: 2000 },
    );
  });
  it('a count at least one below what chance predicts is never significant (P ≥ 1/2)', () => {
    // What lets the concentration analysis skip most candidates without computing the test.
    const table = fc
      .record({ a: fc.nat(400), b: fc.nat(400), c: fc.nat(4000), d: fc.nat(4000) })
      .filter((t) => t.a + t.b > 0 && t.c + t.d > 0);
    fc.assert(
      fc.property(table, (t) => {
        const n = t.a + t.b + t.c + t.d;
        const expected = ((t.a + t.b) * (t.a + t.c)) / n;
        fc.pre(t.a <= expected - 1);
        expect(fisherExactGreater(t)).toBeGreaterThanOrEqual(0.5);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['tea tasting, one-sided', { a: 3, b: 1, c: 1, d: 3 }, 'greater', 17 / 70],
    ['tea tasting, two-sided', { a: 3, b: 1, c: 1, d: 3 }, 'two-sided', 34 / 70],
    ['9 of 10 inside, 0 of 40 outside', { a: 9, b: 1, c: 0, d: 40 }, 'greater', 41 / 10272278170],
    ['5 of 5 inside, 1 of 5 outside', { a: 5, b: 0, c: 1, d: 4 }, 'greater', 1 / 42],
    ['dieting table, lower tail', { a: 1, b: 9, c: 11, d: 3 }, 'less', 0.0013797280926100418],
    ['dieting table, two-sided', { a: 1, b: 9, c: 11, d: 3 }, 'two-sided', 0.0027594561852200836],
    ['no association gives a large p', { a: 10, b: 40, c: 10, d: 40 }, 'greater', 0.5984356088532747],
    ['a thousand units', { a: 520, b: 480, c: 480, d: 520 }, 'greater', 0.0405550302895667],
    [
      'twenty thousand units, no underflow',
      { a: 5000, b: 5000, c: 4000, d: 6000 },
      'greater',
      3.88350280991781e-46,
    ],
  ] as const)('%s', (_name, table, alternative, expected) => {
    const p =
      alternative === 'greater'
        ? fisherExactGreater(table)
        : alternative === 'less'
          ? fisherExactLess(table)
          : fisherExactTwoSided(table);
    expect(p / expected).toBeCloseTo(1, 9);
  });

  it('gives exactly 1 when the observed cell is the smallest possible', () => {
    expect(fisherExactGreater({ a: 0, b: 10, c: 5, d: 5 })).toBe(1);
  });

  it('rejects cells that are not natural numbers', () => {
    expect(() => fisherExactGreater({ a: -1, b: 1, c: 1, d: 1 })).toThrow(RangeError);
    expect(() => fisherExactGreater({ a: 1.5, b: 1, c: 1, d: 1 })).toThrow(RangeError);
  });

  it('computes log-factorials and binomials exactly enough', () => {
    expect(Math.exp(logFactorial(10))).toBeCloseTo(3628800, 4);
    expect(Math.exp(logChoose(50, 10))).toBeCloseTo(10272278170, 0);
    expect(logChoose(3, 5)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('Bonferroni multiplies by the number of tests and caps at 1', () => {
    expect(bonferroni(0.01, 4)).toBeCloseTo(0.04);
    expect(bonferroni(0.4, 4)).toBe(1);
  });
});

describe('Fisher exact test, properties', () => {
  const cell = fc.integer({ min: 0, max: 60 });
  const table = fc.record({ a: cell, b: cell, c: cell, d: cell });

  it('gives probabilities whose two tails overlap exactly at the observed table', () => {
    fc.assert(
      fc.property(table, (t) => {
        const greater = fisherExactGreater(t);
        const less = fisherExactLess(t);
        const two = fisherExactTwoSided(t);
        for (const p of [greater, less, two]) {
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
        // P(X ≥ a) + P(X ≤ a) = 1 + P(X = a) ≥ 1
        expect(greater + less).toBeGreaterThanOrEqual(1 - 1e-9);
        expect(two).toBeGreaterThanOrEqual(Math.min(greater, less) - 1e-12);
      }),
    );
  });

  it('is symmetric: swapping the rows swaps the tails', () => {
    fc.assert(
      fc.property(table, ({ a, b, c, d }) => {
        expect(fisherExactGreater({ a, b, c, d })).toBeCloseTo(
          fisherExactLess({ a: c, b: d, c: a, d: b }),
          12,
        );
      }),
    );
  });
});
