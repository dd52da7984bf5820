/**
 * Flag parsing for every subcommand, on node:util's parseArgs (strict: an unknown flag is a
 * usage error, never silently ignored). The option groups below are shared so that a flag
 * means the same thing in every command.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A mistake in how the command was called: exit 2, with a hint to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Where the sweep is: every command that reads the sweep file or the manifest takes these. */
export const SWEEP_OPTIONS = {
  config: { type: 'string' },
  workdir: { type: 'string' },
  state: { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const satisfies Options;

/** The cluster connection, as the Action's inputs name it (env vars: SWEEPWATCH_SSH_*). */
export const CONNECTION_OPTIONS = {
  'ssh-host': { type: 'string' },
  'ssh-port': { type: 'string' },
  'ssh-user': { type: 'string' },
  'ssh-key-file': { type: 'string' },
  'ssh-known-hosts': { type: 'string' },
  'ssh-jump-hosts': { type: 'string', multiple: true },
  concurrency: { type: 'string' },
} as const satisfies Options;

export const SWEEP_HELP = [
  'sweep options:',
  '  --config <path>       the sweep file (default .github/sweepwatch.yml, relative to --workdir)',
  '  --workdir <dir>       where the sweep runs and its state lives (default: the current directory)',
  '  --state <path>        the manifest (default .sweepwatch/<experiment>.json next to the config, or in --workdir)',
  '  --json                machine-readable output on stdout',
  '  --verbose             progress lines on stderr',
  '  --debug               stack traces on errors',
];

export const CONNECTION_HELP = [
  "connection options (the sweep file's scheduler block is the default):",
  '  --ssh-host <host>          login host (env SWEEPWATCH_SSH_HOST); none: the scheduler runs here',
  '  --ssh-port <port>          (env SWEEPWATCH_SSH_PORT, default 22)',
  '  --ssh-user <user>          (env SWEEPWATCH_SSH_USER)',
  '  --ssh-key-file <path>      private key file (or its text in env SWEEPWATCH_SSH_PRIVATE_KEY)',
  '  --ssh-known-hosts <text>   pinned host key: known_hosts lines, a SHA256: fingerprint, or a file',
  '  --ssh-jump-hosts <spec>    "user@host[:port] SHA256:<fingerprint>", repeatable',
  '  --concurrency <n>          local backend: jobs at once (default 4)',
];

export const EXIT_HELP = 'exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic';

export function parseFlags<const O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs explains itself well, but ends with advice about "--" that does not apply here.
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

export function intFlag(name: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

export function positiveFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a number > 0, got "${value}"`);
  return n;
}

export function optionalPositive(name: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : positiveFlag(name, value, 0);
}
