/**
 * A manifest in serializeManifest's own layout, cut into its head and one text per condition,
 * so that the conditions can be parsed one at a time. JSON.parse of the whole file builds every
 * condition's wire object at once, and all of them live until the last is decoded: ~75 MB at
 * 100,000 conditions that outlive V8's young generation, which the tick then carries as garbage
 * and which sets how far V8 lets the heap grow. Parsed line by line, each dies young.
 *
 * The cut is exact, not a guess: a string inside JSON cannot hold a raw newline, so every
 * newline of the layout is structural. The head closed with an empty list parses only if the
 * list was a field of the top-level object, and a run of lines that each parse on their own,
 * joined by ",\n", is the array of those values. Whatever does not fit the layout is reported
 * as null, and the caller reads the text whole.
 */

/** Where the conditions begin: the last field, one condition per line (manifest-serialize.ts). */
const OPENING = '\n"conditions":[\n';
/** How the serializer ends every file with conditions. */
const CLOSING = '\n]\n}\n';
const COMMA = 0x2c;

export interface LaidOut {
  /** The manifest's JSON text with an empty list of conditions. */
  readonly head: string;
  /** Each condition's JSON text, in file order, cut when asked for; throws at a line the serializer would not have written. */
  conditionLines(): Generator<string>;
}

export function laidOut(text: string): LaidOut | null {
  const opening = text.lastIndexOf(OPENING);
  if (opening < 0 || !text.endsWith(CLOSING)) return null;
  const first = opening + OPENING.length;
  const end = text.length - CLOSING.length;
  if (end <= first) return null;
  return {
    head: `${text.slice(0, opening)}\n"conditions":[]\n}`,
    *conditionLines() {
      let start = first;
      for (;;) {
        const newline = text.indexOf('\n', start);
        if (newline < 0 || newline >= end) {
          yield text.slice(start, end);
          return;
        }
        // Every line but the last ends with the comma that separates it from the next.
        if (text.charCodeAt(newline - 1) !== COMMA)
          throw new Error(`not laid out: no comma before offset ${newline}`);
        yield text.slice(start, newline - 1);
        start = newline + 1;
      }
    },
  };
}
