import {
  CONNECTION_HELP,
  EXIT_HELP,
  intFlag,
  noPositionals,
  parseFlags,
  positiveFlag,
  SWEEP_HELP,
} from './args.js';
import { sessionFor, TICK_HELP, TICK_OPTIONS } from './cmd-tick.js';
import type { CliCommand } from './commands.js';
import { openBackend, openSweep } from './context.js';
import { isTty, terminalWidth } from './live-display.js';
import { LocalIssues } from './local-issues.js';
import { watchSweep } from './watch-loop.js';

export const WATCH_OPTIONS = {
  ...TICK_OPTIONS,
  speed: { type: 'string' },
  'max-ticks': { type: 'string' },
} as const;

export const watchCommand: CliCommand = {
  summary: 'tick at the recommended cadence until every job is terminal and nothing is planned',
  help: [
    'usage: sweepwatch watch [options]',
    '',
    'Ticks at the cadence each tick recommends, runs the relaunches the policy allows, and stops',
    'when every job is terminal and nothing more is planned. A live table on a terminal, one line',
    'per tick otherwise, JSON Lines with --json. Ctrl-C stops watching; the jobs keep running.',
    '',
    ...SWEEP_HELP,
    ...TICK_HELP,
    "  --speed <x>           poll x times faster than the policy's cadence (demos, tests)",
    '  --max-ticks <n>       stop after n ticks',
    ...CONNECTION_HELP,
    '',
    EXIT_HELP,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, WATCH_OPTIONS);
    noPositionals(positionals);
    const speed = positiveFlag('speed', values.speed, 1);
    const maxTicks =
      values['max-ticks'] === undefined ? null : intFlag('max-ticks', values['max-ticks'], 1, 1);
    const sweep = await openSweep(values, io);
    const backend = openBackend(sweep, values, io);
    try {
      const issues = new LocalIssues(sweep.paths.issues);
      const outcome = await watchSweep(sessionFor(sweep, backend, values, io), sweep, io, {
        speed,
        maxTicks,
        json: values.json === true,
        tty: isTty(io.stdout),
        width: terminalWidth(io.stdout),
        issuePath: (n) => issues.markdownPath(n),
        relaunching: values['no-relaunch'] !== true && values['dry-run'] !== true,
      });
      return outcome.exit;
    } finally {
      await backend.close();
    }
  },
};
