import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalFiles } from '../adapters/local/local-files.js';
import { LocalScheduler } from '../adapters/local/local-scheduler.js';
import { cancelSweep } from '../app/cancel.js';
import { launch } from '../app/launch.js';
import { systemClock } from '../ports/clock.js';
import { silentLogger } from '../ports/logger.js';
import { intFlag, noPositionals, parseFlags, positiveFlag } from './args.js';
import { printLaunch } from './cmd-launch.js';
import type { CliCommand, CliIo } from './commands.js';
import { compressTime } from './compressed-clock.js';
import { digestOf, openSweep, type Sweep, shown, whoAmI } from './context.js';
import { CliError, EXIT } from './errors.js';
import { inWorkdir } from './job-workdir.js';
import { watchEventJson, writeJson } from './json-output.js';
import { isTty, terminalWidth } from './live-display.js';
import { LocalIssues } from './local-issues.js';
import { writeFinalReport } from './report-files.js';
import { commandLine, supervisorCommand } from './supervisor-command.js';
import { TickSession } from './tick-session.js';
import { watchSweep } from './watch-loop.js';

const OPTIONS = {
  workdir: { type: 'string' },
  speed: { type: 'string' },
  minute: { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

/** Left in a work dir the demo made, so a rerun may wipe it (and nothing else). */
const MARKER = '.sweepwatch-demo';
const DEMO_FILES = ['sweepwatch.yml', 'train.mjs'];

/** The shipped demo/ folder: beside dist/ (the bundle) or src/ (from source), found by walking up. */
function demoSource(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'demo', 'sweepwatch.yml'))) return join(dir, 'demo');
    if (dirname(dir) === dir) {
      throw new CliError(
        'the demo files (demo/sweepwatch.yml) are not next to this sweepwatch',
        'run it from the repository: npm run demo',
        'demo_missing',
      );
    }
  }
}

/** A fresh work dir; one left by an earlier demo is stopped and wiped, anything else refused. */
async function freshWorkdir(workdir: string, io: CliIo): Promise<void> {
  if (existsSync(workdir)) {
    const entries = await readdir(workdir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new CliError(
        `${shown(io, workdir)} exists and is not a demo folder`,
        'pass another --workdir, or remove it',
        'workdir_taken',
      );
    }
    if (existsSync(join(workdir, 'sweepwatch.yml'))) {
      // An interrupted demo leaves its jobs running (they outlive the CLI): stop them first.
      try {
        const old = await openSweep({ workdir, config: 'sweepwatch.yml' }, io);
        const scheduler = new LocalScheduler({
          stateDir: old.paths.localState,
          supervisorCommand: supervisorCommand(),
        });
        await cancelSweep(
          { store: old.store, scheduler, clock: systemClock },
          { experiment: old.config.experiment, requestedBy: 'sweepwatch demo' },
        );
      } catch {
        // Nothing live, or a broken leftover: it is wiped either way.
      }
    }
    await rm(workdir, { recursive: true, force: true });
  }
  await mkdir(workdir, { recursive: true });
  await writeFile(join(workdir, MARKER), 'made by `sweepwatch demo`; removed by the next demo run\n');
  const source = demoSource();
  for (const name of DEMO_FILES) await copyFile(join(source, name), join(workdir, name));
}

function say(io: CliIo, json: boolean, line: string): void {
  if (!json) io.stdout.write(`${line}\n`);
}

export const demoCommand: CliCommand = {
  summary: 'run a real 24-condition sweep here, with real failures, and write its report',
  help: [
    'usage: sweepwatch demo [options]',
    '',
    'Copies demo/ (a 2×3×2×2 sweep of a tiny Node training script) into a fresh work dir, launches',
    'it on the local backend, watches it, relaunches what the policy allows and writes the final',
    'report. The failures are real: an out-of-memory corner, a run that diverges to NaN, a run',
    'that exceeds its time limit. Time limits run on a compressed clock (see --minute).',
    '',
    'options:',
    '  --workdir <dir>       where to run (default .sweepwatch-demo; an earlier demo there is wiped)',
    '  --minute <seconds>    how long one sweep-file minute lasts (default 6)',
    "  --speed <x>           poll x times faster than the demo policy's cadence (default 1)",
    '  --concurrency <n>     jobs at once (default 4)',
    '  --json                JSON Lines: one record per tick, then the report',
    '',
    'exit codes: 0 the demo ran to its report, 1 error, 2 usage',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS);
    noPositionals(positionals);
    const started = Date.now();
    const json = values.json === true;
    const minute = positiveFlag('minute', values.minute, 6);
    const speed = positiveFlag('speed', values.speed, 1);
    const concurrency = intFlag('concurrency', values.concurrency, 1, 4);
    const workdir = resolve(io.cwd, values.workdir ?? '.sweepwatch-demo');
    await freshWorkdir(workdir, io);
    const sweep: Sweep = await openSweep({ workdir, config: 'sweepwatch.yml' }, io);
    const local = new LocalScheduler({
      stateDir: sweep.paths.localState,
      supervisorCommand: supervisorCommand(),
      concurrency,
    });
    const scheduler = compressTime(inWorkdir(local, workdir), minute);
    const clockNote = `Demo clock: one minute of the sweep file lasts ${minute} s of wall time for the jobs' time limits, so a timeout and its escalated rerun fit in a minute; times below are real.`;
    say(
      io,
      json,
      `sweepwatch demo: ${sweep.config.factors.map((f) => f.levels.length).join('×')} conditions of train.mjs in ${shown(io, workdir)}, ${concurrency} at a time on the local backend`,
    );
    say(io, json, `  ${clockNote}`);

    const digest = digestOf(undefined, workdir);
    const launched = await launch(
      { store: sweep.store, scheduler, clock: systemClock, logger: silentLogger },
      { config: sweep.config, digest, requestedBy: whoAmI() },
    );
    if (!json) printLaunch(io, sweep, launched, false, null);
    if (launched.reasonCode !== 'launched')
      throw new CliError(
        `the demo could not launch: ${launched.reason}`,
        `run \`sweepwatch preflight --workdir ${shown(io, workdir)} --config sweepwatch.yml\``,
        'demo_launch_failed',
      );

    const recordPath = join(workdir, '.sweepwatch', 'recording.jsonl');
    const session = new TickSession(sweep, {
      scheduler,
      files: new LocalFiles(workdir),
      logger: silentLogger,
      digest,
      relaunch: true,
      dryRun: false,
      recordPath,
    });
    session.events.push({ at: new Date(started).toISOString(), kind: 'launch', summary: launched.reason });
    const issues = new LocalIssues(sweep.paths.issues);
    const watched = await watchSweep(session, sweep, io, {
      speed,
      maxTicks: null,
      json,
      tty: isTty(io.stdout),
      width: terminalWidth(io.stdout),
      issuePath: (n) => shown(io, issues.markdownPath(n)),
      relaunching: true,
    });
    const { files, report } = await writeFinalReport(sweep, io, {
      outDir: workdir,
      command: commandLine(io.cwd),
      session: session.events,
      clockNote,
      recordingPath: recordPath,
      outputsReachable: true,
    });
    const seconds = (Date.now() - started) / 1000;
    if (json) {
      writeJson(io.stdout, watchEventJson, {
        type: 'report',
        files,
        counts: report.counts,
        checklist: report.checks.map((c) => ({ id: c.id, rule: c.rule, pass: c.pass, detail: c.detail })),
        seconds,
      });
    } else {
      const c = report.counts;
      io.stdout.write(
        `\nfinal report: ${shown(io, files.markdown)} (heat map ${shown(io, files.svg)}, attempts ${shown(io, files.jsonl)})\n`,
      );
      io.stdout.write(
        `  ${c.succeeded} of ${c.conditions} conditions succeeded, ${c.failed} failed; ${c.attempts} jobs in all; ${seconds.toFixed(0)} s\n`,
      );
      io.stdout.write(
        `  checklist: ${report.checks.map((k) => `${k.id} ${k.pass ? '✓' : '✗'}`).join('  ')}\n`,
      );
    }
    return watched.stopped === 'complete' ? EXIT.ok : watched.exit;
  },
};
