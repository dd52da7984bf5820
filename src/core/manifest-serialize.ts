/**
 * Manifest → file text. The layout is made for diffs: one top-level field per line, and one
 * line per condition, cycle, decision and failure, so a tick that changes three jobs changes
 * three lines. The text is plain JSON (JSON.parse reads it) and always ends with "}\n", which
 * is how parseManifest tells a truncated file from a corrupt one.
 */
import { fnv1aHex } from './conditions.js';
import {
  type Attempt,
  type AttemptClassification,
  elapsedFromTimes,
  type Manifest,
} from './manifest-model.js';
import type { WireAttempt, WireCondition, WireFailure, WireManifest } from './manifest-wire.js';

const evidenceKey = (evidence: readonly string[]) => JSON.stringify(evidence);

/** The most frequent value (the first seen among equals), or null for none. */
function mode<T>(values: Iterable<T>, keyOf: (v: T) => string): T | null {
  const counts = new Map<string, { value: T; count: number }>();
  let best: { value: T; count: number } | null = null;
  for (const value of values) {
    const key = keyOf(value);
    const entry = counts.get(key) ?? { value, count: 0 };
    entry.count++;
    counts.set(key, entry);
    if (best === null || entry.count > best.count) best = entry;
  }
  return best?.value ?? null;
}

/**
 * Interns (root cause, signature) pairs under a hash key, stable across runs so that a new
 * failure does not renumber the others. Each failure keeps its commonest evidence and
 * confidence; an attempt repeats them only when its own differ.
 */
class FailureTable {
  readonly entries: Record<string, WireFailure> = {};

  constructor(manifest: Manifest) {
    const groups = new Map<string, AttemptClassification[]>();
    for (const c of manifest.conditions) {
      for (const a of c.attempts) {
        if (a.classification === null) continue;
        const identity = `${a.classification.rootCause}\n${a.classification.signature}`;
        const group = groups.get(identity);
        if (group === undefined) groups.set(identity, [a.classification]);
        else group.push(a.classification);
      }
    }
    for (const [identity, group] of groups) {
      let salt = 0;
      let key = fnv1aHex(identity);
      while (Object.hasOwn(this.entries, key)) key = fnv1aHex(`${identity}\n${++salt}`);
      this.keys.set(identity, key);
      const first = group[0];
      if (first === undefined) continue;
      this.entries[key] = {
        cause: first.rootCause,
        sig: first.signature,
        conf:
          mode(
            group.map((k) => k.confidence),
            String,
          ) ?? first.confidence,
        ev: [
          ...(mode(
            group.map((k) => k.evidence),
            evidenceKey,
          ) ?? first.evidence),
        ],
      };
    }
  }

  private readonly keys = new Map<string, string>();

  key(c: AttemptClassification): string {
    return this.keys.get(`${c.rootCause}\n${c.signature}`) ?? '';
  }
}

/**
 * The log path of a job from the manifest's log pattern, where `%x` and `%j` are Slurm's own
 * file-name patterns for the job name and the job id. The pattern is cut at its tokens once: a
 * load and a save expand it for every attempt (100,000 regex replacements with a callback cost
 * ~50 ms, joining the pieces ~17). join() makes one flat string, as the replacement did, not a
 * chain of concatenations.
 */
export function logPathMaker(pattern: string): (jobName: string, jobId: string) => string {
  const pieces: string[] = [];
  const isName: boolean[] = [];
  let last = 0;
  for (const token of pattern.matchAll(/%x|%j/g)) {
    pieces.push(pattern.slice(last, token.index), '');
    isName.push(token[0] === '%x');
    last = token.index + token[0].length;
  }
  pieces.push(pattern.slice(last));
  if (isName.length === 0) return () => pattern;
  return (jobName, jobId) => {
    for (let i = 0; i < isName.length; i++) pieces[2 * i + 1] = isName[i] ? jobName : jobId;
    return pieces.join('');
  };
}

/** Every `from` in `text` replaced by `to`: split/join's answer (also for an empty `from`). */
function replaced(text: string, from: string, to: string): string {
  return from === '' ? text.split(from).join(to) : text.replaceAll(from, to);
}

/** The commonest pattern of the attempts' logs (their job name → %x, then their job id → %j). */
function logPattern(m: Manifest): string | null {
  const patterns: string[] = [];
  for (const c of m.conditions) {
    for (const a of c.attempts) {
      if (a.jobId !== null && a.stdoutPath !== null)
        patterns.push(replaced(replaced(a.stdoutPath, c.jobName, '%x'), a.jobId, '%j'));
    }
  }
  return mode(patterns, (p) => p);
}

interface AttemptContext {
  readonly index: number;
  readonly jobName: string;
  readonly cycleTimes: readonly string[];
  readonly failures: FailureTable;
  /** The log pattern's expansion, null without one. */
  readonly logPath: ((jobName: string, jobId: string) => string) | null;
}

function encodeAttempt(a: Attempt, ctx: AttemptContext): WireAttempt {
  const { jobName, failures, logPath } = ctx;
  const w: WireAttempt = {};
  if (a.cycle !== ctx.index) w.cycle = a.cycle;
  if (a.submittedAt !== ctx.cycleTimes[a.cycle]) w.submitted = a.submittedAt;
  if (a.phase !== 'submitted') w.phase = a.phase;
  if (a.jobId !== null) w.job = a.jobId;
  if (a.startedAt !== null) w.started = a.startedAt;
  if (a.endedAt !== null) w.ended = a.endedAt;
  if (a.state !== null) w.state = a.state;
  if (a.rawState !== (a.state ?? null)) w.raw = a.rawState;
  if (a.reason !== null) w.reason = a.reason;
  if (a.exit !== null)
    w.exit = a.exit.signal === null && a.exit.code !== null ? a.exit.code : [a.exit.code, a.exit.signal];
  if (a.classification !== null) {
    w.fail = failures.key(a.classification);
    const common = failures.entries[w.fail];
    if (evidenceKey(common?.ev ?? []) !== evidenceKey(a.classification.evidence))
      w.ev = [...a.classification.evidence];
    if (common?.conf !== a.classification.confidence) w.conf = a.classification.confidence;
  }
  if (a.requested !== null) {
    w.req = {};
    if (a.requested.memoryMb !== null) w.req.mem_mb = a.requested.memoryMb;
    if (a.requested.timeMinutes !== null) w.req.time_min = a.requested.timeMinutes;
  }
  if (a.used !== null) {
    w.used = {};
    if (a.used.elapsedSeconds !== elapsedFromTimes(a.startedAt, a.endedAt))
      w.used.elapsed_s = a.used.elapsedSeconds;
    if (a.used.maxRssMb !== null) w.used.max_rss_mb = a.used.maxRssMb;
    if (a.used.nodes !== null) w.used.nodes = a.used.nodes;
    if (a.used.restarts !== null) w.used.restarts = a.used.restarts;
  }
  const implied = logPath === null || a.jobId === null ? null : logPath(jobName, a.jobId);
  if (a.stdoutPath !== implied) w.out = a.stdoutPath;
  if (a.stderrPath !== a.stdoutPath) w.err = a.stderrPath;
  if (a.submitError !== null) w.error = a.submitError;
  if (a.image !== null) w.img = a.image;
  if (a.observedAt !== null) w.seen = a.observedAt;
  if (a.staleSince !== null) w.stale = a.staleSince;
  return w;
}

/** The schema-2 wire object of a manifest (what the file holds). */
export function encodeManifest(m: Manifest): WireManifest {
  const failures = new FailureTable(m);
  const pattern = logPattern(m);
  const logPath = pattern === null ? null : logPathMaker(pattern);
  const cycleTimes = m.cycles.map((c) => c.at);
  const conditions = m.conditions.map(
    (c): WireCondition => ({
      id: c.id,
      job: c.jobName,
      attempts: c.attempts.map((a, index) =>
        encodeAttempt(a, { index, jobName: c.jobName, cycleTimes, failures, logPath }),
      ),
    }),
  );
  return {
    schema_version: m.schemaVersion,
    experiment: m.experiment,
    sweep_digest: m.sweepDigest,
    created_at: m.createdAt,
    observed_at: m.observedAt,
    paused: m.paused,
    log_pattern: pattern,
    factors: m.factors.map((f) => ({ name: f.name, levels: [...f.levels] })),
    cycles: m.cycles.map((c) => ({
      cycle: c.cycle,
      digest: c.digest,
      reason: c.reason,
      requested_by: c.requestedBy,
      at: c.at,
    })),
    issues: { ...m.issues },
    ...(m.dashboardIssue !== undefined ? { dashboard_issue: m.dashboardIssue } : {}),
    decisions: m.decisions.map((d) => ({
      at: d.at,
      decision: d.decision,
      band: d.band,
      reason_code: d.reasonCode,
      ...(d.note === null ? {} : { note: d.note }),
    })),
    failures: failures.entries,
    conditions,
  };
}

function lines(items: readonly unknown[]): string {
  return items.length === 0 ? '[]' : `[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]`;
}

function entryLines(record: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(record);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n')}\n}`;
}

/** The file text: JSON with one record per line (see the module comment). */
export function serializeManifest(m: Manifest): string {
  const w = encodeManifest(m);
  const fields: [keyof WireManifest, string][] = [
    ['schema_version', JSON.stringify(w.schema_version)],
    ['experiment', JSON.stringify(w.experiment)],
    ['sweep_digest', JSON.stringify(w.sweep_digest)],
    ['created_at', JSON.stringify(w.created_at)],
    ['observed_at', JSON.stringify(w.observed_at)],
    ['paused', JSON.stringify(w.paused)],
    ['log_pattern', JSON.stringify(w.log_pattern)],
    ['factors', lines(w.factors)],
    ['cycles', lines(w.cycles)],
    ['issues', entryLines(w.issues)],
    // Only once known: a manifest without a dashboard keeps the text it had before the field.
    ...(w.dashboard_issue !== undefined
      ? [['dashboard_issue', JSON.stringify(w.dashboard_issue)] as [keyof WireManifest, string]]
      : []),
    ['decisions', lines(w.decisions)],
    ['failures', entryLines(w.failures)],
    ['conditions', lines(w.conditions)],
  ];
  return `{\n${fields.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',\n')}\n}\n`;
}
