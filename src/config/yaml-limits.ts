/**
 * Limits checked before the text reaches the YAML parser. A sweep file is a page of settings;
 * a huge or deeply nested one is a mistake or an attack, and the parser's cost (and, once, its
 * memory: `'['.repeat(2000)` killed Node in a regexp allocation) grows faster than the text.
 */
import type { ConfigIssue } from './config-error.js';

/**
 * Bytes. Real sweep files are 1 to 5 KiB. yaml spends about 10 µs on each syntax error, and
 * hostile text has one every byte or two: 256 KiB of `]` or `{a}` took 1 to 4 s, 64 KiB well
 * under one.
 */
export const MAX_FILE_BYTES = 64 * 1024;
/** Levels of nesting. Real sweep files nest about 5 deep. */
export const MAX_DEPTH = 32;

const BLOCK_SCALAR_HEADER = /^[|>][-+0-9]*\s*(#.*)?$/;

interface ScanState {
  /** Columns of the open block nodes (indentation levels and `- `/`? `/`: ` indicators). */
  readonly columns: number[];
  flow: number;
  quote: '"' | "'" | null;
  /** Indentation of a `|`/`>` header: deeper lines are literal text, not structure. */
  blockScalar: number | null;
}

function indentOf(line: string): number {
  let col = 0;
  while (line[col] === ' ') col++;
  return col;
}

/** Block structure of a line outside flow and quotes: its depth, and where scanning resumes. */
function blockLevels(state: ScanState, line: string): number {
  const col = indentOf(line);
  const { columns } = state;
  while (columns.length > 0 && (columns.at(-1) ?? 0) >= col) columns.pop();
  let p = col;
  // `- - - x` and `? ? x` nest one level per indicator on a single line.
  while (
    (line[p] === '-' || line[p] === '?' || line[p] === ':') &&
    (p + 1 === line.length || line[p + 1] === ' ')
  ) {
    columns.push(p);
    p++;
    while (line[p] === ' ') p++;
  }
  if (p < line.length && line[p] !== '#') columns.push(p);
  return p;
}

/** Scans one line's characters for quotes, flow brackets, comments and block scalar headers. */
function scanChars(state: ScanState, line: string, from: number, max: number): boolean {
  for (let i = from; i < line.length; i++) {
    const ch = line[i];
    if (state.quote === '"') {
      if (ch === '\\') i++;
      else if (ch === '"') state.quote = null;
      continue;
    }
    if (state.quote === "'") {
      // `''` is an escaped quote: closing and reopening at once gives the same result.
      if (ch === "'") state.quote = null;
      continue;
    }
    const prev = i === 0 ? ' ' : (line[i - 1] ?? ' ');
    // Quotes and brackets only open at the start of a token: `don't` and `a[1]` are plain text;
    // inside [ ] and { } a token also starts right after an indicator (`[[`, `{"a":1}`).
    const space = prev === ' ' || prev === '\t';
    const tokenStart = space || (state.flow > 0 && '[{,:'.includes(prev));
    if (ch === '#' && space) return false;
    if ((ch === '"' || ch === "'") && tokenStart) state.quote = ch;
    else if ((ch === '[' || ch === '{') && (state.flow > 0 || tokenStart)) {
      state.flow++;
      if (state.columns.length + state.flow > max) return true;
    } else if ((ch === ']' || ch === '}') && state.flow > 0) state.flow--;
    else if ((ch === '|' || ch === '>') && state.flow === 0 && tokenStart) {
      if (BLOCK_SCALAR_HEADER.test(line.slice(i))) {
        state.blockScalar = indentOf(line);
        return false;
      }
    }
  }
  return false;
}

/**
 * The first line whose nesting exceeds `max`, or null. A linear scan that over-counts rather
 * than under-counts where YAML is ambiguous: refusing a strange file is cheaper than parsing it.
 */
export function tooDeepAt(text: string, max: number = MAX_DEPTH): number | null {
  const state: ScanState = { columns: [], flow: 0, quote: null, blockScalar: null };
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (state.blockScalar !== null) {
      if (line.trim() === '' || indentOf(line) > state.blockScalar) continue;
      state.blockScalar = null;
    }
    let from = 0;
    if (state.quote === null && state.flow === 0) {
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      from = blockLevels(state, line);
      if (state.columns.length > max) return index + 1;
    }
    if (scanChars(state, line, from, max)) return index + 1;
  }
  return null;
}

/** Issues for a file too big or too deep to parse safely; empty when it may be parsed. */
export function limitIssues(text: string): ConfigIssue[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    const size = `${Math.ceil(bytes / 1024)} KiB`;
    const message = `the file is ${size}; a sweep file is a page of settings, at most ${MAX_FILE_BYTES / 1024} KiB (is this the right file?)`;
    return [{ path: '', message, line: null }];
  }
  const line = tooDeepAt(text);
  if (line === null) return [];
  const message = `nested more than ${MAX_DEPTH} levels deep; a sweep file needs a handful (an unclosed [ or {, or a runaway list of '- ' or '? '?)`;
  return [{ path: '', message, line }];
}
