/**
 * The sweep's status as terminal text: a block that redraws in place on a TTY (header, progress
 * bar of terminal/total, counts, root causes, concentrations, the decision), and a single line
 * per tick for logs and pipes. Built from an Outcome, so `status`, `tick` and `watch` agree.
 */
import type { Outcome } from '../core/outcome.js';

export interface StatusSource {
  readonly experiment: string;
  readonly outcome: Pick<
    Outcome,
    'decision' | 'reason' | 'health' | 'counts' | 'groups' | 'concentration' | 'relaunchCycle'
  > & { readonly reasonCode: string };
  readonly maxCycles: number;
  /** Shown while watching. */
  readonly tick?: number;
  readonly at?: string;
  readonly nextPollSeconds?: number;
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  red: '\u001b[31m',
};
const BAND_COLOR: Readonly<Record<string, string>> = {
  healthy: ANSI.green,
  degraded: ANSI.yellow,
  systemic: ANSI.red,
};
const MAX_CAUSES = 6;

export function progressBar(done: number, total: number, width: number): string {
  const share = total === 0 ? 0 : Math.min(1, done / total);
  const full = Math.round(share * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

function time(at: string | undefined): string {
  return at === undefined ? '' : (/T(\d\d:\d\d:\d\d)/.exec(at)?.[1] ?? at);
}

function crop(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

/** The block, one string per line, at most `width` columns (so cursor-up redraws stay exact). */
export function statusLines(
  s: StatusSource,
  options: { readonly color: boolean; readonly width: number },
): string[] {
  const o = s.outcome;
  const c = o.counts;
  const terminal = c.total - c.live;
  const head = [
    `sweepwatch · ${s.experiment}`,
    `cycle ${o.relaunchCycle}/${s.maxCycles}`,
    ...(s.tick === undefined ? [] : [`tick ${s.tick}`]),
    ...(s.at === undefined ? [] : [time(s.at)]),
  ].join(' · ');
  const lines = [
    head,
    `${progressBar(terminal, c.total, 30)} ${terminal}/${c.total} terminal`,
    `  succeeded ${c.succeeded}   failed ${c.failed}   running ${c.running}   pending ${c.pending}${c.unknown > 0 ? `   unknown ${c.unknown}` : ''}   cancelled ${c.cancelled}`,
    `  health    ${o.health.band}: ${o.health.reason}`,
    `  decision  ${o.decision} (${o.reasonCode}): ${o.reason}`,
  ];
  if (o.groups.length > 0) {
    lines.push('  root causes');
    for (const g of o.groups.slice(0, MAX_CAUSES)) {
      lines.push(
        `    ${g.rootCause.padEnd(20)} ${String(g.count).padStart(4)}  ${`${Math.round(100 * g.share)} %`.padStart(5)}  ${g.action}`,
      );
    }
    if (o.groups.length > MAX_CAUSES) lines.push(`    … ${o.groups.length - MAX_CAUSES} more`);
  }
  for (const k of o.concentration) if (k.line !== undefined) lines.push(`  ⚑ ${k.line}`);
  if (s.nextPollSeconds !== undefined) lines.push(`  next poll in ${s.nextPollSeconds} s`);
  const cropped = lines.map((l) => crop(l, options.width));
  if (!options.color) return cropped;
  const band = BAND_COLOR[o.health.band] ?? '';
  return cropped.map((l, i) => {
    if (i === 0) return `${ANSI.bold}${l}${ANSI.reset}`;
    if (i === 1) return l.replace(/^\[[█░]+\]/, (bar) => `${band}${bar}${ANSI.reset}`);
    return l.replace(
      /^( {2}health {4})(\w+)/,
      (_m, pre: string, word: string) => `${pre}${band}${word}${ANSI.reset}`,
    );
  });
}

/** One line per tick, for a log file or a pipe. */
export function statusLine(s: StatusSource): string {
  const o = s.outcome;
  const c = o.counts;
  const parts = [
    `${time(s.at) || s.experiment}`,
    `${c.total - c.live}/${c.total} terminal (${c.succeeded} ok, ${c.failed} failed, ${c.running} running, ${c.pending} pending)`,
    `cycle ${o.relaunchCycle}/${s.maxCycles}`,
    o.health.band,
    `${o.decision} (${o.reasonCode})`,
  ];
  if (s.nextPollSeconds !== undefined) parts.push(`next poll ${s.nextPollSeconds} s`);
  return `${s.tick === undefined ? '' : `tick ${s.tick} · `}${parts.join(' · ')}`;
}
