import { resolve } from 'node:path';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  EXIT_HELP,
  noPositionals,
  parseFlags,
  SWEEP_HELP,
  SWEEP_OPTIONS,
} from './args.js';
import type { CliCommand, CliIo } from './commands.js';
import { type Backend, digestOf, openBackend, openSweep, type Sweep, whoAmI } from './context.js';
import { tickJson, writeJson } from './json-output.js';
import { LocalIssues } from './local-issues.js';
import { stderrLogger } from './logger.js';
import { statusLines } from './status-view.js';
import { stepEvents } from './tick-events.js';
import { TickSession } from './tick-session.js';
import { tickStepJson } from './to-json.js';
import { bandExit } from './watch-loop.js';

/** The flags of a ticking command (tick, watch). */
export const TICK_OPTIONS = {
  ...SWEEP_OPTIONS,
  ...CONNECTION_OPTIONS,
  record: { type: 'string' },
  'no-relaunch': { type: 'boolean' },
  approve: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  digest: { type: 'string' },
} as const;

export const TICK_HELP = [
  'tick options:',
  '  --record <file>       append what the scheduler answered (JSON Lines), for `sweepwatch replay`',
  '  --no-relaunch         report a planned relaunch instead of running it',
  '  --approve             approve the planned relaunch (when the policy has auto_relaunch: false)',
  '  --dry-run             observe and decide, but submit, cancel, report and save nothing',
  '  --digest <text>       the commit the jobs run, for rule F3 (default: git HEAD of --workdir)',
];

interface TickFlags {
  readonly record?: string | undefined;
  readonly 'no-relaunch'?: boolean | undefined;
  readonly approve?: boolean | undefined;
  readonly 'dry-run'?: boolean | undefined;
  readonly digest?: string | undefined;
  readonly verbose?: boolean | undefined;
}

export function sessionFor(sweep: Sweep, backend: Backend, flags: TickFlags, io: CliIo): TickSession {
  return new TickSession(sweep, {
    scheduler: backend.scheduler,
    files: backend.files,
    logger: stderrLogger(io.stderr, flags.verbose === true),
    digest: digestOf(flags.digest, sweep.paths.workdir),
    relaunch: flags['no-relaunch'] !== true,
    ...(flags.approve === true ? { approvedBy: whoAmI() } : {}),
    dryRun: flags['dry-run'] === true,
    ...(flags.record !== undefined ? { recordPath: resolve(io.cwd, flags.record) } : {}),
  });
}

export const tickCommand: CliCommand = {
  summary: 'observe every job once, diagnose, decide, act (relaunch in-process) and save',
  help: [
    'usage: sweepwatch tick [options]',
    '',
    'One tick: observes every live job, classifies new failures, rates the batch and acts on the',
    'decision (issues in .sweepwatch/issues/, a relaunch run right here when the plan asks for one).',
    '',
    ...SWEEP_HELP,
    ...TICK_HELP,
    ...CONNECTION_HELP,
    '',
    EXIT_HELP,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, TICK_OPTIONS);
    noPositionals(positionals);
    const sweep = await openSweep(values, io);
    const backend = openBackend(sweep, values, io);
    try {
      const session = sessionFor(sweep, backend, values, io);
      const step = await session.step();
      const r = step.result;
      if (values.json) {
        writeJson(io.stdout, tickJson, { command: 'tick', ...tickStepJson(sweep.config.experiment, step) });
      } else {
        const issues = new LocalIssues(sweep.paths.issues);
        for (const line of stepEvents(step, (n) => issues.markdownPath(n))) io.stdout.write(`${line}\n`);
        const block = statusLines(
          {
            experiment: sweep.config.experiment,
            outcome: r,
            maxCycles: sweep.config.policy.maxRelaunchCycles,
            at: step.at,
            nextPollSeconds: r.nextPollSeconds,
          },
          { color: false, width: 200 },
        );
        io.stdout.write(`${block.join('\n')}\n`);
        for (const note of r.actions.notes) io.stdout.write(`note: ${note}\n`);
        if (step.dryRun !== null) {
          io.stdout.write(`dry run: ${step.dryRun.actions.length} actions recorded, nothing done\n`);
        }
      }
      return bandExit(r.health.band);
    } finally {
      await backend.close();
    }
  },
};
