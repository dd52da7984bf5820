import { classifyCommand } from './classify.js';

/** The CLI's subcommands, keyed by name. Each one is a small module with its own help. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
}

export interface CliCommand {
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export const COMMANDS = {
  classify: classifyCommand,
} as const satisfies Record<string, CliCommand>;
