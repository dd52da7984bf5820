/**
 * Limits checked before the text reaches the YAML parser. A sweep file is a page of settings;
 * a huge or deeply nested one is a mistake or an attack, and the parser's cost (and, once, its
 * memory: `'['.repeat(2000)` killed Node in a regexp allocation) grows faster than the text.
 */
import { Lexer } from 'yaml';
import type { ConfigIssue } from './config-error.js';

/**
 * Bytes. Real sweep files are 1 to 5 KiB. yaml spends about 10 µs on each syntax error, and
 * hostile text has one every byte or two: 256 KiB of `]` or `{a}` took 1 to 4 s, 64 KiB well
 * under one.
 */
export const MAX_FILE_BYTES = 64 * 1024;
/** Levels of nesting. Real sweep files nest about 5 deep. */
export const MAX_DEPTH = 32;

/** The lexer's markers (document, flow error end, scalar): no text of their own. */
const MARKERS = new Set(['\x02', '\x18', '\x1f']);

/** Where the scan is: line and column of the next token, and what the line holds so far. */
interface Cursor {
  line: number;
  column: number;
  lineStart: boolean;
  /** The line's first node is counted; later ones on the line sit beside it. */
  counted: boolean;
  colonSeen: boolean;
}

function advance(cursor: Cursor, token: string): void {
  const last = token.lastIndexOf('\n');
  if (last === -1) {
    cursor.column += token.length;
    return;
  }
  for (let i = token.indexOf('\n'); i !== -1; i = token.indexOf('\n', i + 1)) cursor.line++;
  cursor.column = token.length - last - 1;
  // A quoted or plain scalar may span lines and be followed by more on its last line.
  cursor.lineStart = token.endsWith('\n');
  if (cursor.lineStart) [cursor.counted, cursor.colonSeen] = [false, false];
}

/**
 * The first line whose nesting exceeds `max`, or null. It runs yaml's own lexer (linear, no
 * recursion, about 1 ms per KiB), so quotes, comments and block scalars are read exactly as
 * the parser will read them; only the tree is not built. Depth counts flow brackets, the
 * block indentation levels open at a line, and indicators that nest on one line (`- - x`,
 * `? ? x`, `a: b: c`). It counts some levels twice (a `- ` item and its mapping) and none
 * less than once: a strange file is cheaper refused than parsed.
 */
export function tooDeepAt(text: string, max: number = MAX_DEPTH): number | null {
  /** Columns of the open block nodes. */
  const columns: number[] = [];
  let flow = 0;
  let blockScalar: 'none' | 'header' | 'body' = 'none';
  const at: Cursor = { line: 1, column: 0, lineStart: true, counted: false, colonSeen: false };
  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) {
      if (token === '\x1f' && blockScalar === 'header') blockScalar = 'body';
      continue;
    }
    const first = token[0] ?? '';
    // A block scalar's text, spaces, newlines, comments and directives open nothing.
    if (blockScalar === 'body' || ' \t\r\n#%'.includes(first)) {
      if (blockScalar === 'body') blockScalar = 'none';
      advance(at, token);
      continue;
    }
    if (flow === 0 && at.lineStart) {
      // A line's indentation closes the block nodes at or right of it.
      while (columns.length > 0 && (columns.at(-1) ?? 0) >= at.column) columns.pop();
    }
    if (token === '---' || token === '...') {
      [columns.length, flow] = [0, 0];
    } else if (token === '[' || token === '{') {
      flow++;
    } else if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
    } else if (flow === 0) {
      // The first `:` of a line ends its key; a second one nests a mapping inside the value.
      const nests = token === '-' || token === '?' || (token === ':' && at.colonSeen);
      if (nests || !at.counted) columns.push(at.column);
      at.counted = true;
      if (token === ':') at.colonSeen = true;
      if (first === '|' || first === '>') blockScalar = 'header';
    }
    at.lineStart = false;
    if (columns.length + flow > max) return at.line;
    advance(at, token);
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
