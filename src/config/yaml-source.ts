/**
 * The sweep file as YAML: parsing with line tracking, and the way back from a key path to the
 * line it sits on, so every issue can point at the user's text.
 */
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseDocument,
  visit,
  type YAMLMap,
} from 'yaml';
import { type ConfigIssue, clip } from './config-error.js';
import { limitIssues } from './yaml-limits.js';

export interface YamlSource {
  readonly doc: Document;
  readonly lines: LineCounter;
  /** The plain data (maps become objects in key order). */
  readonly data: unknown;
}

export type YamlResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };

export const BRACE_HINT = " (quote values with {placeholders} inside [ ] or after '- ': '{model}')";

/** Alias expansions allowed: plenty for reused blocks, far too few for a billion laughs. */
const MAX_ALIAS_COUNT = 100;

export function parseYaml(text: string): YamlResult {
  const refused = limitIssues(text);
  if (refused.length > 0) return { ok: false, issues: refused };
  const lines = new LineCounter();
  // Duplicate keys are found below, not by yaml's uniqueKeys: it compares every pair of keys in
  // a map, so 25,000 keys in 256 KiB took 6 s.
  // prettyErrors is off: its code frame re-reads the error's whole line, so a 64 KiB line of
  // `]` took seconds; the line comes from the LineCounter instead.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) {
    const sourceLines = text.split('\n');
    // Once per line, not per error: a long hostile line can hold thousands of errors.
    const hints = new Map<number, string>();
    const hintFor = (line: number): string => {
      let hint = hints.get(line);
      if (hint === undefined) {
        // A {placeholder} inside [ ] opens a YAML mapping: the commonest way to break a sweep file.
        // indexOf, not /\[.*\{/: the regexp backtracks quadratically on a line of `[`.
        const text = sourceLines[line - 1] ?? '';
        const open = text.indexOf('[');
        hint = open >= 0 && text.indexOf('{', open) > open ? BRACE_HINT : '';
        hints.set(line, hint);
      }
      return hint;
    };
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const line = lines.linePos(e.pos[0]).line;
        const hint = hintFor(line);
        const first = e.message.split('\n')[0] ?? '';
        return { path: '', message: `YAML syntax: ${clip(first, 2 * 80)}${hint}`, line };
      }),
    };
  }
  const { issues, aliases } = structureIssues(doc, lines);
  if (issues.length > 0) return { ok: false, issues };
  try {
    return { ok: true, source: { doc, lines, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) } };
  } catch (error) {
    return { ok: false, issues: [aliasIssue(error, aliases, lines)] };
  }
}

/**
 * Mapping keys that are lists, mappings or aliases are refused: JavaScript objects only have
 * string keys, so YAML would stringify them (and nested `? ` keys grow quadratically when
 * stringified); no sweep setting has such a key. A duplicated key is almost always a paste
 * error that would silently win. The aliases are kept to place alias errors.
 */
function structureIssues(doc: Document, lines: LineCounter): { issues: ConfigIssue[]; aliases: Alias[] } {
  const issues: ConfigIssue[] = [];
  const aliases: Alias[] = [];
  visit(doc, {
    Alias: (_key, node) => {
      aliases.push(node);
    },
    Map: (_key, map) => {
      // Keys as the plain data will have them: `1` and '1' are the same object key.
      const seen = new Map<string, unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        // yaml turns an empty (null) key into '', as it does `null` itself.
        const name = key.value === null ? '' : String(key.value);
        const first = seen.get(name);
        if (first === undefined) seen.set(name, key);
        else issues.push(duplicateKey(name, lines, first, key));
      }
    },
    Pair: (_key, pair) => {
      const key: unknown = pair.key;
      if (key === null || isScalar(key)) return;
      const what = isAlias(key) ? `the alias *${clip(key.source)}` : isSeq(key) ? 'a list' : 'a mapping';
      issues.push({
        path: '',
        message: `a mapping key must be a plain name, not ${what} (a stray '? ' or a key written as [ ] or { }?)`,
        line: lineOf(lines, key),
      });
      // The key's own contents are not looked into: one issue per complex key is enough.
      return visit.SKIP;
    },
  });
  return { issues, aliases };
}

function duplicateKey(name: string, lines: LineCounter, first: unknown, again: unknown): ConfigIssue {
  const firstLine = lineOf(lines, first);
  const where = firstLine === null ? '' : ` (first on line ${firstLine})`;
  return {
    path: '',
    message: `duplicate ${name === '' ? 'empty key' : `key "${clip(name)}"`}${where}; the later one would silently win`,
    line: lineOf(lines, again),
  };
}

/** yaml throws from toJS on an alias without its anchor and on too many alias expansions. */
function aliasIssue(error: unknown, aliases: readonly Alias[], lines: LineCounter): ConfigIssue {
  const text = error instanceof Error ? error.message : String(error);
  const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(text);
  if (unresolved !== null) {
    const name = unresolved[1] ?? '';
    const node = aliases.find((a) => a.source === name);
    return {
      path: '',
      message: `YAML alias *${clip(name)} is not defined (an anchor &${clip(name)} must come before it)`,
      line: node === undefined ? null : lineOf(lines, node),
    };
  }
  if (/alias count/i.test(text)) {
    return {
      path: '',
      message: `too many aliases (a YAML bomb?): they would expand past ${MAX_ALIAS_COUNT} copies; write the values out`,
      line: aliases[0] === undefined ? null : lineOf(lines, aliases[0]),
    };
  }
  return { path: '', message: `YAML: ${clip(text, 2 * 80)}`, line: null };
}

function lineOf(lines: LineCounter, node: unknown): number | null {
  if (node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
    const offset: unknown = node.range[0];
    if (typeof offset === 'number') return lines.linePos(offset).line;
  }
  return null;
}

const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/** A map's pairs by key, built once: one lookup per issue would be quadratic in a huge map. */
function keyIndex(map: YAMLMap): Map<string, Pair> {
  let index = indexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items) {
      const key = isPair(p) && isScalar(p.key) ? String(p.key.value) : null;
      // The first pair wins, as the plain search did.
      if (key !== null && !index.has(key)) index.set(key, p);
    }
    indexes.set(map, index);
  }
  return index;
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
      const pair = keyIndex(node).get(String(segment));
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
