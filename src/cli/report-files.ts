/**
 * Writes the final report where a person finds it: `<out>/sweepwatch-report-<experiment>.md`
 * with `outputs/factorial_run_<experiment>.jsonl` and `outputs/heatmap_<experiment>.svg`
 * beside it (the markdown links them relatively, so the folder can be moved whole).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalFiles } from '../adapters/local/local-files.js';
import { type FinalReportResult, finalReport } from '../app/final-report.js';
import type { Prices, SessionEvent } from '../core/final-report-model.js';
import { systemClock } from '../ports/clock.js';
import type { CliIo } from './commands.js';
import { type Sweep, shown } from './context.js';

export interface ReportFiles {
  readonly markdown: string;
  readonly jsonl: string;
  readonly svg: string;
}

export interface WriteReportOptions {
  readonly outDir: string;
  /** How the person runs sweepwatch, for the runbook's commands. */
  readonly command: string;
  readonly session?: readonly SessionEvent[];
  readonly prices?: Partial<Prices>;
  readonly clockNote?: string | null;
  readonly recordingPath?: string | null;
  /** Whether the outputs are on this machine (local backend, or a login node). */
  readonly outputsReachable: boolean;
}

export async function writeFinalReport(
  sweep: Sweep,
  io: CliIo,
  options: WriteReportOptions,
): Promise<{ files: ReportFiles; report: FinalReportResult }> {
  const exp = sweep.config.experiment;
  const jsonlName = `outputs/factorial_run_${exp}.jsonl`;
  const svgName = `outputs/heatmap_${exp}.svg`;
  const report = await finalReport(
    {
      store: sweep.store,
      outputs: options.outputsReachable ? new LocalFiles(sweep.paths.workdir) : null,
      clock: systemClock,
    },
    {
      config: sweep.config,
      ...(options.session !== undefined ? { session: options.session } : {}),
      ...(options.prices !== undefined ? { prices: options.prices } : {}),
      clockNote: options.clockNote ?? null,
      runbook: {
        command: options.command,
        configPath: shown(io, sweep.paths.config),
        statePath: shown(io, sweep.paths.state),
        recordingPath: options.recordingPath == null ? null : shown(io, options.recordingPath),
        issuesDir: shown(io, sweep.paths.issues),
      },
      artifacts: { jsonl: jsonlName, svg: svgName },
    },
  );
  const files: ReportFiles = {
    markdown: join(options.outDir, `sweepwatch-report-${exp}.md`),
    jsonl: join(options.outDir, jsonlName),
    svg: join(options.outDir, svgName),
  };
  await mkdir(join(options.outDir, 'outputs'), { recursive: true });
  await writeFile(files.markdown, report.markdown);
  await writeFile(files.jsonl, report.jsonl);
  await writeFile(files.svg, report.svg);
  return { files, report };
}
