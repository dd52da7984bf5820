import type { Policy, RootCauseAction } from './policy.js';
import type { AttemptStatus, CurrentCondition, SweepSnapshot } from './snapshot.js';
import {
  currentConditions,
  effectiveCause,
  effectiveSignature,
  hasInvalidOutputs,
  toEpochMs,
} from './snapshot.js';
import type { JobState, RootCause } from './types.js';

/**
 * Aggregate before you fix: one group per (root cause, signature) over the current attempts,
 * so one bug that failed forty jobs reads as one line with forty job ids, not forty lines.
 */

export interface StateCounts {
  readonly total: number;
  readonly pending: number;
  readonly running: number;
  /** UNKNOWN observations: non-terminal, never failures. */
  readonly unknown: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Cancelled by a person (or by sweepwatch): shown, never a failure of the code. */
  readonly cancelled: number;
  readonly revoked: number;
  readonly live: number;
  /**
   * The denominator of every failure share: terminal attempts that ran to their own end
   * (succeeded + failed). Cancelled and revoked are left out so that a person cancelling half
   * the sweep neither hides nor inflates the failure rate of what did run.
   */
  readonly terminal: number;
  readonly invalidOutputs: number;
  /** Raw scheduler states of the current attempts. */
  readonly byState: Readonly<Partial<Record<JobState, number>>>;
}

export interface FailureGroup {
  /** `${rootCause}|${signature}` */
  readonly key: string;
  readonly rootCause: RootCause;
  readonly signature: string;
  readonly jobIds: readonly string[];
  readonly conditionIds: readonly string[];
  readonly count: number;
  /** count / terminal (see StateCounts.terminal); 0 when nothing is terminal. */
  readonly share: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Up to MAX_EVIDENCE distinct lines, most frequent first. */
  readonly evidence: readonly string[];
  readonly affectedFiles: readonly string[];
  readonly action: RootCauseAction;
  /** Mean classifier confidence; unclassified attempts count as 0. */
  readonly confidence: number;
}

export interface Aggregation {
  readonly counts: StateCounts;
  /** Largest first, then by key, so the order is stable across ticks. */
  readonly groups: readonly FailureGroup[];
}

const MAX_EVIDENCE = 5;
const STATUS_KEYS: readonly AttemptStatus[] = [
  'pending',
  'running',
  'unknown',
  'succeeded',
  'failed',
  'cancelled',
  'revoked',
];

export function countStates(current: readonly CurrentCondition[]): StateCounts {
  const tally = new StateTally();
  for (const c of current) tally.add(c.status, c.attempt.state, hasInvalidOutputs(c));
  return tally.counts();
}

/** Counts one current attempt at a time (for callers that have no CurrentCondition to hand). */
export class StateTally {
  private readonly byStatus = new Map<AttemptStatus, number>(STATUS_KEYS.map((s) => [s, 0]));
  private readonly byState: Partial<Record<JobState, number>> = {};
  private total = 0;
  private invalidOutputs = 0;

  add(status: AttemptStatus, state: JobState, invalidOutputs: boolean): void {
    this.total++;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    this.byState[state] = (this.byState[state] ?? 0) + 1;
    if (invalidOutputs) this.invalidOutputs++;
  }

  counts(): StateCounts {
    const n = (s: AttemptStatus): number => this.byStatus.get(s) ?? 0;
    return {
      total: this.total,
      pending: n('pending'),
      running: n('running'),
      unknown: n('unknown'),
      succeeded: n('succeeded'),
      failed: n('failed'),
      cancelled: n('cancelled'),
      revoked: n('revoked'),
      live: n('pending') + n('running') + n('unknown'),
      terminal: n('succeeded') + n('failed'),
      invalidOutputs: this.invalidOutputs,
      byState: { ...this.byState },
    };
  }
}

// `File "/home/me/proj/train.py", line 42, in main` — CPython's traceback frame line.
const FRAME = /File "([^"]+)", line \d+/g;
// Frames in installed packages or the interpreter are not the user's code.
const NOT_USER_CODE = /(?:[/\\](?:site-packages|dist-packages)[/\\])|(?:[/\\]lib[/\\]python\d)|^<[^>]*>$/;

/** Files of the user's code named by Python traceback frames, in order of first appearance. */
export function affectedFilesFromEvidence(lines: readonly string[]): string[] {
  const files: string[] = [];
  for (const line of lines) {
    for (const match of line.matchAll(FRAME)) {
      const file = match[1];
      if (file !== undefined && !NOT_USER_CODE.test(file) && !files.includes(file)) files.push(file);
    }
  }
  return files;
}

interface GroupBuilder {
  readonly rootCause: RootCause;
  readonly signature: string;
  readonly members: CurrentCondition[];
}

export function aggregateFailures(snapshot: SweepSnapshot, policy: Policy): Aggregation {
  const current = currentConditions(snapshot);
  const counts = countStates(current);
  const builders = new Map<string, GroupBuilder>();
  for (const c of current) {
    if (c.status !== 'failed') continue;
    const rootCause = effectiveCause(c.attempt);
    const signature = effectiveSignature(c.attempt);
    const key = `${rootCause}|${signature}`;
    const builder = builders.get(key) ?? { rootCause, signature, members: [] };
    builder.members.push(c);
    builders.set(key, builder);
  }
  const groups = [...builders.entries()].map(([key, b]) => buildGroup(key, b, counts.terminal, policy));
  groups.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  return { counts, groups };
}

function buildGroup(key: string, b: GroupBuilder, terminal: number, policy: Policy): FailureGroup {
  // Each time parsed once, not twice per comparison: a group can hold tens of thousands.
  const timed: { readonly at: string; readonly ms: number }[] = [];
  for (const m of b.members) {
    const at = m.attempt.endedAt;
    const ms = at === undefined ? Number.NaN : toEpochMs(at);
    if (at !== undefined && Number.isFinite(ms)) timed.push({ at, ms });
  }
  const ends = timed.sort((x, y) => x.ms - y.ms).map((t) => t.at);
  const evidenceLines = b.members.flatMap((m) => m.attempt.classification?.evidence ?? []);
  const files: string[] = [];
  for (const m of b.members) {
    const own = m.attempt.classification?.affectedFiles ?? [];
    for (const f of [...own, ...affectedFilesFromEvidence(m.attempt.classification?.evidence ?? [])]) {
      if (!files.includes(f)) files.push(f);
    }
  }
  const confidence =
    b.members.reduce((sum, m) => sum + (m.attempt.classification?.confidence ?? 0), 0) / b.members.length;
  const first = ends[0];
  const last = ends[ends.length - 1];
  return {
    key,
    rootCause: b.rootCause,
    signature: b.signature,
    jobIds: b.members.map((m) => m.attempt.jobId),
    conditionIds: b.members.map((m) => m.condition.id),
    count: b.members.length,
    share: terminal > 0 ? b.members.length / terminal : 0,
    ...(first !== undefined ? { firstSeen: first } : {}),
    ...(last !== undefined ? { lastSeen: last } : {}),
    evidence: representativeLines(evidenceLines),
    affectedFiles: files,
    action: policy.actions[b.rootCause],
    confidence,
  };
}

/** The most frequent distinct lines first: what most members of the group actually printed. */
function representativeLines(lines: readonly string[]): string[] {
  const freq = new Map<string, number>();
  for (const line of lines) freq.set(line, (freq.get(line) ?? 0) + 1);
  return [...freq.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_EVIDENCE)
    .map(([line]) => line);
}

/** Failures per root cause (all signatures together), largest first. */
export function failuresByCause(groups: readonly FailureGroup[]): Map<RootCause, number> {
  const byCause = new Map<RootCause, number>();
  for (const g of groups) byCause.set(g.rootCause, (byCause.get(g.rootCause) ?? 0) + g.count);
  return new Map([...byCause.entries()].sort((a, b) => b[1] - a[1]));
}
