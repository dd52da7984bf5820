import type { Policy } from './policy.js';
import { relaunchVerdict } from './relaunch-plan.js';
import type { SweepSnapshot } from './snapshot.js';
import { currentConditions, hasInvalidOutputs, isLive } from './snapshot.js';

/**
 * What the sweep can still teach. A factorial sweep answers its question per cell of the grid
 * (model × loss × calibration …); replicates (folds, seeds) of a cell are interchangeable for
 * that purpose, so a cell with one good replicate still carries signal while a cell whose every
 * replicate is dead and unrecoverable is a hole in the result.
 */

/** Best state first: one replicate in a better state lifts the whole cell. */
export type CellState = 'succeeded' | 'recoverable' | 'lost' | 'withdrawn';
const RANK: Readonly<Record<CellState, number>> = { succeeded: 3, recoverable: 2, lost: 1, withdrawn: 0 };

export interface LearningValue {
  readonly replicateFactor: string | null;
  readonly cells: number;
  /** Cells with at least one successful replicate (with valid outputs when known). */
  readonly succeeded: number;
  /** Cells without a success yet that can still get one: a replicate is live or relaunchable. */
  readonly recoverable: number;
  readonly lost: number;
  /** Cells whose every replicate a person cancelled: not a hole the sweep made by itself. */
  readonly withdrawn: number;
  readonly lostCells: readonly string[];
  /** No cell is lost. */
  readonly intact: boolean;
}

const REPLICATE_NAMES = /^(fold|folds|seed|seeds|replicate|replicates|rep|reps)$/i;

/** The named replicate factor if it exists, else the first factor named like one, else none. */
export function resolveReplicateFactor(snapshot: SweepSnapshot, named?: string): string | null {
  const names = snapshot.factors.map((f) => f.name);
  const wanted = named ?? snapshot.replicateFactor;
  if (wanted !== undefined) return names.includes(wanted) ? wanted : null;
  return names.find((n) => REPLICATE_NAMES.test(n)) ?? null;
}

export function cellKey(
  factors: Readonly<Record<string, string>>,
  order: readonly string[],
  replicate: string | null,
): string {
  return order
    .filter((name) => name !== replicate)
    .map((name) => `${name}=${factors[name] ?? ''}`)
    .join(',');
}

/**
 * A number per grid cell (the factors but the replicate), from each factor's level index: the
 * cell of every condition is looked up once per tick, and building a `name=level,…` string per
 * condition made this the largest allocation of a tick at 100,000 conditions. Falls back to
 * cellKey() strings when the grid is too large for exact integers (or a level is unlisted).
 */
export function cellKeyer(
  snapshot: SweepSnapshot,
  replicate: string | null,
): (factors: Readonly<Record<string, string>>) => number | string {
  const order = snapshot.factors.map((f) => f.name);
  const cellFactors = snapshot.factors.filter((f) => f.name !== replicate);
  const levelIndex = cellFactors.map((f) => new Map(f.levels.map((level, i) => [level, i + 1])));
  // Radix levels + 1 per factor: index 0 stands for "this condition has no such factor".
  const radix = cellFactors.map((f) => f.levels.length + 1);
  const cells = radix.reduce((a, b) => a * b, 1);
  const fallback = (factors: Readonly<Record<string, string>>) => cellKey(factors, order, replicate);
  if (!Number.isSafeInteger(cells)) return fallback;
  return (factors) => {
    let key = 0;
    for (let i = 0; i < cellFactors.length; i++) {
      const level = factors[cellFactors[i]?.name ?? ''];
      const index = level === undefined ? 0 : levelIndex[i]?.get(level);
      if (index === undefined) return fallback(factors);
      key = key * (radix[i] ?? 1) + index;
    }
    return key;
  };
}

/** How many numbers cellKeyer() can give: the product of each cell factor's levels + 1. */
function cellCount(snapshot: SweepSnapshot, replicate: string | null): number {
  return snapshot.factors.reduce((n, f) => (f.name === replicate ? n : n * (f.levels.length + 1)), 1);
}

const BY_RANK: readonly CellState[] = ['withdrawn', 'lost', 'recoverable', 'succeeded'];

/**
 * Each cell's best state so far. Numbered cells (cellKeyer) go in a byte per cell when the grid
 * is not much larger than the sweep: a map of 100,000 cells was ~6 MB of hash tables per tick,
 * each too large for V8's young generation. Cells keyed by text go in a map.
 */
class CellTable {
  /** 0: no condition seen yet; else RANK + 1. */
  private readonly dense: Uint8Array | null;
  private readonly sparse = new Map<number | string, CellState>();

  constructor(cells: number, conditions: number) {
    this.dense =
      Number.isSafeInteger(cells) && cells <= 4 * conditions + 65_536 ? new Uint8Array(cells) : null;
  }

  get(key: number | string): CellState | undefined {
    if (typeof key === 'number' && this.dense !== null) return BY_RANK[(this.dense[key] ?? 0) - 1];
    return this.sparse.get(key);
  }

  /** Keeps the better of the cell's state and `state`. */
  lift(key: number | string, state: CellState): void {
    const previous = this.get(key);
    if (previous !== undefined && RANK[previous] >= RANK[state]) return;
    if (typeof key === 'number' && this.dense !== null) this.dense[key] = RANK[state] + 1;
    else this.sparse.set(key, state);
  }

  counts(): Record<CellState, number> & { cells: number } {
    const counts = { succeeded: 0, recoverable: 0, lost: 0, withdrawn: 0, cells: 0 };
    const add = (state: CellState | undefined) => {
      if (state === undefined) return;
      counts[state]++;
      counts.cells++;
    };
    if (this.dense !== null) for (const rank of this.dense) if (rank > 0) add(BY_RANK[rank - 1]);
    for (const state of this.sparse.values()) add(state);
    return counts;
  }
}

export function projectLearningValue(
  snapshot: SweepSnapshot,
  policy: Policy,
  options: { readonly replicateFactor?: string } = {},
): LearningValue {
  const replicate = resolveReplicateFactor(snapshot, options.replicateFactor);
  const order = snapshot.factors.map((f) => f.name);
  const cellOf = cellKeyer(snapshot, replicate);
  const current = currentConditions(snapshot);
  const cells = new CellTable(cellCount(snapshot, replicate), current.length);
  // Each condition's cell, worked out once for both passes.
  const keys = current.map((c) => cellOf(c.condition.factors));
  current.forEach((c, i) => {
    let state: CellState = 'lost';
    if (c.status === 'succeeded' && !hasInvalidOutputs(c)) state = 'succeeded';
    else if (isLive(c.status)) state = 'recoverable';
    else if (relaunchVerdict(c.condition, policy, snapshot.relaunchCycles).kind === 'relaunch') {
      state = 'recoverable';
    } else if (c.status === 'cancelled' || c.status === 'revoked') state = 'withdrawn';
    cells.lift(keys[i] ?? '', state);
  });
  const counts = cells.counts();
  // Named only for the lost cells, in the order their first condition appears.
  const lostCells: string[] = [];
  const named = new Set<number | string>();
  for (const [i, c] of current.entries()) {
    if (lostCells.length === counts.lost) break;
    const key = keys[i] ?? '';
    if (cells.get(key) !== 'lost' || named.has(key)) continue;
    named.add(key);
    lostCells.push(cellKey(c.condition.factors, order, replicate));
  }
  return {
    replicateFactor: replicate,
    cells: counts.cells,
    succeeded: counts.succeeded,
    recoverable: counts.recoverable,
    lost: lostCells.length,
    withdrawn: counts.withdrawn,
    lostCells,
    intact: lostCells.length === 0,
  };
}
