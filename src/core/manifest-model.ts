/**
 * The factorial manifest in memory: which conditions exist, and for each its chain of attempts
 * (condition ↔ attempts ↔ job ids). Everything is readonly; manifest-transitions.ts returns new
 * manifests. The file format (manifest.ts, manifest-serialize.ts) is a separate, compact shape.
 */
import {
  type Condition,
  type ConditionId,
  conditionId,
  type FactorSpec,
  type LevelValue,
  levelText,
} from './conditions.js';
import type { Decision, ExitStatus, HealthBand, JobState, RootCause } from './types.js';

export const MANIFEST_SCHEMA_VERSION = 2;
/** Cycle 0 is the launch; 1 and 2 are relaunches. */
export const MAX_RELAUNCH_CYCLES = 2;
export const DECISION_HISTORY = 50;
/** Bounds that keep one attempt small (see the bytes-per-attempt test). */
export const EVIDENCE_MAX_LINES = 5;
export const TEXT_MAX_CHARS = 300;

/** submitting: sbatch/sky launch in flight (no job id yet); submit_failed: it never became a job. */
export type AttemptPhase = 'submitting' | 'submitted' | 'submit_failed';
export const ATTEMPT_PHASES = ['submitting', 'submitted', 'submit_failed'] as const;

export interface AttemptClassification {
  readonly rootCause: RootCause;
  readonly signature: string;
  /** 0..1, as the classifier reported it. */
  readonly confidence: number;
  readonly evidence: readonly string[];
}

/** What this attempt asked for when it differs from the template (escalated relaunches). */
export interface ResourcesRequested {
  readonly memoryMb: number | null;
  readonly timeMinutes: number | null;
}

export interface ResourcesUsed {
  readonly elapsedSeconds: number | null;
  readonly maxRssMb: number | null;
  readonly nodes: string | null;
  readonly restarts: number | null;
}

export interface Attempt {
  readonly cycle: number;
  readonly phase: AttemptPhase;
  /** null while submitting, and when the submission failed. */
  readonly jobId: string | null;
  /** When sweepwatch began submitting it. */
  readonly submittedAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** null until the scheduler has been observed reporting it. */
  readonly state: JobState | null;
  readonly rawState: string | null;
  readonly reason: string | null;
  readonly exit: ExitStatus | null;
  readonly classification: AttemptClassification | null;
  readonly requested: ResourcesRequested | null;
  readonly used: ResourcesUsed | null;
  readonly stdoutPath: string | null;
  readonly stderrPath: string | null;
  /** Why the submission failed (bounded), for submit_failed attempts. */
  readonly submitError: string | null;
  /**
   * The container image the job was launched with, when the scheduler pins one by digest
   * (SkyPilot's `image_id: docker:…@sha256:…`): the image of each launch, beside the cycle's
   * commit digest, for rebuild-before-relaunch.
   */
  readonly image: string | null;
  /**
   * When the recorded state last changed (or recovered from stale). A tick that sees no change
   * leaves it alone, so an unchanged job keeps an unchanged line; the tick time is
   * Manifest.observedAt.
   */
  readonly observedAt: string | null;
  /** Set when observing failed: the state above is the last known one, kept since this time. */
  readonly staleSince: string | null;
}

export interface ConditionRecord {
  readonly id: ConditionId;
  readonly jobName: string;
  readonly values: Readonly<Record<string, LevelValue>>;
  readonly attempts: readonly Attempt[];
}

/** One launch (cycle 0) or relaunch cycle (1, 2). */
export interface CycleRecord {
  readonly cycle: number;
  /** Image or commit digest the cycle ran. */
  readonly digest: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly at: string;
}

export interface DecisionRecord {
  readonly at: string;
  readonly decision: Decision;
  readonly band: HealthBand;
  readonly reasonCode: string;
  readonly note: string | null;
}

export interface Manifest {
  readonly schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  readonly experiment: string;
  /** Digest of the sweep file the conditions were expanded from. */
  readonly sweepDigest: string;
  readonly createdAt: string;
  /** The last tick that observed the scheduler. */
  readonly observedAt: string | null;
  readonly paused: boolean;
  /** Factor order (= id order) and every level some condition uses. */
  readonly factors: readonly FactorSpec[];
  readonly cycles: readonly CycleRecord[];
  /** The last DECISION_HISTORY tick decisions, oldest first. */
  readonly decisions: readonly DecisionRecord[];
  /** Issue number by root-cause fingerprint. */
  readonly issues: Readonly<Record<string, number>>;
  /**
   * The experiment's dashboard issue, once a tick has found it by its marker: later ticks write
   * it by number instead of listing issues to find it (one GitHub request per changed tick).
   */
  readonly dashboardIssue?: number;
  readonly conditions: readonly ConditionRecord[];
}

/** Points at one attempt: transitions and reports use it where no job id exists. */
export interface AttemptRef {
  readonly conditionId: ConditionId;
  readonly attempt: number;
}

export interface CreateManifestInput {
  readonly experiment: string;
  readonly sweepDigest: string;
  readonly factorNames: readonly string[];
  /** From expandConditions. */
  readonly conditions: readonly Condition[];
  /** The launch (cycle 0). */
  readonly launch: Omit<CycleRecord, 'cycle'>;
}

/** Each factor's levels in first-use order over the conditions (include may add levels). */
export function factorsOf(
  factorNames: readonly string[],
  conditions: readonly { values: Record<string, LevelValue> }[],
) {
  return factorNames.map((name): FactorSpec => {
    const levels = new Map<string, LevelValue>();
    for (const c of conditions) {
      const value = c.values[name];
      if (value !== undefined && !levels.has(levelText(value))) levels.set(levelText(value), value);
    }
    return { name, levels: [...levels.values()] };
  });
}

export function createManifest(input: CreateManifestInput): Manifest {
  for (const c of input.conditions) {
    if (conditionId(input.factorNames, c.values) !== c.id) {
      throw new Error(
        `createManifest: condition ${c.id} does not match factors ${input.factorNames.join(',')}`,
      );
    }
  }
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    experiment: input.experiment,
    sweepDigest: input.sweepDigest,
    createdAt: compactTime(input.launch.at),
    observedAt: null,
    paused: false,
    factors: factorsOf(input.factorNames, input.conditions),
    cycles: [{ cycle: 0, ...input.launch, at: compactTime(input.launch.at) }],
    decisions: [],
    issues: {},
    conditions: input.conditions.map((c) => ({
      id: c.id,
      jobName: c.jobName,
      values: c.values,
      attempts: [],
    })),
  };
}

export function latestAttempt(condition: ConditionRecord): Attempt | null {
  return condition.attempts.at(-1) ?? null;
}

/** The highest cycle recorded: 0 after the launch, 1 or 2 after relaunches. */
export function currentCycle(manifest: Manifest): number {
  return manifest.cycles.at(-1)?.cycle ?? 0;
}

export function relaunchCyclesUsed(manifest: Manifest): number {
  return manifest.cycles.filter((c) => c.cycle > 0).length;
}

export {
  ATTEMPT_SLOTS,
  conditionPosition,
  findCondition,
  getAttempt,
  jobSlots,
} from './manifest-index.js';

/** ended − started in whole seconds, when both parse; what Slurm reports as Elapsed. */
export function elapsedFromTimes(startedAt: string | null, endedAt: string | null): number | null {
  if (startedAt === null || endedAt === null) return null;
  const seconds = (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
  return Number.isInteger(seconds) && seconds >= 0 ? seconds : null;
}

/** Drops fractional seconds from ISO times: they only cost bytes. */
export function compactTime(iso: string): string {
  // Most times come without fractions (Slurm prints none): skip the regex for them.
  if (!iso.includes('.')) return iso;
  return iso.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(Z|[+-]\d\d:?\d\d)?$/, '$1$2');
}

/** Truncates to TEXT_MAX_CHARS with an ellipsis, so one huge log line cannot bloat the file. */
export function bounded(text: string, max = TEXT_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
