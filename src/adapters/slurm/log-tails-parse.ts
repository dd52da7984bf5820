/**
 * Reading the log-tails script's answer (see LOG_TAILS_SCRIPT) into one result per path index.
 *
 * Two shapes of answer. The batch: one `tails` section holding every read file's tail, each
 * followed by the separator line `@@SW:<nonce>:next` (the script's own file, read by the same
 * `tail`), between a `before` and a `sizes` section of sizes. The fallback: one `file` section
 * per read file and a `sizes` section. Either way a file's size may instead come from its own
 * `size` section (no GNU stat), and a file the script could not read has a `missing.<i>` meta.
 *
 * A tail is split from the next by the separator, never by byte counts: the transport decodes
 * stdout as UTF-8, which turns invalid bytes into U+FFFD and loses their number, so offsets
 * would drift. The separator starts and ends with a newline, which no decoder folds into a
 * multi-byte character, and carries the nonce, which no log contains; so whatever a file holds
 * stays inside its own piece.
 */
import { type Framed, markerPrefix, parseFramed, type Section } from './sections.js';

export interface TailRead {
  /** The script found no readable regular file at the path. */
  readonly missing: boolean;
  /** The tail as decoded (invalid UTF-8 as U+FFFD), with no trailing newline added. */
  readonly text: string;
  readonly size: number;
  readonly truncated: boolean;
}

interface Piece {
  readonly text: string;
  /** Everything `tail` printed for the file arrived (not cut by the output cap). */
  readonly complete: boolean;
  /** Only an exact byte count proves it whole (the batch `tail` reported an error). */
  readonly strict: boolean;
}

const DIGITS = /^\d+$/;
const REPLACEMENT = '\uFFFD';

export function parseTails(
  stdout: string,
  stderr: string,
  nonce: string,
  count: number,
  perFile: number,
): TailRead[] {
  const prefix = markerPrefix(nonce);
  const body = cutBatch(stdout, prefix);
  const framed = parseFramed(body.rest, stderr, nonce);
  const indexes = Array.from({ length: count }, (_, i) => i);
  const missing = (i: number) => framed.meta.has(`missing.${i}`);
  // Every list the script builds (stat's, tail's) holds the readable files in path order.
  const order = indexes.filter((i) => !missing(i));
  const batch = framed.meta.get('tails') === 'each' ? undefined : batchPieces(body, prefix, framed, order);
  const pieces = batch ?? filePieces(framed);
  const after = sizeList(framed, 'sizes', order) ?? ownSizes(framed);
  // In the fallback there is no size before, and after alone is what the design always had.
  const before =
    batch === undefined ? after : (sizeList(framed, 'before', order) ?? new Map<number, number>());
  return indexes.map((i): TailRead => {
    if (missing(i)) return { missing: true, text: '', size: 0, truncated: false };
    const piece = pieces.get(i);
    // Never reached (output cut short), or not attributable: unread, so truncated, not missing.
    if (piece === undefined) return { missing: false, text: '', size: before.get(i) ?? 0, truncated: true };
    const size = after.get(i);
    if (size === undefined || before.get(i) !== size) {
      // No size, or it changed during the call: nothing proves which bytes the tail shows.
      const best = size ?? before.get(i) ?? Buffer.byteLength(piece.text);
      return { missing: false, text: piece.text, size: best, truncated: true };
    }
    const whole = piece.complete && size <= perFile && holds(piece.text, size, piece.strict);
    return { missing: false, text: piece.text, size, truncated: !whole };
  });
}

/**
 * Could this decoded text be exactly `bytes` bytes of the file? Valid UTF-8 decodes and encodes
 * back byte for byte; each U+FFFD stands for one to three bytes of the original. A tail longer
 * or shorter than the file's size says the file changed under `tail` (or `tail` failed on it).
 */
function holds(text: string, bytes: number, strict: boolean): boolean {
  const length = Buffer.byteLength(text);
  const replaced = text.split(REPLACEMENT).length - 1;
  if (replaced === 0 || strict) return replaced === 0 && length === bytes;
  return length - 2 * replaced <= bytes && bytes <= length;
}

/**
 * The batch's pieces by path index, or undefined when there was no batch. A piece is complete
 * when its separator arrived. A batch that ended with a number of pieces other than the number
 * of files is not attributed at all (the separator file vanished mid-read, say): one piece too
 * few or too many would hand every later file another file's tail.
 */
function batchPieces(
  body: BatchBody,
  prefix: string,
  framed: Framed,
  order: readonly number[],
): Map<number, Piece> | undefined {
  const section = framed.sections.find((s) => s.source === 'tails');
  if (section === undefined || body.text === undefined) return undefined;
  const pieces = new Map<number, Piece>();
  if (Number(section.key) !== order.length) return pieces;
  const separator = `\n${prefix}next\n`;
  const parts = body.text.split(separator);
  const rest = parts.pop() ?? '';
  if (parts.length > order.length || (body.ended && (parts.length !== order.length || rest !== ''))) {
    return pieces;
  }
  const strict = section.rc !== 0;
  for (const [k, text] of parts.entries()) pieces.set(order[k] ?? -1, { text, complete: true, strict });
  const cut = order[parts.length];
  if (!body.ended && cut !== undefined) {
    pieces.set(cut, { text: withoutPartialSeparator(rest, separator), complete: false, strict: true });
  }
  return pieces;
}

interface BatchBody {
  /** The stdout without the batch's body (its begin and end markers stay). */
  readonly rest: string;
  /** The body: every tail and separator, or undefined when there was no batch. */
  readonly text: string | undefined;
  /** The end marker arrived (the output was not cut inside the batch). */
  readonly ended: boolean;
}

/**
 * Takes the batch's body out of the stdout before parseFramed, which would cut its megabytes
 * into lines only to have them dropped. No log holds the nonce, so the first begin and end
 * markers of `tails` are the script's own.
 */
function cutBatch(stdout: string, prefix: string): BatchBody {
  const head = stdout.indexOf(`${prefix}begin:tails:`);
  const start = head < 0 ? -1 : stdout.indexOf('\n', head) + 1;
  if (start <= 0) return { rest: stdout, text: undefined, ended: false };
  const end = stdout.indexOf(`${prefix}end:tails:`, start);
  if (end < 0) return { rest: stdout.slice(0, start), text: stdout.slice(start), ended: false };
  return { rest: stdout.slice(0, start) + stdout.slice(end), text: stdout.slice(start, end), ended: true };
}

/** A tail cut short inside its separator keeps none of the separator's characters. */
function withoutPartialSeparator(text: string, separator: string): string {
  for (let n = Math.min(text.length, separator.length - 1); n > 0; n--) {
    if (text.endsWith(separator.slice(0, n))) return text.slice(0, -n);
  }
  return text;
}

function filePieces(framed: Framed): Map<number, Piece> {
  const pieces = new Map<number, Piece>();
  for (const s of framed.sections) {
    if (s.source === 'file') {
      pieces.set(Number(s.key), { text: s.lines.join('\n'), complete: s.rc === 0, strict: false });
    }
  }
  return pieces;
}

/**
 * One stat's sizes, one a line for the readable files in order. They count only when stat
 * succeeded and gave exactly one number per file: anything else could pair a size with the
 * wrong file.
 */
function sizeList(framed: Framed, source: string, order: readonly number[]): Map<number, number> | undefined {
  const s = framed.sections.find((x) => x.source === source);
  if (s?.rc !== 0 || s.lines.length !== order.length || !s.lines.every((l) => DIGITS.test(l)))
    return undefined;
  return new Map(order.map((index, k) => [index, Number(s.lines[k])]));
}

/** The fallback's per-file `size` sections (`wc -c`, which pads with blanks on BSD). */
function ownSizes(framed: Framed): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const s of framed.sections) {
    const size = ownSize(s);
    if (size !== undefined) sizes.set(Number(s.key), size);
  }
  return sizes;
}

function ownSize(s: Section): number | undefined {
  const value = s.lines[0]?.trim() ?? '';
  return s.source === 'size' && s.rc === 0 && s.lines.length === 1 && DIGITS.test(value)
    ? Number(value)
    : undefined;
}
