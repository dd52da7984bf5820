import { cancelSweep } from '../app/cancel.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  noPositionals,
  parseFlags,
  SWEEP_HELP,
  SWEEP_OPTIONS,
  UsageError,
} from './args.js';
import type { CliCommand } from './commands.js';
import { openBackend, openSweep, whoAmI } from './context.js';
import { EXIT } from './errors.js';
import { cancelJson, writeJson } from './json-output.js';
import { useCaseDeps } from './use-case-deps.js';

const OPTIONS = {
  ...SWEEP_OPTIONS,
  ...CONNECTION_OPTIONS,
  all: { type: 'boolean' },
  match: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
} as const;

/** `--match model=vit --match fold=3` (or `model=vit,fold=3`) → {model: 'vit', fold: '3'}. */
function parseMatch(terms: readonly string[]): Record<string, string> {
  const match: Record<string, string> = {};
  for (const term of terms.flatMap((t) => t.split(','))) {
    const [name, level, ...rest] = term.split('=').map((s) => s.trim());
    if (name === undefined || name === '' || level === undefined || level === '' || rest.length > 0) {
      throw new UsageError(`--match: expected factor=level, got "${term}"`);
    }
    match[name] = level;
  }
  return match;
}

export const cancelCommand: CliCommand = {
  summary: "cancel the sweep's live jobs (all, or those matching factor levels)",
  help: [
    'usage: sweepwatch cancel (--all | --match factor=level ...) [options]',
    '',
    "Cancels only the manifest's own jobs. Cancelled conditions are never relaunched by the policy.",
    '',
    ...SWEEP_HELP,
    '  --all                 every live job of the sweep',
    '  --match <f=l>         only conditions at these levels (repeatable, or comma-separated)',
    '  --dry-run             show what would be cancelled',
    ...CONNECTION_HELP,
    '',
    'exit codes: 0 done (or nothing to cancel), 1 error, 2 usage',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS);
    noPositionals(positionals);
    if ((values.all === true) === (values.match !== undefined)) {
      throw new UsageError('say what to cancel: --all, or --match factor=level');
    }
    const match = values.match === undefined ? {} : parseMatch(values.match);
    const sweep = await openSweep(values, io);
    const backend = openBackend(sweep, values, io);
    try {
      const { deps } = useCaseDeps(sweep, backend, values, io);
      const result = await cancelSweep(deps, {
        experiment: sweep.config.experiment,
        match,
        requestedBy: whoAmI(),
      });
      if (values.json) {
        writeJson(io.stdout, cancelJson, {
          command: 'cancel',
          experiment: sweep.config.experiment,
          reason_code: result.reasonCode,
          reason: result.reason,
          cancelled: [...result.cancelled],
          refused: result.refused.map((r) => ({ job_id: r.jobId, reason: r.reason })),
          in_flight: [...result.inFlight],
        });
      } else {
        io.stdout.write(`cancel ${sweep.config.experiment}: ${result.reason}\n`);
        for (const r of result.refused) io.stdout.write(`  not cancelled ${r.jobId}: ${r.reason}\n`);
        if (result.inFlight.length > 0)
          io.stdout.write(`  ${result.inFlight.length} submissions in flight: run cancel again after them\n`);
      }
      return EXIT.ok;
    } finally {
      await backend.close();
    }
  },
};
