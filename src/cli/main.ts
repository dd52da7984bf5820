import { type CliCommand, type CliIo, COMMANDS } from './commands.js';

/**
 * The `sweepwatch` command: parses the subcommand, runs it, maps errors to one clear line and
 * an exit code. Exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic.
 */

export const EXIT = { ok: 0, error: 1, usage: 2, degraded: 3, systemic: 4 } as const;

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
    "Run `sweepwatch <command> --help` for a command's options.",
    'exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic',
  ].join('\n');
}

export async function runCli(
  argv: readonly string[],
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  stdin: NodeJS.ReadableStream = process.stdin,
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
  const io: CliIo = { stdout, stderr, stdin };
  try {
    return await command.run(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`sweepwatch ${name}: ${message}\n`);
    if (rest.includes('--debug') && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    return EXIT.error;
  }
}
