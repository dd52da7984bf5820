/**
 * Watching, patiently: tick at the cadence each tick recommends (`nextPollSeconds`, divided by
 * `speed` for demos and tests), run the relaunches the ticks plan, and stop only when every
 * job is terminal and nothing more is planned. A tick that cannot observe the cluster or
 * loses a save race is retried at the next poll; only a broken sweep (manifest, config) stops
 * the watch. Ctrl-C stops watching, never the jobs.
 */
import { SchedulerError } from '../ports/scheduler.js';
import { StateConflictError } from '../ports/state-store.js';
import { TransportError } from '../ports/transport.js';
import type { CliIo } from './commands.js';
import type { Sweep } from './context.js';
import { EXIT, type ExitCode } from './errors.js';
import { watchEventJson, writeJson } from './json-output.js';
import { LiveDisplay } from './live-display.js';
import { type StatusSource, statusLine, statusLines } from './status-view.js';
import { stepEvents } from './tick-events.js';
import type { TickSession, TickStep } from './tick-session.js';
import { tickStepJson } from './to-json.js';

export interface WatchOptions {
  /** Poll intervals are divided by this (demos, tests); 1 is the policy's cadence. */
  readonly speed: number;
  readonly maxTicks: number | null;
  readonly json: boolean;
  readonly tty: boolean;
  readonly width: number;
  readonly issuePath: (n: number) => string;
  /** The session runs the relaunches it plans (false: --no-relaunch). */
  readonly relaunching: boolean;
}

export type Stopped = 'complete' | 'max_ticks' | 'interrupted' | 'relaunch_planned';

export interface WatchOutcome {
  readonly ticks: number;
  readonly last: TickStep | null;
  readonly stopped: Stopped;
  readonly exit: ExitCode;
}

export function bandExit(band: string): ExitCode {
  return band === 'systemic' ? EXIT.systemic : band === 'degraded' ? EXIT.degraded : EXIT.ok;
}

function transient(error: unknown): boolean {
  return (
    error instanceof TransportError || error instanceof SchedulerError || error instanceof StateConflictError
  );
}

/** What a finished tick means for the watch: go on, or stop (and why). */
function verdict(step: TickStep, runsRelaunches: boolean): Stopped | null {
  const r = step.result;
  if (step.relaunches.some((x) => x.submitted.length > 0) || r.counts.live > 0) return null;
  const plan = r.relaunchPlan;
  const planned =
    plan !== null && plan.refused === undefined && plan.relaunch.length + plan.deferred.length > 0;
  return planned && !runsRelaunches ? 'relaunch_planned' : 'complete';
}

export async function watchSweep(
  session: TickSession,
  sweep: Sweep,
  io: CliIo,
  options: WatchOptions,
): Promise<WatchOutcome> {
  const display = new LiveDisplay(io.stdout, options.tty && !options.json);
  const experiment = sweep.config.experiment;
  let interrupted = false;
  let wake: () => void = () => {};
  const onInterrupt = (): void => {
    interrupted = true;
    wake();
  };
  process.on('SIGINT', onInterrupt);
  const sleep = (seconds: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, Math.max(200, (seconds * 1000) / options.speed));
      wake = () => {
        clearTimeout(timer);
        done();
      };
    });
  let last: TickStep | null = null;
  let ticks = 0;
  /** Concentration lines already shown: each pattern is announced once, when it first holds. */
  const patterns = new Set<string>();
  let stopped: Stopped = 'complete';
  try {
    for (;;) {
      if (interrupted) {
        stopped = 'interrupted';
        break;
      }
      let step: TickStep;
      try {
        step = await session.step();
      } catch (error) {
        if (!transient(error)) throw error;
        display.event(
          `⚠ tick failed (${error instanceof Error ? error.message : String(error)}); trying again`,
        );
        await sleep(sweep.config.policy.cadence.degraded[1]);
        continue;
      }
      ticks++;
      last = step;
      show(display, io.stdout, step, ticks, sweep, options, patterns);
      // Without auto_relaunch (and no --approve), or with --no-relaunch, a plan waits for a person.
      const runs =
        options.relaunching && (sweep.config.policy.autoRelaunch || step.result.actions.dispatch !== null);
      const done = verdict(step, runs);
      if (done !== null) {
        stopped = done;
        break;
      }
      if (options.maxTicks !== null && ticks >= options.maxTicks) {
        stopped = 'max_ticks';
        break;
      }
      const relaunched = step.relaunches.some((x) => x.submitted.length > 0);
      await sleep(relaunched ? sweep.config.policy.cadence.pendingOnly[0] : step.result.nextPollSeconds);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    display.finish();
  }
  const band = last?.result.health.band ?? 'healthy';
  const exit = bandExit(band);
  if (options.json) {
    writeJson(io.stdout, watchEventJson, {
      type: 'done',
      experiment,
      ticks,
      stopped,
      band,
      decision: last?.result.decision ?? 'no-intervention',
      reason_code: last?.result.reasonCode ?? 'empty_sweep',
      exit_code: exit,
    });
  } else {
    io.stdout.write(`${closing(stopped, last)}\n`);
  }
  return { ticks, last, stopped, exit };
}

function show(
  display: LiveDisplay,
  out: NodeJS.WritableStream,
  step: TickStep,
  tick: number,
  sweep: Sweep,
  options: WatchOptions,
  patterns: Set<string>,
): void {
  const experiment = sweep.config.experiment;
  if (options.json) {
    writeJson(out, watchEventJson, { type: 'tick', tick, ...tickStepJson(experiment, step) });
    return;
  }
  for (const line of stepEvents(step, options.issuePath)) display.event(line);
  for (const c of step.result.concentration) {
    // Keyed by what and where, not by the counts, which grow as more jobs end.
    const key = `${c.target}@${(c.headline?.levels ?? []).map((l) => `${l.factor}=${l.level}`).join('&')}`;
    if (c.line === undefined || patterns.has(key)) continue;
    patterns.add(key);
    display.event(`⚑ ${c.line}`);
  }
  const source: StatusSource = {
    experiment,
    outcome: step.result,
    maxCycles: sweep.config.policy.maxRelaunchCycles,
    tick,
    at: step.at,
    nextPollSeconds: Math.max(0.2, step.result.nextPollSeconds / options.speed),
  };
  display.status(statusLines(source, { color: display.tty, width: options.width }), statusLine(source));
}

function closing(stopped: Stopped, last: TickStep | null): string {
  const r = last?.result;
  const where = r === undefined ? '' : ` · ${r.health.band} · ${r.decision} (${r.reasonCode})`;
  switch (stopped) {
    case 'complete':
      return `done: every job is terminal and nothing more is planned${where}`;
    case 'relaunch_planned':
      return `stopped: every job is terminal; a relaunch is planned but not run here (auto_relaunch off, or --no-relaunch): run \`sweepwatch relaunch\`${where}`;
    case 'max_ticks':
      return `stopped after the last allowed tick; the jobs keep running (run \`sweepwatch watch\` again)${where}`;
    case 'interrupted':
      return `stopped watching; the jobs keep running (run \`sweepwatch watch\` to resume)${where}`;
  }
}
