/** The CLI's subcommands, keyed by name. Each one is a small module with its own help. */

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths on the command line are taken from here. */
  readonly cwd: string;
}

export interface CliCommand {
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Whether output goes to a terminal that can redraw (a live table) or to a file/pipe (plain lines). */
export function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
