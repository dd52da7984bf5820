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

export function projectLearningValue(
  snapshot: SweepSnapshot,
  policy: Policy,
  options: { readonly replicateFactor?: string } = {},
): LearningValue {
  const replicate = resolveReplicateFactor(snapshot, options.replicateFactor);
  const order = snapshot.factors.map((f) => f.name);
  const cells = new Map<string, CellState>();
  for (const c of currentConditions(snapshot)) {
    const key = cellKey(c.condition.factors, order, replicate);
    let state: CellState = 'lost';
    if (c.status === 'succeeded' && !hasInvalidOutputs(c)) state = 'succeeded';
    else if (isLive(c.status)) state = 'recoverable';
    else if (relaunchVerdict(c.condition, policy, snapshot.relaunchCycles).kind === 'relaunch') {
      state = 'recoverable';
    } else if (c.status === 'cancelled' || c.status === 'revoked') state = 'withdrawn';
    const previous = cells.get(key);
    cells.set(key, previous !== undefined && RANK[previous] > RANK[state] ? previous : state);
  }
  const states = [...cells.values()];
  const count = (s: CellState): number => states.filter((x) => x === s).length;
  const lostCells = [...cells.entries()].filter(([, s]) => s === 'lost').map(([key]) => key);
  return {
    replicateFactor: replicate,
    cells: cells.size,
    succeeded: count('succeeded'),
    recoverable: count('recoverable'),
    lost: lostCells.length,
    withdrawn: count('withdrawn'),
    lostCells,
    intact: lostCells.length === 0,
  };
}
