/**
 * Size budgets. GitHub drops a job summary over 1 MiB per step (with an error) and refuses an
 * issue body over 65,536 characters, so every renderer cuts its output itself, at a line
 * boundary, outside any code fence, with a note that says what was left out.
 */

/** GitHub's limit on one step's summary ($GITHUB_STEP_SUMMARY), in bytes. */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;
/** GitHub's limit on an issue or comment body, in characters. */
export const ISSUE_BODY_MAX_CHARS = 65_536;

const encoder = new TextEncoder();

export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** How a budget counts: bytes for the step summary, UTF-16 characters for GitHub bodies. */
export type Measure = (text: string) => number;
export const bytes: Measure = byteLength;
export const chars: Measure = (text) => text.length;

const FENCE = /^(`{3,}|~{3,})/;

/**
 * `markdown` unchanged when it fits in `max`; otherwise its longest prefix of whole lines that
 * fits together with the closing fence (if the cut falls inside a code block) and `note`.
 */
export function fitMarkdown(
  markdown: string,
  max: number,
  note: (omittedLines: number) => string,
  measure: Measure = bytes,
): string {
  if (measure(markdown) <= max) return markdown;
  const lines = markdown.split('\n');
  // The note's size barely depends on the count: reserve for the largest it can be.
  const reserve = measure(`\n\n${note(lines.length)}\n`);
  const out: string[] = [];
  let used = 0;
  let open: string | null = null;
  for (const line of lines) {
    const fence = FENCE.exec(line)?.[1] ?? null;
    const closes: boolean = open !== null && fence !== null && line.trim() === open;
    const nextOpen: string | null = closes ? null : open === null && fence !== null ? fence : open;
    const cost = measure(line) + 1;
    const closing = nextOpen === null ? 0 : measure(nextOpen) + 1;
    if (used + cost + closing + reserve > max) break;
    out.push(line);
    used += cost;
    open = nextOpen;
  }
  if (open !== null) out.push(open);
  const omitted = lines.length - out.length + (open !== null ? 1 : 0);
  return `${out.join('\n')}\n\n${note(Math.max(1, omitted))}\n`;
}
