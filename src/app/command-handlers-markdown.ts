/**
 * Small markdown pieces the command replies share. A reply is a GitHub comment, so every one
 * is cut to COMMENT_MAX_CHARS: below GitHub's 65,536-character body limit with room for the
 * quote and mention that the reply adds around it.
 */
import type { CommandFilter } from '../core/commands.js';
import { chars, fitMarkdown } from '../core/report-budget.js';
import { code } from '../core/report-escape.js';

export const COMMENT_MAX_CHARS = 60_000;

/** Rows listed per section; a sweep of thousands of conditions says "and N more" instead. */
const MAX_ROWS = 100;

export function fitComment(markdown: string): string {
  return fitMarkdown(
    `${markdown.trimEnd()}\n`,
    COMMENT_MAX_CHARS,
    (n) => `> ✂️ ${n} lines cut to fit a comment.`,
    chars,
  ).trimEnd();
}

/** The filter as the person wrote it (factor levels are theirs): for code() or escapeInline(). */
export function filterText(filter: CommandFilter): string {
  switch (filter.kind) {
    case 'all':
      return 'all';
    case 'root_cause':
      return filter.rootCause;
    case 'conditions':
      return Object.entries(filter.match)
        .map(([name, level]) => `${name}=${level}`)
        .join(',');
  }
}

/** The filter, quoted safely for running text. */
export function quotedFilter(filter: CommandFilter): string {
  return code(filterText(filter));
}

/** `### Title (n)` and one bullet per row (rows are trusted markdown), capped at MAX_ROWS. */
export function section(title: string, rows: readonly string[]): string[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, MAX_ROWS);
  const more = rows.length - shown.length;
  return [
    '',
    `### ${title} (${rows.length})`,
    '',
    ...shown.map((row) => `- ${row}`),
    ...(more > 0 ? [`- … and ${more} more`] : []),
  ];
}
