/**
 * The sweep file as YAML: parsing with line tracking, and the way back from a key path to the
 * line it sits on, so every issue can point at the user's text.
 */
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from './config-error.js';

export interface YamlSource {
  readonly doc: Document;
  readonly lines: LineCounter;
  /** The plain data (maps become objects in key order). */
  readonly data: unknown;
}

export type YamlResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };

export const BRACE_HINT = " (quote values with {placeholders} inside [ ] or after '- ': '{model}')";

export function parseYaml(text: string): YamlResult {
  const lines = new LineCounter();
  // uniqueKeys: a duplicated key is almost always a paste error that would silently win.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const sourceLines = text.split('\n');
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const line = e.linePos?.[0].line ?? null;
        // A {placeholder} inside [ ] opens a YAML mapping: the commonest way to break a sweep file.
        const hint = line !== null && /\[.*\{/.test(sourceLines[line - 1] ?? '') ? BRACE_HINT : '';
        // prettyErrors adds the position and a code frame; the line field carries the position.
        const first = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return { path: '', message: `YAML syntax: ${first}${hint}`, line };
      }),
    };
  }
  return { ok: true, source: { doc, lines, data: doc.toJS({ maxAliasCount: 100 }) } };
}

function lineOf(lines: LineCounter, node: unknown): number | null {
  if (node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
    const offset: unknown = node.range[0];
    if (typeof offset === 'number') return lines.linePos(offset).line;
  }
  return null;
}

/**
 * The line of the deepest node on `path` that exists: the key's own line for a map entry, so an
 * unknown key points at itself and a missing key points at its parent.
 */
export function lineForPath(source: YamlSource, path: readonly PropertyKey[]): number | null {
  let node: unknown = source.doc.contents;
  let line = lineOf(source.lines, node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) break;
      line = lineOf(source.lines, pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      line = lineOf(source.lines, item) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

/** Every map key in the document with its path, for checks that look at key names anywhere. */
export function* walkKeys(
  value: unknown,
  path: readonly (string | number)[] = [],
): Generator<{ key: string; path: (string | number)[]; value: unknown }> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walkKeys(item, [...path, i]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      yield { key, path: [...path, key], value: child };
      yield* walkKeys(child, [...path, key]);
    }
  }
}
