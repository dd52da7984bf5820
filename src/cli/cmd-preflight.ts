import { preflightRequestOf } from '../app/launch.js';
import { preflight } from '../app/preflight.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  noPositionals,
  parseFlags,
  SWEEP_HELP,
  SWEEP_OPTIONS,
} from './args.js';
import type { CliCommand } from './commands.js';
import { openBackend, openSweep } from './context.js';
import { EXIT } from './errors.js';
import { preflightJson, writeJson } from './json-output.js';

const OPTIONS = { ...SWEEP_OPTIONS, ...CONNECTION_OPTIONS } as const;

export const preflightCommand: CliCommand = {
  summary: 'check the scheduler, the user, partitions, accounts and directories the sweep needs',
  help: [
    'usage: sweepwatch preflight [options]',
    '',
    'What `launch` checks before it submits anything, on its own.',
    '',
    ...SWEEP_HELP,
    ...CONNECTION_HELP,
    '',
    'exit codes: 0 ready, 1 not ready or error, 2 usage',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS);
    noPositionals(positionals);
    const sweep = await openSweep(values, io);
    const backend = openBackend(sweep, values, io);
    try {
      const outcome = await preflight(backend.scheduler, preflightRequestOf(sweep.config));
      const r = outcome.report;
      if (values.json) {
        writeJson(io.stdout, preflightJson, {
          command: 'preflight',
          reason_code: outcome.reasonCode,
          ok: r.ok,
          user: r.user,
          versions: { ...r.versions },
          problems: r.problems.map((p) => ({
            severity: p.severity,
            code: p.code,
            subject: p.subject,
            message: p.message,
          })),
        });
      } else {
        io.stdout.write(
          `preflight ${sweep.config.experiment} (${sweep.config.scheduler.kind}): ${r.ok ? 'ready' : 'not ready'}, user ${r.user ?? 'unknown'}\n`,
        );
        for (const [cmd, version] of Object.entries(r.versions))
          io.stdout.write(`  ${cmd}: ${version ?? 'missing'}\n`);
        for (const p of r.problems)
          io.stdout.write(`  ${p.severity} ${p.code}: ${p.message} (${p.subject})\n`);
      }
      return r.ok ? EXIT.ok : EXIT.error;
    } finally {
      await backend.close();
    }
  },
};
