import { resolve } from 'node:path';
import {
  DryRunRecorder,
  dryRunDispatcher,
  dryRunIssues,
  dryRunScheduler,
  dryRunStore,
} from '../app/dry-run.js';
import { tick } from '../app/tick.js';
import { type Manifest, parseManifest } from '../core/manifest.js';
import { EXIT_HELP, parseFlags, SWEEP_HELP, SWEEP_OPTIONS, UsageError } from './args.js';
import type { CliCommand } from './commands.js';
import { openSweep } from './context.js';
import { CliError, EXIT } from './errors.js';
import { IN_PROCESS_WORKFLOW } from './in-process-dispatcher.js';
import { replayJson, writeJson } from './json-output.js';
import { MemoryStateStore } from './memory-store.js';
import { readRecording, replayScheduler } from './recording.js';
import { dryRunJson } from './to-json.js';

const NO_ISSUES = { findByMarker: async () => null };

export const replayCommand: CliCommand = {
  summary: 'rerun the diagnosis and decision on recorded scheduler snapshots (no side effect)',
  help: [
    'usage: sweepwatch replay <recording.jsonl> [options]',
    '',
    'Feeds each recorded tick (from `tick --record` or `watch --record`) to the tick use case with',
    'every write replaced by a recorder: nothing is submitted, cancelled, reported or saved. Prints',
    'what the bot decides and would do, beside what it decided when recorded. With another sweep',
    'file (--config) it shows what other thresholds would have done on the same facts.',
    '',
    ...SWEEP_HELP,
    '',
    EXIT_HELP.replace(
      '3 degraded, 4 systemic',
      'the band of the last replayed tick (3 degraded, 4 systemic)',
    ),
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, SWEEP_OPTIONS);
    const [file, extra] = positionals;
    if (file === undefined) throw new UsageError('name the recording to replay');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const sweep = await openSweep(values, io);
    const ticks = await readRecording(resolve(io.cwd, file));
    const experiment = sweep.config.experiment;
    const foreign = ticks.find((t) => t.experiment !== experiment);
    if (foreign !== undefined) {
      throw new CliError(
        `the recording is of "${foreign.experiment}", the sweep file of "${experiment}"`,
        'pass the sweep file the recording was made with (--config)',
        'wrong_experiment',
      );
    }
    const rows = [];
    let manifest: Manifest | null = null;
    let band = 'healthy';
    for (const [i, recorded] of ticks.entries()) {
      if (recorded.manifest !== undefined) {
        manifest = parseManifest(recorded.manifest, { source: `${file}:${i + 1}`, experiment });
      }
      if (manifest === null)
        throw new CliError(
          `${file}:${i + 1}: no manifest to start from`,
          'record with `sweepwatch watch --record`',
          'recording_invalid',
        );
      const rec = new DryRunRecorder();
      const store = dryRunStore(new MemoryStateStore(manifest), rec);
      const at = new Date(recorded.at);
      const result = await tick(
        {
          store,
          scheduler: dryRunScheduler(replayScheduler(recorded), rec),
          issues: dryRunIssues(NO_ISSUES, rec),
          dispatcher: dryRunDispatcher(rec),
          clock: { now: () => at },
        },
        { config: sweep.config, relaunchWorkflow: IN_PROCESS_WORKFLOW, dispatchPatienceSeconds: 0 },
      );
      manifest = result.manifest;
      band = result.health.band;
      const decided = recorded.decided ?? null;
      const matches =
        decided === null
          ? null
          : decided.decision === result.decision &&
            decided.reason_code === result.reasonCode &&
            decided.band === band;
      rows.push({
        at: recorded.at,
        decision: result.decision,
        reason_code: result.reasonCode,
        band,
        recorded: decided,
        matches,
        would: dryRunJson(rec.actions.filter((a) => a.kind !== 'save')),
      });
    }
    const compared = rows.filter((r) => r.matches !== null);
    const allMatch = compared.length === 0 ? null : compared.every((r) => r.matches === true);
    if (values.json) {
      writeJson(io.stdout, replayJson, {
        command: 'replay',
        experiment,
        ticks: rows,
        matches_recorded: allMatch,
      });
    } else {
      for (const r of rows) {
        const same =
          r.matches === null
            ? ''
            : r.matches
              ? '  = as recorded'
              : `  ≠ recorded ${r.recorded?.decision} (${r.recorded?.reason_code})`;
        io.stdout.write(`${r.at}  ${r.decision} (${r.reason_code}) · ${r.band}${same}\n`);
        for (const w of r.would) io.stdout.write(`    would ${w.kind}: ${w.detail}\n`);
      }
      io.stdout.write(
        `replayed ${rows.length} ticks${allMatch === null ? '' : allMatch ? '; every decision is the one recorded' : '; some decisions differ from the recording'}\n`,
      );
    }
    return band === 'systemic' ? EXIT.systemic : band === 'degraded' ? EXIT.degraded : EXIT.ok;
  },
};
