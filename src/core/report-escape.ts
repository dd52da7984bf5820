/**
 * Making untrusted text (log lines, scheduler messages, user-chosen factor names) safe to put
 * in GitHub markdown: it must not ping anyone, inject HTML, break a table or close a code
 * fence early. Every renderer goes through these helpers.
 */

/** Inserted after `@` so `@alice` renders the same but notifies nobody. */
export const ZWJ = '\u200d';

export function defuseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZWJ}`);
}

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
// Characters that start markdown constructs inside a line (links, emphasis, tables, strikethrough).
const MARKDOWN = /[\\`*_[\]|~#!]/g;

/** For running text and table cells: one line, HTML and markdown neutralized, no mentions. */
export function escapeInline(text: string): string {
  return defuseMentions(
    text
      .replace(/\r?\n|\r/g, ' ')
      .replace(/[&<>]/g, (c) => HTML[c] ?? c)
      .replace(MARKDOWN, (c) => `\\${c}`),
  );
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * A fenced code block the text cannot close: the fence is longer than any backtick run in it.
 * Code blocks render HTML and markdown literally, so only mentions need defusing.
 */
export function fenced(text: string, info = 'text'): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}${info}\n${defuseMentions(text.replace(/\r\n?/g, '\n'))}\n${fence}`;
}

/**
 * An inline code span for a table cell: delimiters longer than any backtick run, padded when
 * the text touches a backtick, and `|` escaped (GFM splits cells on it even inside code).
 */
export function code(text: string): string {
  const one = text.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
  const ticks = '`'.repeat(longestRun(one, '`') + 1);
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${defuseMentions(one)}${pad}${ticks}`;
}

/** Shortens to `max` characters (code points) with an ellipsis. */
export function clipText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
