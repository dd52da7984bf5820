import { type CliCommand, type CliIo, COMMANDS } from './commands.js';
import { describeError, EXIT } from './errors.js';
import { errorJson, writeJson } from './json-output.js';

/**
 * The `sweepwatch` command: parses the subcommand, runs it, maps errors to one clear line, a
 * hint and an exit code. Exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic.
 */

export { EXIT } from './errors.js';

const VERSION = '0.1.0';

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`);
  return [
    'usage: sweepwatch <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "Run `sweepwatch <command> --help` for a command's options. Start with `sweepwatch demo`.",
    'exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic',
  ].join('\n');
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export async function runCli(
  argv: readonly string[],
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  stdin: NodeJS.ReadableStream = process.stdin,
  options: RunOptions = {},
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command: CliCommand | undefined = (COMMANDS as Record<string, CliCommand | undefined>)[name];
  if (command === undefined) {
    stderr.write(`sweepwatch: unknown command "${name}"\nhint: run \`sweepwatch --help\` for the list\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  };
  try {
    return await command.run(rest, io);
  } catch (error) {
    const described = describeError(error, name);
    stderr.write(`sweepwatch ${name}: ${described.message}\nhint: ${described.hint}\n`);
    if (rest.includes('--debug') && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    if (rest.includes('--json')) {
      writeJson(stdout, errorJson, {
        command: name,
        error: { code: described.code, message: described.message, hint: described.hint },
      });
    }
    return described.exit;
  }
}
