import { resolve } from 'node:path';
import { noPositionals, optionalPositive, parseFlags, SWEEP_HELP, SWEEP_OPTIONS } from './args.js';
import type { CliCommand } from './commands.js';
import { openSweep, shown } from './context.js';
import { EXIT } from './errors.js';
import { reportJson, writeJson } from './json-output.js';
import { writeFinalReport } from './report-files.js';

const OPTIONS = {
  ...SWEEP_OPTIONS,
  out: { type: 'string' },
  'cpu-hour-price': { type: 'string' },
  'gpu-hour-price': { type: 'string' },
  record: { type: 'string' },
} as const;

export const reportCommand: CliCommand = {
  summary: 'write the final report (markdown, per-attempt JSONL, heat map SVG)',
  help: [
    'usage: sweepwatch report [options]',
    '',
    'Writes <out>/sweepwatch-report-<experiment>.md, <out>/outputs/factorial_run_<experiment>.jsonl',
    'and <out>/outputs/heatmap_<experiment>.svg from the manifest and the expected outputs:',
    'scope, timeline, failures, decisions, resubmissions, completion, learnings, runbook,',
    'results by factor level, cost per cycle and the F1-F5 checklist.',
    '',
    ...SWEEP_HELP,
    '  --out <dir>                where to write (default: --workdir)',
    '  --cpu-hour-price <usd>     price a CPU-hour (the sweep file has no price field)',
    '  --gpu-hour-price <usd>     price a GPU-hour',
    '  --record <file>            the recording of the watch, named in the runbook',
    '',
    'exit codes: 0 written, 1 error, 2 usage',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS);
    noPositionals(positionals);
    const cpuHour = optionalPositive('cpu-hour-price', values['cpu-hour-price']);
    const gpuHour = optionalPositive('gpu-hour-price', values['gpu-hour-price']);
    const sweep = await openSweep(values, io);
    const { files, report } = await writeFinalReport(sweep, io, {
      outDir: resolve(io.cwd, values.out ?? sweep.paths.workdir),
      command: 'sweepwatch',
      prices: {
        ...(cpuHour !== undefined ? { cpuHour } : {}),
        ...(gpuHour !== undefined ? { gpuHour } : {}),
      },
      recordingPath: values.record === undefined ? null : resolve(io.cwd, values.record),
      outputsReachable: sweep.config.scheduler.kind === 'local' || sweep.config.scheduler.host === null,
    });
    if (values.json) {
      writeJson(io.stdout, reportJson, {
        command: 'report',
        experiment: sweep.config.experiment,
        files,
        counts: report.counts,
        checklist: report.checks.map((c) => ({ id: c.id, rule: c.rule, pass: c.pass, detail: c.detail })),
      });
    } else {
      const c = report.counts;
      io.stdout.write(
        `report ${sweep.config.experiment}: ${c.succeeded} of ${c.conditions} succeeded, ${c.failed} failed, ${c.attempts} attempts\n`,
      );
      for (const check of report.checks)
        io.stdout.write(`  ${check.id} ${check.pass ? 'pass' : 'FAIL'}: ${check.rule} (${check.detail})\n`);
      io.stdout.write(
        `  ${shown(io, files.markdown)}\n  ${shown(io, files.jsonl)}\n  ${shown(io, files.svg)}\n`,
      );
    }
    return EXIT.ok;
  },
};
