/**
 * Where conditions and attempts sit in a manifest: by condition id, and by job id. A tick asks
 * thousands of times per manifest version and every job of a large sweep is looked up once, so
 * each index is built once and kept beside what it indexes (never changed: transitions make new
 * arrays), or handed over by the manifest's decoding, which builds both to find duplicates.
 */
import type { ConditionId, FactorSpec } from './conditions.js';
import type { Attempt, AttemptRef, ConditionRecord, Manifest } from './manifest-model.js';

interface Positions {
  readonly conditions: readonly ConditionRecord[];
  readonly byId: ReadonlyMap<ConditionId, number>;
}

/**
 * Where each condition id sits. Transitions keep the conditions' order and their `factors`
 * array, so the index is kept per `factors` and checked on every lookup; a lookup it cannot
 * answer rebuilds it from the manifest at hand. A tick asks thousands of times per manifest
 * version (every newly failed attempt, every transition), and rebuilding a 100,000-entry
 * index per version was a tenth of a tick.
 */
const POSITIONS = new WeakMap<readonly FactorSpec[], Positions>();

/** The position of condition `id` in `manifest.conditions`, or -1. */
export function conditionPosition(manifest: Manifest, id: ConditionId): number {
  const known = POSITIONS.get(manifest.factors);
  const at = known?.byId.get(id);
  if (at !== undefined && manifest.conditions[at]?.id === id) return at;
  if (known?.conditions === manifest.conditions) return -1;
  const byId = new Map<ConditionId, number>();
  const conditions = manifest.conditions;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    if (c !== undefined && !byId.has(c.id)) byId.set(c.id, i);
  }
  POSITIONS.set(manifest.factors, { conditions, byId });
  return byId.get(id) ?? -1;
}

/**
 * Hands over an index of every condition's position that was built anyway (the manifest's
 * decoding checks the ids for duplicates with it), so that the first lookup does not build it again.
 */
export function rememberPositions(manifest: Manifest, byId: ReadonlyMap<ConditionId, number>): void {
  POSITIONS.set(manifest.factors, { conditions: manifest.conditions, byId });
}

export function findCondition(manifest: Manifest, id: ConditionId): ConditionRecord | null {
  return manifest.conditions[conditionPosition(manifest, id)] ?? null;
}

export function getAttempt(manifest: Manifest, ref: AttemptRef): Attempt | null {
  return findCondition(manifest, ref.conditionId)?.attempts[ref.attempt] ?? null;
}

/** jobSlots() packs (condition, attempt) as condition × ATTEMPT_SLOTS + attempt. */
export const ATTEMPT_SLOTS = 1 << 20;

/** jobSlots() per conditions array: the records never change, so neither does the index. */
const SLOTS = new WeakMap<readonly ConditionRecord[], ReadonlyMap<string, number>>();

/**
 * Job id → where its attempt lives, as condition × ATTEMPT_SLOTS + attempt: one number per job,
 * for the tick that indexes every job of a large sweep (no object per entry). Built once per
 * conditions array, or handed over by the decoding that built it (rememberJobSlots).
 */
export function jobSlots(manifest: Manifest): ReadonlyMap<string, number> {
  const conditions = manifest.conditions;
  const known = SLOTS.get(conditions);
  if (known !== undefined) return known;
  const index = new Map<string, number>();
  for (let ci = 0; ci < conditions.length; ci++) {
    const attempts = conditions[ci]?.attempts ?? [];
    // More attempts than slots cannot happen (cycles are bounded); refuse rather than alias.
    if (attempts.length > ATTEMPT_SLOTS) throw new RangeError('too many attempts in one condition');
    for (let ai = 0; ai < attempts.length; ai++) {
      const jobId = attempts[ai]?.jobId ?? null;
      if (jobId !== null) index.set(jobId, ci * ATTEMPT_SLOTS + ai);
    }
  }
  SLOTS.set(conditions, index);
  return index;
}

/** The job index of `manifest`, as jobSlots() would build it. */
export function rememberJobSlots(manifest: Manifest, slots: ReadonlyMap<string, number>): void {
  SLOTS.set(manifest.conditions, slots);
}
