/**
 * A condition id read back into its levels, for the manifest's load: the id must be exactly the
 * one conditionId() gives those levels in the sweep's factor order (canonical), or it is refused.
 */
import { type ConditionId, conditionId, type LevelValue, parseConditionId } from './conditions.js';

/** Level by its text, per factor name: what the manifest's `factors` declare. */
export type LevelsByText = ReadonlyMap<string, ReadonlyMap<string, LevelValue>>;

const SPECIAL = /[%,=]/;
const EQUALS = 0x3d;

/** Whether ids of these factor names can be read in place (see readPlain). */
export function plainNames(names: readonly string[]): boolean {
  return names.length > 0 && names.every((n) => n !== '' && !SPECIAL.test(n));
}

/**
 * The levels of an id that has no `%`, so nothing in it is escaped, read in place: part i must be
 * `names[i]=text` with a declared level of that text and no separator in it. That is the
 * canonical form exactly (no name or level needing an escape can appear without `%`), and costs
 * no split, no array per part and no rebuilt id: a 100,000-condition load reads 100,000 ids.
 * Null when it does not hold; the caller then takes the general path and its exact error.
 */
function readPlain(
  id: ConditionId,
  names: readonly string[],
  levels: LevelsByText,
): Record<string, LevelValue> | null {
  const values: Record<string, LevelValue> = {};
  let from = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? '';
    const last = i === names.length - 1;
    const end = last ? id.length : id.indexOf(',', from);
    const eq = from + name.length;
    if (end < 0 || id.charCodeAt(eq) !== EQUALS || !id.startsWith(name, from)) return null;
    const text = id.slice(eq + 1, end);
    if (text.includes('=') || (last && text.includes(','))) return null;
    const level = levels.get(name)?.get(text);
    if (level === undefined) return null;
    values[name] = level;
    from = end + 1;
  }
  return values;
}

/**
 * The levels a condition id names, or null when the id is not the canonical id of declared
 * levels. Throws, as parseConditionId does, on a string that is not an id at all.
 */
export function conditionValues(
  id: ConditionId,
  names: readonly string[],
  levels: LevelsByText,
  plain = plainNames(names),
): Record<string, LevelValue> | null {
  if (plain && !id.includes('%')) {
    const values = readPlain(id, names, levels);
    if (values !== null) return values;
  }
  const values: Record<string, LevelValue> = {};
  for (const [name, text] of parseConditionId(id)) {
    const level = levels.get(name)?.get(text);
    if (level !== undefined) values[name] = level;
  }
  return conditionId(names, values) === id ? values : null;
}
