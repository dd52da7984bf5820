/**
 * The one error type the sweep file produces. It collects every problem (not just the first),
 * so a user fixes the file in one round; each issue names the file, the key path and the line.
 * Its message goes to the job summary, the step's failure and the log, so it stays bounded
 * whatever the file: echoed text is clipped and only the first problems are listed.
 */

export interface ConfigIssue {
  /** Dotted key path with [i] for list items, e.g. `policy.bands.watch`; '' for the whole file. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the file, when the YAML parser could place it. */
  readonly line: number | null;
}

/** Longest key or value echoed back. */
export const MAX_ECHO = 80;
/** Longest single message: a backstop for text echoed by code that does not clip. */
export const MAX_MESSAGE = 1000;
/** Problems listed in the message; past these the rest usually follow from the first. */
export const MAX_LISTED = 20;

/** `text`, cut to `max` characters with "…" when longer. */
export function clip(text: string, max: number = MAX_ECHO): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `a, b, c`, or `a, b, …, and 40 more` for a long list of the user's names. */
export function listOf(items: readonly string[], max = 12): string {
  const shown = items.slice(0, max).map((i) => clip(i));
  return items.length > max ? `${shown.join(', ')}, and ${items.length - max} more` : shown.join(', ');
}

export function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line === null ? source : `${source}:${issue.line}`;
  const message = clip(issue.message, MAX_MESSAGE);
  return issue.path === ''
    ? `${where}: ${message}`
    : `${where}: ${clip(issue.path, 2 * MAX_ECHO)}: ${message}`;
}

function describe(source: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const listed = issues.slice(0, MAX_LISTED).map((i) => `  ${formatIssue(source, i)}`);
  if (issues.length > MAX_LISTED) {
    listed.push(`  … and ${issues.length - MAX_LISTED} more (fix the first ones; the rest often follow)`);
  }
  return `${source}: ${count} in the sweep file:\n${listed.join('\n')}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The file as the user named it. */
    readonly source: string,
    /** Every problem found, as data; the message lists the first MAX_LISTED. */
    readonly issues: readonly ConfigIssue[],
  ) {
    super(describe(clip(source, 4 * MAX_ECHO), issues));
  }
}

/** `policy.bands.watch`, `factors.model[2]`, `include[0].fold`; each key clipped. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? clip(String(segment)) : `.${clip(String(segment))}`;
  }
  return out;
}
