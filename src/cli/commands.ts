/** The CLI's subcommands, keyed by name. Each one is a small module with its own help. */
import { classifyCommand } from './classify.js';
import { cancelCommand } from './cmd-cancel.js';
import { demoCommand } from './cmd-demo.js';
import { launchCommand } from './cmd-launch.js';
import { preflightCommand } from './cmd-preflight.js';
import { relaunchCommand } from './cmd-relaunch.js';
import { replayCommand } from './cmd-replay.js';
import { reportCommand } from './cmd-report.js';
import { statusCommand } from './cmd-status.js';
import { tickCommand } from './cmd-tick.js';
import { watchCommand } from './cmd-watch.js';

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

export const COMMANDS = {
  launch: launchCommand,
  tick: tickCommand,
  watch: watchCommand,
  status: statusCommand,
  relaunch: relaunchCommand,
  cancel: cancelCommand,
  report: reportCommand,
  classify: classifyCommand,
  replay: replayCommand,
  preflight: preflightCommand,
  demo: demoCommand,
} as const satisfies Record<string, CliCommand>;
