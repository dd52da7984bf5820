/**
 * fast-check arbitraries for what the outside can send: arbitrary text of every kind (binary,
 * lone surrogates, control and ANSI codes, markdown and HTML, workflow expressions, prototype
 * keys), and real samples mutated line by line or character by character. Sizes are capped so
 * that a case stays bounded; the cap is the largest input each fuzz file asserts about.
 */
import fc from 'fast-check';

/** Strings that have broken parsers and renderers before. */
export const NASTY = [
  '',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\r\n',
  '\r',
  '\u001b[31mred\u001b[0m',
  '\u202etxt.exe',
  '\ufeff',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, as data.
  '${{ secrets.GITHUB_TOKEN }}',
  '$(touch /tmp/pwned)',
  '`id`',
  "'; rm -rf / #",
  '@everyone',
  '```',
  '<img src=x onerror=alert(1)>',
  '<!-- sweepwatch:root-cause:x.y -->',
  '__proto__',
  'constructor',
  '{"__proto__": {"polluted": true}}',
  'NaN',
  '-0',
  '1e309',
  '9'.repeat(400),
  '['.repeat(500),
  '{'.repeat(500),
  'a'.repeat(5000),
];

export function hostileText(maxLength = 2000): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ maxLength, unit: 'binary' }),
    fc.string({ maxLength: Math.min(maxLength, 500), unit: 'grapheme' }),
    fc.constantFrom(...NASTY),
    fc.array(fc.constantFrom(...NASTY), { maxLength: 8 }).map((parts) => parts.join('')),
  );
}

type Edit =
  | { readonly op: 'insert'; readonly at: number; readonly text: string }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'truncate'; readonly at: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: hostileText(60) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyEdit(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  switch (e.op) {
    case 'insert':
      return text.slice(0, at) + e.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.length);
    case 'truncate':
      return text.slice(0, at);
  }
}

/** A real sample with a few character-level edits: still mostly well-formed, broken somewhere. */
export function mutatedText(samples: readonly string[], maxEdits = 6): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(editArb, { minLength: 1, maxLength: maxEdits }))
    .map(([sample, edits]) => edits.reduce(applyEdit, sample));
}

type LineEdit =
  | { readonly op: 'drop' | 'repeat' | 'swap'; readonly at: number }
  | { readonly op: 'insert' | 'replace'; readonly at: number; readonly text: string };

const lineEditArb: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({ op: fc.constantFrom('drop' as const, 'repeat' as const, 'swap' as const), at: fc.nat() }),
  fc.record({
    op: fc.constantFrom('insert' as const, 'replace' as const),
    at: fc.nat(),
    text: hostileText(200),
  }),
);

/** Real lines, some dropped, repeated, swapped or replaced by hostile text. */
export function mutatedLines(samples: readonly string[], maxEdits = 8): fc.Arbitrary<string[]> {
  return fc.array(lineEditArb, { maxLength: maxEdits }).map((edits) => {
    const lines = [...samples];
    for (const e of edits) {
      const at = lines.length === 0 ? 0 : e.at % lines.length;
      if (e.op === 'drop') lines.splice(at, 1);
      else if (e.op === 'repeat') lines.splice(at, 0, lines[at] ?? '');
      else if (e.op === 'swap') lines.splice(at, 2, ...lines.slice(at, at + 2).reverse());
      else if (e.op === 'insert' || e.op === 'replace') lines.splice(at, e.op === 'insert' ? 0 : 1, e.text);
    }
    return lines;
  });
}

/** JSON-like values with hostile strings and keys, bounded in depth and breadth. */
export function hostileJson(): fc.Arbitrary<unknown> {
  const key = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
  );
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      hostileText(200),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 6 }),
      fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    ),
  })).value;
}
