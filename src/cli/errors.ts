/**
 * Every error the CLI can meet, as one clear line, a hint of what to do next, and an exit code.
 * The stack is for --debug only: a person reading a terminal needs the what and the next step.
 */
import { UseCaseError } from '../app/errors.js';
import { ConfigError } from '../config/config-error.js';
import { ManifestError } from '../core/manifest.js';
import { StateConflictError } from '../ports/state-store.js';
import { TransportError } from '../ports/transport.js';
import { UsageError } from './args.js';

export const EXIT = { ok: 0, error: 1, usage: 2, degraded: 3, systemic: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI itself raises with a message and a hint written for the person at hand. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly hint: string,
    readonly code: string = 'cli_error',
  ) {
    super(message);
  }
}

export interface DescribedError {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  readonly exit: ExitCode;
}

export function describeError(error: unknown, command: string): DescribedError {
  const help = `run \`sweepwatch ${command} --help\``;
  if (error instanceof UsageError)
    return { code: 'usage', message: error.message, hint: help, exit: EXIT.usage };
  if (error instanceof CliError)
    return { code: error.code, message: error.message, hint: error.hint, exit: EXIT.error };
  if (error instanceof ConfigError) {
    return {
      code: 'config_invalid',
      message: error.message,
      hint: 'fix the sweep file (every problem is listed above) and run the command again',
      exit: EXIT.error,
    };
  }
  if (error instanceof ManifestError) {
    return {
      code: `manifest_${error.kind}`,
      message: error.message,
      hint: 'move the file aside to start over, or restore it from a backup; sweepwatch never repairs it',
      exit: EXIT.error,
    };
  }
  if (error instanceof UseCaseError) {
    const hint =
      error.reasonCode === 'manifest_missing'
        ? 'run `sweepwatch launch` first, or pass --state/--workdir to point at the sweep'
        : help;
    return { code: error.reasonCode, message: error.message, hint, exit: EXIT.error };
  }
  if (error instanceof TransportError) {
    return {
      code: `ssh_${error.kind}`,
      message: error.message,
      hint: 'check --ssh-host, --ssh-user, --ssh-key-file and --ssh-known-hosts (or the SWEEPWATCH_SSH_* variables)',
      exit: EXIT.error,
    };
  }
  if (error instanceof StateConflictError) {
    return {
      code: 'state_conflict',
      message: error.message,
      hint: 'another sweepwatch is writing this manifest; wait for it, then run the command again',
      exit: EXIT.error,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'internal_error',
    message: `unexpected error: ${message}`,
    hint: 'rerun with --debug for the stack trace, and report it if it persists',
    exit: EXIT.error,
  };
}
