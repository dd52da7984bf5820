import type { DryRunRecorder } from '../app/dry-run.js';
import { type LaunchResult, launch } from '../app/launch.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  noPositionals,
  parseFlags,
  SWEEP_HELP,
  SWEEP_OPTIONS,
} from './args.js';
import type { CliCommand, CliIo } from './commands.js';
import { digestOf, openBackend, openSweep, type Sweep, shown, whoAmI } from './context.js';
import { EXIT } from './errors.js';
import { launchJson, writeJson } from './json-output.js';
import { dryRunJson } from './to-json.js';
import { useCaseDeps } from './use-case-deps.js';

const OPTIONS = {
  ...SWEEP_OPTIONS,
  ...CONNECTION_OPTIONS,
  'dry-run': { type: 'boolean' },
  digest: { type: 'string' },
} as const;

const OK = new Set<LaunchResult['reasonCode']>(['launched', 'nothing_to_submit']);

export function printLaunch(
  io: CliIo,
  sweep: Sweep,
  r: LaunchResult,
  json: boolean,
  dry: DryRunRecorder | null,
): number {
  if (json) {
    writeJson(io.stdout, launchJson, {
      command: 'launch',
      experiment: sweep.config.experiment,
      state: sweep.paths.state,
      reason_code: r.reasonCode,
      reason: r.reason,
      submitted: r.submitted.map((s) => ({ condition_id: s.conditionId, job_id: s.jobId })),
      adopted: r.adopted.map((s) => ({ condition_id: s.conditionId, job_id: s.jobId })),
      rejected: r.rejected.map((s) => ({ condition_id: s.conditionId, message: s.message })),
      skipped: r.skipped,
      preflight: {
        ok: r.preflight.ok,
        problems: r.preflight.problems.map((p) => ({
          severity: p.severity,
          code: p.code,
          message: p.message,
        })),
      },
      dry_run: dry === null ? null : dryRunJson(dry.actions),
    });
  } else {
    io.stdout.write(`launch ${sweep.config.experiment}: ${r.reason} (${r.reasonCode})\n`);
    for (const p of r.preflight.problems) io.stdout.write(`  preflight ${p.severity}: ${p.message}\n`);
    for (const x of r.rejected.slice(0, 10)) io.stdout.write(`  rejected ${x.conditionId}: ${x.message}\n`);
    if (r.adopted.length > 0)
      io.stdout.write(`  adopted ${r.adopted.length} jobs a crashed launch had submitted\n`);
    if (r.skipped > 0) io.stdout.write(`  ${r.skipped} conditions already had a job\n`);
    if (dry !== null)
      io.stdout.write(
        `  dry run: ${dry.of('submit').length} submissions recorded, nothing submitted or saved\n`,
      );
    else io.stdout.write(`  manifest: ${shown(io, sweep.paths.state)}\n`);
  }
  return OK.has(r.reasonCode) ? EXIT.ok : EXIT.error;
}

export const launchCommand: CliCommand = {
  summary: 'preflight, then submit one job per condition of the sweep (idempotent)',
  help: [
    'usage: sweepwatch launch [options]',
    '',
    'Checks the cluster, then submits every condition that has no job yet (cycle 0). Safe to run',
    'again: conditions already submitted are skipped, a crashed launch is adopted.',
    '',
    ...SWEEP_HELP,
    '  --dry-run             show what would be submitted; submit and save nothing',
    '  --digest <text>       the commit the jobs run (default: git HEAD of --workdir)',
    ...CONNECTION_HELP,
    '',
    'exit codes: 0 launched (or nothing to launch), 1 refused or error, 2 usage',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS);
    noPositionals(positionals);
    const sweep = await openSweep(values, io);
    const backend = openBackend(sweep, values, io);
    try {
      const { deps, dry } = useCaseDeps(sweep, backend, values, io);
      const result = await launch(deps, {
        config: sweep.config,
        digest: digestOf(values.digest, sweep.paths.workdir),
        requestedBy: whoAmI(),
      });
      return printLaunch(io, sweep, result, values.json === true, dry);
    } finally {
      await backend.close();
    }
  },
};
