import { manifestMissing } from '../app/errors.js';
import { relaunch } from '../app/relaunch.js';
import { parsePayload, type RelaunchPayload } from '../app/relaunch-payload.js';
import { currentCycle } from '../core/manifest-model.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  intFlag,
  noPositionals,
  parseFlags,
  SWEEP_HELP,
  SWEEP_OPTIONS,
  UsageError,
} from './args.js';
import type { CliCommand } from './commands.js';
import { digestOf, openBackend, openSweep, whoAmI } from './context.js';
import { EXIT } from './errors.js';
import { relaunchCommandJson, writeJson } from './json-output.js';
import { relaunchToJson } from './to-json.js';
import { useCaseDeps } from './use-case-deps.js';

const OPTIONS = {
  ...SWEEP_OPTIONS,
  ...CONNECTION_OPTIONS,
  condition: { type: 'string', multiple: true },
  cycle: { type: 'string' },
  force: { type: 'boolean' },
  payload: { type: 'string' },
  'dry-run': { type: 'boolean' },
  digest: { type: 'string' },
} as const;

const DONE = new Set(['relaunched', 'canary_submitted', 'released', 'resumed', 'nothing_to_relaunch']);

export const relaunchCommand: CliCommand = {
  summary: 'resubmit the failed conditions the plan allows (one cycle, escalated resources)',
  help: [
    'usage: sweepwatch relaunch [options]',
    '',
    "Runs the relaunch as the Action's relaunch workflow would: only failed conditions, with the",
    "plan's escalated resources, as the next cycle (at most 2). Refuses while jobs are live (F1),",
    'and reruns of failures that need a fix on the same commit (F3) unless --force.',
    '',
    ...SWEEP_HELP,
    '  --condition <id>      relaunch this condition (repeatable; default: the whole plan)',
    '  --cycle <n>           the cycle to open (default: the next one)',
    "  --force               override F3 (recorded in the cycle's reason)",
    "  --payload <json>      the relaunch workflow's payload, verbatim",
    '  --dry-run             show what would be submitted; submit, move and save nothing',
    '  --digest <text>       the commit the jobs run (default: git HEAD of --workdir)',
    ...CONNECTION_HELP,
    '',
    'exit codes: 0 relaunched (or nothing to relaunch), 1 refused or error, 2 usage',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS);
    noPositionals(positionals);
    if (values.payload !== undefined && (values.condition !== undefined || values.cycle !== undefined)) {
      throw new UsageError(
        '--payload carries the conditions and the cycle; do not combine it with --condition or --cycle',
      );
    }
    const sweep = await openSweep(values, io);
    const loaded = await sweep.store.load();
    if (loaded === null) throw manifestMissing(sweep.config.experiment);
    const payload: RelaunchPayload =
      values.payload !== undefined
        ? parsePayload(values.payload)
        : {
            experiment: sweep.config.experiment,
            conditions: values.condition ?? 'plan',
            cycle: intFlag('cycle', values.cycle, 1, currentCycle(loaded.manifest) + 1),
            reason: 'requested from the command line',
            requested_by: whoAmI(),
            ...(values.force === true ? { force: true } : {}),
          };
    const backend = openBackend(sweep, values, io);
    try {
      const { deps, dry } = useCaseDeps(sweep, backend, values, io);
      const result = await relaunch(deps, {
        config: sweep.config,
        payload,
        digest: digestOf(values.digest, sweep.paths.workdir),
        ...(values.force === true ? { force: true } : {}),
      });
      if (values.json) {
        writeJson(io.stdout, relaunchCommandJson, {
          command: 'relaunch',
          experiment: sweep.config.experiment,
          ...relaunchToJson(result),
        });
      } else {
        io.stdout.write(`relaunch ${sweep.config.experiment}: ${result.reason} (${result.reasonCode})\n`);
        for (const s of result.submitted) io.stdout.write(`  ${s.conditionId} → job ${s.jobId}\n`);
        for (const x of result.refused) io.stdout.write(`  not relaunched ${x.conditionId}: ${x.reason}\n`);
        for (const h of result.held) io.stdout.write(`  held behind a canary: ${h}\n`);
        for (const n of result.notes) io.stdout.write(`  note: ${n}\n`);
        if (dry !== null)
          io.stdout.write(`  dry run: ${dry.actions.length} actions recorded, nothing done\n`);
      }
      return DONE.has(result.reasonCode) ? EXIT.ok : EXIT.error;
    } finally {
      await backend.close();
    }
  },
};
