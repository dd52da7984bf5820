/**
 * Strings that outlive the text they were cut from. V8 makes a slice of 13 or more characters a
 * view into its source (a "sliced string"), so one kept field keeps the whole source alive: a
 * timestamp cut from the 44 MB observe answer of a 100,000-job sweep kept all 44 MB reachable
 * from the manifest for the rest of the tick, a memoized state kept the first answer that
 * printed it for the life of the process, and evidence lines kept their job's whole log tail
 * (4 MB on the lab's 1,000-job first tick). What is kept goes through here first.
 */

/** Shorter slices are copies already (V8's minimum sliced length): nothing to detach. */
const SLICE_MIN = 13;

/**
 * `text` in a string of its own. Prepending flattens the pair into a new string, which the
 * slice then refers to; the characters are the same.
 */
export function ownText(text: string): string {
  return text.length < SLICE_MIN ? text : ` ${text}`.slice(1);
}

/**
 * Own copies of texts that repeat (timestamps, node lists, reasons, job names of a sweep), one
 * per distinct text: a 100,000-job answer holds a few thousand distinct submit times. Bounded,
 * since a hostile or huge answer must not grow it without end; full, it starts over.
 */
export class TextPool {
  private readonly texts = new Map<string, string>();

  constructor(private readonly max = 65_536) {}

  get size(): number {
    return this.texts.size;
  }

  own(text: string): string {
    if (text.length < SLICE_MIN) return text;
    let kept = this.texts.get(text);
    if (kept === undefined) {
      kept = ownText(text);
      if (this.texts.size >= this.max) this.texts.clear();
      // Keyed by the copy: the key must not hold the source either.
      this.texts.set(kept, kept);
    }
    return kept;
  }
}
