/**
 * Reading delimited rows without a string per field. One observe call parses ~400,000 sacct
 * rows at 100,000 jobs, and most of them are steps of which only the id and State matter: a
 * split() would make eleven strings and an array per row just to drop nine of them.
 */
import { ownText } from '../../core/own-text.js';
import type { JobState } from '../../core/types.js';
import { normalizeSlurmState } from './states.js';

/**
 * The field boundaries of one row at a time, with exactly `line.split(separator)`'s semantics
 * (its field count, its fields), but a field is cut out only when asked for.
 */
export class RowCursor {
  /** Start offsets of the first `width` fields, then the sentinel end (+ separator length). */
  private readonly starts: Int32Array;
  private line = '';

  constructor(
    private readonly width: number,
    private readonly separator: string,
  ) {
    this.starts = new Int32Array(width + 1);
  }

  /** Reads a row; returns its field count. Fields are readable only when it equals `width`. */
  read(line: string): number {
    const { starts, width, separator } = this;
    const sepLength = separator.length;
    this.line = line;
    let count: number;
    if (sepLength === 0) {
      // ''.split('') is [] and 'ab'.split('') is ['a', 'b']: one field per code unit.
      count = line.length;
      for (let k = 0; k < width && k < count; k++) starts[k] = k;
    } else {
      // Counting goes on past `width` (the diagnostic says how many), recording does not.
      count = 1;
      starts[0] = 0;
      let at = line.indexOf(separator);
      while (at >= 0) {
        if (count < width) starts[count] = at + sepLength;
        count++;
        at = line.indexOf(separator, at + sepLength);
      }
    }
    if (count === width) starts[width] = line.length + sepLength;
    return count;
  }

  /** Whether field k of the last row starts with `prefix` and then the character `next`. */
  fieldStartsWith(k: number, prefix: string, next: number): boolean {
    if (k < 0) return false;
    const from = this.starts[k] ?? 0;
    const to = (this.starts[k + 1] ?? 0) - this.separator.length;
    return (
      from + prefix.length < to &&
      this.line.charCodeAt(from + prefix.length) === next &&
      this.line.startsWith(prefix, from)
    );
  }

  /** Field k of the last row, or '' for k < 0 (a column the field list does not have). */
  field(k: number): string {
    if (k < 0) return '';
    const from = this.starts[k] ?? 0;
    const to = (this.starts[k + 1] ?? 0) - this.separator.length;
    return this.line.slice(from, to);
  }
}

interface StateEntry {
  readonly raw: string;
  readonly state: JobState;
}

/** Distinct raw states are few (`COMPLETED`, `CANCELLED by 1001`, …); hostile input is capped. */
const STATE_MEMO = new Map<string, StateEntry>();
const STATE_MEMO_MAX = 4096;

/**
 * normalizeSlurmState of a trimmed raw state, memoized (it splits on a regex), with the raw
 * state interned: 100,000 observations share a handful of `rawState` strings instead of each
 * holding its own copy.
 */
export function stateEntry(raw: string): StateEntry {
  let entry = STATE_MEMO.get(raw);
  if (entry === undefined) {
    // Copied: the memo outlives the answer the state was cut from.
    entry = { raw: ownText(raw), state: normalizeSlurmState(raw) };
    if (STATE_MEMO.size >= STATE_MEMO_MAX) STATE_MEMO.clear();
    STATE_MEMO.set(entry.raw, entry);
  }
  return entry;
}
