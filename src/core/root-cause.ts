import { ownText } from './own-text.js';
import { ALL_RULES, HEALTHY_RULES, TIER } from './rules/index.js';
import type { Hit, RuleSet } from './rules/scan.js';
import { judgeState, type StateVerdict } from './rules/states.js';
import { signatureOf } from './signature.js';
import type { Classification, ClassifyInput, RootCause } from './types.js';

/**
 * The root-cause classifier: one attempt's scheduler state, exit status and log tail in, one
 * root-cause id out. The log is read by the rule library (./rules); this file only weighs the
 * three witnesses against each other, following docs/root-causes.md:
 *
 * 1. A completed or running job is `none` unless an external kill left its mark (oom-kill).
 * 2. A state that means "the job never ran properly" (no resources, controller failure) wins.
 * 3. A specific cause in the log beats the state and the exit code (evidence beats the code).
 * 4. A decisive state (OUT_OF_MEMORY, TIMEOUT, PREEMPTED, NODE_FAIL) beats weaker log lines.
 * 5. Any failure in the log beats a cancellation; a cancellation beats the exit code.
 * 6. A crash signal in the exit code; SkyPilot's FAILED_SETUP; launcher echoes; else unknown.
 */

/** An exit status as the contract carries it: `"137:0"` (Slurm code:signal), a number, or null. */
export interface ExitStatusFacts {
  readonly code: number | null;
  readonly signal: number | null;
}

const NO_EXIT: ExitStatusFacts = { code: null, signal: null };
const EXIT_FORM = /^\s*(-?\d+)(?::(\d+))?\s*$/;

/** Parses the contract's exit_code; null when the value has none of the accepted forms. */
export function parseExitCode(value: string | number | null): ExitStatusFacts | null {
  if (value === null) return NO_EXIT;
  let code: number;
  let signal: number | null = null;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return null;
    code = value;
  } else {
    const match = EXIT_FORM.exec(value);
    if (match === null) return null;
    code = Number(match[1]);
    signal = match[2] === undefined || Number(match[2]) === 0 ? null : Number(match[2]);
  }
  // Python reports death by signal as a negative code; shells as 128 + signal.
  if (code < 0) return { code: null, signal: -code };
  if (signal === null && code > 128 && code <= 192) return { code, signal: code - 128 };
  return { code, signal };
}

const CRASH_SIGNALS: Readonly<Record<number, string>> = {
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  11: 'SIGSEGV',
};

const MAX_EVIDENCE_LINE = 300;
const UNKNOWN_TAIL = 3;

/** The last `count` non-blank lines, in order, clipped like evidence. */
function lastLines(log: string, count: number): string[] {
  const lines: string[] = [];
  let end = log.length;
  while (end > 0 && lines.length < count) {
    const start = log.lastIndexOf('\n', end - 1) + 1;
    // Clipped at its end: of a tqdm line redrawn with \r, the last state is the one that counts.
    const raw = log.slice(start, end).replace(/\r$/, '');
    const line = clip(raw, Math.max(0, raw.length - 1));
    if (line !== '') lines.unshift(line);
    end = start - 1;
  }
  return lines;
}

function verdict(
  rootCause: RootCause,
  confidence: number,
  rule: string,
  evidence: readonly string[],
): Classification {
  // A line cut from the log would keep the whole log alive in the manifest (own-text.ts).
  const lines = evidence.map(ownText);
  return { rootCause, confidence, signature: signatureOf(rootCause, lines), evidence: lines, rule };
}

/** The claimed line (trimmed around the match when long) plus the lines the rule keeps after it. */
function evidenceOf(hit: Hit, log: string): string[] {
  const lines = [clip(hit.line, hit.matchIndex)];
  let at = hit.lineEnd;
  for (let kept = 0; kept < (hit.rule.keepAfter ?? 0) && at < log.length; ) {
    const next = log.indexOf('\n', at + 1);
    const line = log.slice(at + 1, next < 0 ? log.length : next).trim();
    at = next < 0 ? log.length : next;
    if (line !== '') {
      lines.push(clip(line, 0));
      kept++;
    }
  }
  return lines;
}

function clip(line: string, matchIndex: number): string {
  // tqdm redraws with \r: keep the segment that holds the match.
  const segmentStart = line.lastIndexOf('\r', matchIndex) + 1;
  const segmentEnd = line.indexOf('\r', matchIndex);
  const segment = line.slice(segmentStart, segmentEnd < 0 ? line.length : segmentEnd);
  const at = matchIndex - segmentStart;
  const text = segment.length <= MAX_EVIDENCE_LINE ? segment : segment.slice(Math.max(0, at - 60), at + 240);
  return text.trim();
}

function fromHit(hit: Hit, log: string): Classification {
  return verdict(hit.rule.rootCause, hit.rule.confidence, hit.rule.id, evidenceOf(hit, log));
}

function stateFact(state: StateVerdict, raw: string | null): string {
  return `scheduler_state: ${raw?.trim() ?? state.name ?? 'null'}`;
}

function fromState(state: StateVerdict, raw: string | null, rootCause: RootCause, confidence: number) {
  const name = (state.name ?? 'unknown').toLowerCase();
  return verdict(rootCause, confidence, `state.${name}`, [stateFact(state, raw)]);
}

const STATE_CONFIDENCE = { authoritative: 0.95, decisive: 0.9, weak: 0.85 } as const;

function exitVerdict(exit: ExitStatusFacts, raw: string | number | null, echo: Hit | null) {
  if (exit.signal === null) return null;
  const name = CRASH_SIGNALS[exit.signal];
  if (name !== undefined) {
    return verdict('crash', 0.7, `exit.${name.toLowerCase()}`, [`exit_code: ${raw} (${name})`]);
  }
  // SIGKILL alone could be scancel's second signal; with a `Killed` report it is the OOM killer.
  if (exit.signal === 9 && echo?.rule.rootCause === 'host_oom') {
    return verdict('host_oom', 0.7, 'exit.sigkill', [`exit_code: ${raw} (SIGKILL)`, echo.line.trim()]);
  }
  return null;
}

/** The two scans classify() runs: every rule for failures, external kills for healthy jobs. */
export interface RuleScans {
  readonly all: Pick<RuleSet, 'scan'>;
  readonly healthy: Pick<RuleSet, 'scan'>;
}

const LIBRARY: RuleScans = { all: ALL_RULES, healthy: HEALTHY_RULES };

/** `rules`: the library's, unless a test holds another engine to the same verdicts. */
export function classify(input: ClassifyInput, rules: RuleScans = LIBRARY): Classification {
  const state = judgeState(input.schedulerState);
  const exit = parseExitCode(input.exitCode) ?? NO_EXIT;
  const succeeded = state.kind === 'unknown' && exit.code === 0 && exit.signal === null;
  if (state.kind === 'healthy' || succeeded) {
    const kill = rules.healthy.scan(input.log);
    if (kill !== null) return fromHit(kill, input.log);
    const fact = succeeded ? `exit_code: ${input.exitCode}` : stateFact(state, input.schedulerState);
    return verdict('none', succeeded ? 0.8 : 0.9, 'none.healthy', [fact]);
  }

  const hit = rules.all.scan(input.log);
  const stated = state.rootCause;
  if (state.kind === 'authoritative' && stated !== null) {
    return fromState(state, input.schedulerState, stated, STATE_CONFIDENCE.authoritative);
  }
  if (hit !== null && hit.rule.tier === TIER.cause) return fromHit(hit, input.log);
  if (state.kind === 'decisive' && stated !== null) {
    return fromState(state, input.schedulerState, stated, STATE_CONFIDENCE.decisive);
  }
  if (hit !== null && hit.rule.tier >= TIER.generic) return fromHit(hit, input.log);
  if (state.kind === 'weak' && stated !== null) {
    return fromState(state, input.schedulerState, stated, STATE_CONFIDENCE.weak);
  }
  const bySignal = exitVerdict(exit, input.exitCode, hit);
  if (bySignal !== null) return bySignal;
  if (state.kind === 'setup') {
    return fromState(state, input.schedulerState, 'env_import', 0.5);
  }
  if (hit !== null) return fromHit(hit, input.log);
  // The last words of the log are what clustering and signatures of unknowns need most.
  const tail = lastLines(input.log, UNKNOWN_TAIL);
  const facts = [stateFact(state, input.schedulerState), `exit_code: ${input.exitCode}`];
  return verdict('unknown', 0.2, 'unknown.no_evidence', tail.length > 0 ? tail : facts);
}
