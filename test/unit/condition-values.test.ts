/**
 * Reading a condition id back into its levels (the manifest's load): the in-place reading of ids
 * without escapes must give exactly what parsing the id and rebuilding it gave, for canonical
 * ids, ids off by a character, and strings that are no id at all; and the log pattern's
 * expansion must be the regex replacement it replaced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionValues, type LevelsByText } from '../../src/core/condition-values.js';
import { conditionId, type LevelValue, levelText, parseConditionId } from '../../src/core/conditions.js';
import { logPathMaker } from '../../src/core/manifest-serialize.js';

/** The reading before the in-place one: parse, look up, rebuild, compare. */
function reference(id: string, names: readonly string[], levels: LevelsByText) {
  const values: Record<string, LevelValue> = {};
  for (const [name, text] of parseConditionId(id)) {
    const level = levels.get(name)?.get(text);
    if (level !== undefined) values[name] = level;
  }
  return conditionId(names, values) === id ? values : null;
}

/** The answer, or the error message: both readings must agree on either. */
function outcome(read: () => Record<string, LevelValue> | null): unknown {
  try {
    return { values: read() };
  } catch (error) {
    return { error: String(error) };
  }
}

// Few characters, separators and escapes among them, so that collisions and edge cases are common.
const text = fc.string({ unit: fc.constantFrom('a', 'b', '1', ',', '=', '%', '2', 'C'), maxLength: 4 });
const level = fc.oneof(text, fc.integer({ min: -2, max: 12 }), fc.boolean());
/** Factor names are never empty (the sweep file's schema). */
const name = fc.string({
  unit: fc.constantFrom('a', 'b', '1', ',', '=', '%', '2', 'C'),
  minLength: 1,
  maxLength: 4,
});
const factors = fc.uniqueArray(
  fc.record({
    name,
    levels: fc.uniqueArray(level, { minLength: 1, maxLength: 4, selector: levelText }),
  }),
  { minLength: 1, maxLength: 4, selector: (f) => f.name },
);

function levelsOf(fs: readonly { name: string; levels: readonly LevelValue[] }[]): LevelsByText {
  return new Map(fs.map((f) => [f.name, new Map(f.levels.map((l) => [levelText(l), l]))]));
}

describe('a condition id read back into its levels', () => {
  it('gives the levels of every canonical id, as parsing and rebuilding did', () => {
    fc.assert(
      fc.property(factors, fc.nat(), (fs, pick) => {
        const names = fs.map((f) => f.name);
        const values = Object.fromEntries(fs.map((f, i) => [f.name, f.levels[(pick + i) % f.levels.length]]));
        const id = conditionId(names, values as Record<string, LevelValue>);
        const levels = levelsOf(fs);
        expect(conditionValues(id, names, levels)).toEqual(values);
        expect(outcome(() => conditionValues(id, names, levels))).toEqual(
          outcome(() => reference(id, names, levels)),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses, or fails with the same error, wherever parsing and rebuilding did', () => {
    const edit = fc.record({
      at: fc.nat(),
      insert: fc.constantFrom('', 'a', ',', '=', '%', ',a=b'),
      cut: fc.nat(2),
      // An escape written out: the id a careless hand edit (or a bug) would leave.
      unescape: fc.boolean(),
    });
    fc.assert(
      fc.property(
        factors,
        fc.nat(),
        edit,
        fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: text, weight: 1 }),
        (fs, pick, e, whole) => {
          const names = fs.map((f) => f.name);
          const values = Object.fromEntries(
            fs.map((f, i) => [f.name, f.levels[(pick + i) % f.levels.length]]),
          );
          const canonical = conditionId(names, values as Record<string, LevelValue>);
          const at = e.at % (canonical.length + 1);
          const edited = canonical.slice(0, at) + e.insert + canonical.slice(at + e.cut);
          const written = e.unescape
            ? edited.replace(/%3D/g, '=').replace(/%2C/g, ',').replace(/%25/g, '%')
            : edited;
          const id = whole ?? written;
          const levels = levelsOf(fs);
          expect(outcome(() => conditionValues(id, names, levels))).toEqual(
            outcome(() => reference(id, names, levels)),
          );
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('refuses ids that write out what the canonical id escapes', () => {
    const levels: LevelsByText = new Map([
      [
        'a',
        new Map<string, LevelValue>([
          ['b=c', 'b=c'],
          ['b,c', 'b,c'],
          ['b', 'b'],
        ]),
      ],
    ]);
    for (const id of ['a=b=c', 'a=b,c', 'a=b,', 'a=b,a=b', 'a=', '=b', 'a']) {
      expect(outcome(() => conditionValues(id, ['a'], levels))).toEqual(
        outcome(() => reference(id, ['a'], levels)),
      );
    }
    expect(conditionValues('a=b%3Dc', ['a'], levels)).toEqual({ a: 'b=c' });
    expect(conditionValues('a=b%2Cc', ['a'], levels)).toEqual({ a: 'b,c' });
    expect(() => conditionValues('a=b,c', ['a'], levels)).toThrow('not a condition id');
  });
});

describe('a log pattern expanded for each attempt', () => {
  it('is the regex replacement of %x by the job name and %j by the job id', () => {
    const piece = fc.constantFrom('%x', '%j', '%', 'x', 'j', '/logs/', '%%x', '-', '.out');
    const regex = (p: string, name: string, id: string) =>
      p.replace(/%x|%j/g, (token) => (token === '%x' ? name : id));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.string(), fc.string(), (pieces, name, id) => {
        const pattern = pieces.join('');
        const make = logPathMaker(pattern);
        expect(make(name, id)).toBe(regex(pattern, name, id));
        // Made once, used for many attempts: each answer is its own.
        expect(make(id, name)).toBe(regex(pattern, id, name));
      }),
      { numRuns: 2000 },
    );
  });
});
