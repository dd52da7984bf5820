import type { CurrentCondition, SweepSnapshot } from './snapshot.js';
import { currentConditions, effectiveCause } from './snapshot.js';
import { bonferroni, fisherExactGreater, hypergeometricLogPmf } from './stats.js';
import type { RootCause } from './types.js';

/**
 * Which factor levels failures concentrate in. A bare ratio flags noise (3 of 4 is "75 %"), so
 * each level is a one-sided Fisher exact test of "fails more inside than outside", with a
 * minimum count and a Bonferroni correction. Pairs of levels of two factors are tested in the
 * same family, which is how `batch_size=512 and seq_len=4096` is told apart from
 * `batch_size=512` alone. One family (rather than testing pairs only once a single level is
 * significant) keeps the family-wise error at alpha without a gate that would miss a pure
 * interaction whose single levels are diluted by the rest of the grid.
 */

export type ConcentrationTarget = RootCause | 'any';

export interface LevelRef {
  readonly factor: string;
  readonly level: string;
}

export interface LevelTest {
  readonly levels: readonly LevelRef[];
  readonly inside: { readonly failed: number; readonly total: number };
  readonly outside: { readonly failed: number; readonly total: number };
  readonly pValue: number;
  /** Bonferroni-adjusted over `tests`, the levels and pairs tested for the same target. */
  readonly adjustedPValue: number;
  readonly tests: number;
}

export interface Concentration {
  readonly target: ConcentrationTarget;
  /** Failures of the target among the terminal conditions that ran to their end. */
  readonly failures: number;
  readonly terminal: number;
  /** Significant levels and pairs, most significant first. */
  readonly findings: readonly LevelTest[];
  /** The finding that best explains the failures (highest F1 of inside-rate and coverage). */
  readonly headline?: LevelTest;
  /** e.g. `gpu_oom: 9 of 10 at batch_size=512 and seq_len=4096, 0 of 40 elsewhere` */
  readonly line?: string;
}

export interface ConcentrationOptions {
  /** Family-wise error rate per target. Default 0.05. */
  readonly alpha?: number;
  /** Fewer failures than this inside a level never flag it. Default 3. */
  readonly minCount?: number;
  /** Also test pairs of levels of two factors (same family). Default true. */
  readonly interactions?: boolean;
}

interface Unit {
  readonly factors: Readonly<Record<string, string>>;
  readonly cause: RootCause | null;
}

export function analyzeConcentration(
  snapshot: SweepSnapshot,
  options: ConcentrationOptions = {},
): Concentration[] {
  const alpha = options.alpha ?? 0.05;
  const minCount = options.minCount ?? 3;
  // The population is what ran to its own end; live jobs have no outcome yet.
  const units: Unit[] = currentConditions(snapshot)
    .filter((c) => c.status === 'succeeded' || c.status === 'failed')
    .map((c: CurrentCondition) => ({
      factors: c.condition.factors,
      cause: c.status === 'failed' ? effectiveCause(c.attempt) : null,
    }));
  const causes = new Map<RootCause, number>();
  for (const u of units) if (u.cause !== null) causes.set(u.cause, (causes.get(u.cause) ?? 0) + 1);
  const targets: ConcentrationTarget[] = [...causes.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([cause]) => cause);
  // "Any failure" adds nothing when a single cause accounts for every failure.
  if (causes.size > 1) targets.push('any');

  const singles: LevelRef[][] = [];
  for (const factor of snapshot.factors) {
    if (factor.levels.length < 2) continue;
    for (const level of factor.levels) singles.push([{ factor: factor.name, level }]);
  }
  const interactions = options.interactions ?? true;
  const candidates = interactions ? [...singles, ...pairsOf(singles)] : singles;
  const table = membership(candidates, units, singles);
  return targets.map((target) =>
    analyzeTarget(target, units, candidates, table, { alpha, minCount, interactions }),
  );
}

/** Which candidates each unit falls inside, and how many units each candidate holds: one pass. */
interface Membership {
  /** Unit k is inside the candidates slots[offsets[k]] … slots[offsets[k + 1] - 1]. */
  readonly offsets: Int32Array;
  readonly slots: Int32Array;
  readonly totals: Int32Array;
}

function membership(
  candidates: readonly LevelRef[][],
  units: readonly Unit[],
  singles: readonly LevelRef[][],
): Membership {
  // Slots are looked up by numbers (factor index, level index), not by building strings: at
  // 100,000 units × (5 levels + 10 pairs) the string keys were most of the analysis's time.
  const factorOf = new Map<string, number>();
  const levelsOf: Map<string, number>[] = [];
  for (const single of singles) {
    for (const { factor, level } of single) {
      let f = factorOf.get(factor);
      if (f === undefined) {
        f = levelsOf.length;
        factorOf.set(factor, f);
        levelsOf.push(new Map());
      }
      const levels = levelsOf[f];
      if (levels !== undefined && !levels.has(level)) levels.set(level, levels.size);
    }
  }
  const names = [...factorOf.keys()];
  const width = names.length;
  const sizes = levelsOf.map((m) => m.size);
  const singleSlot = sizes.map((n) => new Int32Array(n).fill(-1));
  const pairSlot = new Map<number, Int32Array>();
  const at = (l: LevelRef): [number, number] => {
    const f = factorOf.get(l.factor) ?? -1;
    return [f, levelsOf[f]?.get(l.level) ?? -1];
  };
  // A later duplicate candidate wins, as it did when the slots were a Map keyed by the levels.
  candidates.forEach((levels, slot) => {
    const [x, y] = levels;
    if (x === undefined) return;
    const [f, i] = at(x);
    if (y === undefined) {
      if (f >= 0 && i >= 0) (singleSlot[f] as Int32Array)[i] = slot;
      return;
    }
    const [g, j] = at(y);
    if (f < 0 || i < 0 || g < 0 || j < 0 || f === g) return;
    const [lo, hi, li, hj] = f < g ? [f, g, i, j] : [g, f, j, i];
    const key = lo * width + hi;
    let table = pairSlot.get(key);
    if (table === undefined) {
      table = new Int32Array((sizes[lo] ?? 0) * (sizes[hi] ?? 0)).fill(-1);
      pairSlot.set(key, table);
    }
    table[li * (sizes[hi] ?? 0) + hj] = slot;
  });
  const totals = new Int32Array(candidates.length);
  const levelIndex = new Int32Array(width);
  // One flat table for every unit (a unit is inside at most one single and one pair per factor
  // and pair of factors): an array per unit was 100,000 small typed arrays at 100,000 units.
  const offsets = new Int32Array(units.length + 1);
  const slots = new Int32Array(units.length * (width + (width * (width - 1)) / 2));
  let n = 0;
  for (let k = 0; k < units.length; k++) {
    const factors = units[k]?.factors ?? {};
    for (let f = 0; f < width; f++) {
      const level = factors[names[f] ?? ''];
      levelIndex[f] = level === undefined ? -1 : (levelsOf[f]?.get(level) ?? -1);
    }
    for (let f = 0; f < width; f++) {
      const i = levelIndex[f] ?? -1;
      if (i < 0) continue;
      const single = singleSlot[f]?.[i] ?? -1;
      if (single >= 0) slots[n++] = single;
      for (let g = f + 1; g < width; g++) {
        const j = levelIndex[g] ?? -1;
        if (j < 0) continue;
        const pair = pairSlot.get(f * width + g)?.[i * (sizes[g] ?? 0) + j] ?? -1;
        if (pair >= 0) slots[n++] = pair;
      }
    }
    offsets[k + 1] = n;
  }
  for (let s = 0; s < n; s++) {
    const slot = slots[s] ?? 0;
    totals[slot] = (totals[slot] ?? 0) + 1;
  }
  return { offsets, slots, totals };
}

function analyzeTarget(
  target: ConcentrationTarget,
  units: readonly Unit[],
  candidates: readonly LevelRef[][],
  table: Membership,
  options: Required<ConcentrationOptions>,
): Concentration {
  const isHit = (u: Unit): boolean => u.cause !== null && (target === 'any' || u.cause === target);
  const failures = units.filter(isHit).length;
  const findings = testFamily(candidates, units, isHit, options, table);
  findings.sort((x, y) => x.adjustedPValue - y.adjustedPValue || x.levels.length - y.levels.length);
  const headline = bestExplanation(findings, failures);
  return {
    target,
    failures,
    terminal: units.length,
    findings,
    ...(headline !== undefined ? { headline, line: concentrationLine(target, headline) } : {}),
  };
}

/** Tests every candidate that has units on both sides; returns the significant ones. */
function testFamily(
  candidates: readonly LevelRef[][],
  units: readonly Unit[],
  isHit: (u: Unit) => boolean,
  options: Required<ConcentrationOptions>,
  table: Membership,
): LevelTest[] {
  const raw = tabulate(candidates, units, isHit, table);
  const tested = raw.filter((t) => t.inside.total > 0 && t.outside.total > 0);
  const tests = tested.length;
  const significant: LevelTest[] = [];
  const failures = tested[0] === undefined ? 0 : tested[0].inside.failed + tested[0].outside.failed;
  const population = units.length;
  for (const t of tested) {
    const a = t.inside.failed;
    if (a < options.minCount) continue;
    // At least one below the count chance predicts, P(X ≥ a) ≥ 1/2 (a hypergeometric's median
    // is within 1 of its mean; property-tested in concentration-fisher.test.ts), so the level
    // cannot be significant at any alpha below 1/2: most candidates, skipped without the test.
    const expected = (t.inside.total * failures) / population;
    if (options.alpha < 0.5 && a <= expected - 1) continue;
    // P(X = a) alone is a lower bound of P(X ≥ a): when it already reaches alpha/tests, the
    // Bonferroni-adjusted p-value cannot fall below alpha, and the tail need not be summed.
    const table = { a, b: t.inside.total - a, c: t.outside.failed, d: t.outside.total - t.outside.failed };
    if (hypergeometricLogPmf(table) >= Math.log(options.alpha / tests)) continue;
    const pValue = fisherExactGreater(table);
    const adjustedPValue = bonferroni(pValue, tests);
    if (adjustedPValue < options.alpha) significant.push({ ...t, pValue, adjustedPValue, tests });
  }
  return significant;
}

function tabulate(
  candidates: readonly LevelRef[][],
  units: readonly Unit[],
  isHit: (u: Unit) => boolean,
  table: Membership,
): Pick<LevelTest, 'levels' | 'inside' | 'outside'>[] {
  const failed = new Int32Array(candidates.length);
  let allFailed = 0;
  const { offsets, slots } = table;
  units.forEach((u, k) => {
    if (!isHit(u)) return;
    allFailed++;
    for (let s = offsets[k] ?? 0; s < (offsets[k + 1] ?? 0); s++) {
      const slot = slots[s] ?? 0;
      failed[slot] = (failed[slot] ?? 0) + 1;
    }
  });
  return candidates.map((levels, i) => {
    const inFailed = failed[i] ?? 0;
    const inTotal = table.totals[i] ?? 0;
    return {
      levels,
      inside: { failed: inFailed, total: inTotal },
      outside: { failed: allFailed - inFailed, total: units.length - inTotal },
    };
  });
}

/** Every pair of levels of two different factors. */
function pairsOf(singles: readonly LevelRef[][]): LevelRef[][] {
  const levels = singles.flat();
  const pairs: LevelRef[][] = [];
  for (let i = 0; i < levels.length; i++) {
    for (let j = i + 1; j < levels.length; j++) {
      const x = levels[i];
      const y = levels[j];
      if (x !== undefined && y !== undefined && x.factor !== y.factor) pairs.push([x, y]);
    }
  }
  return pairs;
}

/**
 * Precision (inside failure rate) and recall (share of the target's failures covered) pull in
 * opposite directions: a pair is purer, a single level covers more. Their F1, 2a/(n_in + F),
 * picks the one a person should read first. Ties go to the simpler finding.
 */
function bestExplanation(findings: readonly LevelTest[], failures: number): LevelTest | undefined {
  let best: LevelTest | undefined;
  let bestScore = -1;
  for (const f of findings) {
    const score = (2 * f.inside.failed) / (f.inside.total + failures);
    const better =
      score > bestScore + 1e-12 ||
      (Math.abs(score - bestScore) <= 1e-12 && best !== undefined && f.levels.length < best.levels.length);
    if (better) {
      best = f;
      bestScore = score;
    }
  }
  return best;
}

export function concentrationLine(target: ConcentrationTarget, t: LevelTest): string {
  const where = t.levels.map((l) => `${l.factor}=${l.level}`).join(' and ');
  const name = target === 'any' ? 'failures' : target;
  return `${name}: ${t.inside.failed} of ${t.inside.total} at ${where}, ${t.outside.failed} of ${t.outside.total} elsewhere`;
}
