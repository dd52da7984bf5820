/**
 * The one error type the sweep file produces. It collects every problem (not just the first),
 * so a user fixes the file in one round; each issue names the file, the key path and the line.
 */

export interface ConfigIssue {
  /** Dotted key path with [i] for list items, e.g. `policy.bands.watch`; '' for the whole file. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the file, when the YAML parser could place it. */
  readonly line: number | null;
}

export function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line === null ? source : `${source}:${issue.line}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The file as the user named it. */
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      `${source}: ${count} in the sweep file:\n${issues.map((i) => `  ${formatIssue(source, i)}`).join('\n')}`,
    );
  }
}

/** `policy.bands.watch`, `factors.model[2]`, `include[0].fold`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
