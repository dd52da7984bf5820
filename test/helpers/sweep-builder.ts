import type {
  AttemptClassification,
  AttemptView,
  ConditionView,
  OutputValidity,
  SweepSnapshot,
} from '../../src/core/snapshot.js';
import type { JobState, RootCause } from '../../src/core/types.js';

/**
 * Small synthetic sweeps for the decision core's tests:
 *
 *   sweep({ model: ['vit', 'resnet'], fold: ['0', '1', '2'] })
 *     .all(running(600))
 *     .where({ model: 'vit' }, failed('gpu_oom', 'cuda oom', { elapsed: 120 }))
 *     .build();
 *
 * Times are relative to the sweep's `now` (T0 unless set), so tests read as "ended 30 s ago".
 */

export const T0 = Date.parse('2025-03-01T12:00:00Z');

/** An attempt relative to now: `elapsed` seconds of run time, ended `endedAgo` seconds ago. */
export interface AttemptSpec {
  readonly state: JobState;
  readonly elapsed?: number;
  readonly endedAgo?: number;
  readonly stale?: boolean;
  readonly classification?: AttemptClassification;
  readonly memoryMb?: number;
  readonly timeMinutes?: number;
  readonly pendingReason?: string;
  readonly pendingSinceSeconds?: number;
  readonly pendingProblem?: boolean;
}

type Extra = Partial<Omit<AttemptSpec, 'state' | 'classification'>>;

export const pending = (reason = 'Priority', extra: Extra = {}): AttemptSpec => ({
  state: 'PENDING',
  pendingReason: reason,
  ...extra,
});
export const running = (elapsed: number, extra: Extra = {}): AttemptSpec => ({
  state: 'RUNNING',
  elapsed,
  ...extra,
});
export const completed = (extra: Extra = {}): AttemptSpec => ({
  state: 'COMPLETED',
  elapsed: 3600,
  endedAgo: 600,
  ...extra,
});
export const cancelled = (extra: Extra = {}): AttemptSpec => ({
  state: 'CANCELLED',
  elapsed: 100,
  endedAgo: 600,
  classification: { rootCause: 'cancelled', signature: 'cancelled by user', confidence: 0.9, evidence: [] },
  ...extra,
});

const STATE_OF: Partial<Record<RootCause, JobState>> = {
  host_oom: 'OUT_OF_MEMORY',
  timeout: 'TIMEOUT',
  preempted: 'PREEMPTED',
  node_failure: 'NODE_FAIL',
  cancelled: 'CANCELLED',
};

export const failed = (
  rootCause: RootCause,
  signature: string,
  extra: Extra & { readonly evidence?: readonly string[] } = {},
): AttemptSpec => {
  const { evidence, ...rest } = extra;
  return {
    state: STATE_OF[rootCause] ?? 'FAILED',
    elapsed: 300,
    endedAgo: 60,
    classification: { rootCause, signature, confidence: 0.9, evidence: evidence ?? [signature] },
    ...rest,
  };
};

type Match =
  | Readonly<Record<string, string>>
  | ((factors: Readonly<Record<string, string>>, i: number) => boolean);
type SpecFor = AttemptSpec | ((i: number) => AttemptSpec);

interface Draft {
  readonly id: string;
  readonly index: number;
  readonly factors: Readonly<Record<string, string>>;
  readonly attempts: AttemptSpec[];
  outputs?: OutputValidity;
}

export class SweepBuilder {
  private readonly drafts: Draft[];
  private now = T0;
  private relaunchCycles = 0;
  private replicateFactor: string | undefined;
  private isPaused = false;

  constructor(private readonly factors: Readonly<Record<string, readonly string[]>>) {
    let combos: Record<string, string>[] = [{}];
    for (const [name, levels] of Object.entries(factors)) {
      combos = combos.flatMap((c) => levels.map((level) => ({ ...c, [name]: level })));
    }
    this.drafts = combos.map((f, index) => ({
      id: Object.entries(f)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      index,
      factors: f,
      attempts: [pending()],
    }));
  }

  /** Sets the current attempt of every condition. */
  all(spec: SpecFor): this {
    return this.where(() => true, spec);
  }

  /** Sets the current attempt of the matching conditions; a function spec gets the match's rank. */
  where(match: Match, spec: SpecFor): this {
    return this.replaceLatest(this.matching(match), spec);
  }

  /** Like where(), on the first `n` matching conditions only. */
  first(n: number, match: Match, spec: SpecFor): this {
    return this.replaceLatest(this.matching(match).slice(0, n), spec);
  }

  /** Appends a new attempt (the next cycle) to the matching conditions. */
  retry(match: Match, spec: SpecFor): this {
    this.matching(match).forEach((d, i) => {
      d.attempts.push(typeof spec === 'function' ? spec(i) : spec);
    });
    return this;
  }

  outputs(match: Match, validity: OutputValidity): this {
    for (const d of this.matching(match)) d.outputs = validity;
    return this;
  }

  cycles(n: number): this {
    this.relaunchCycles = n;
    return this;
  }

  replicate(name: string): this {
    this.replicateFactor = name;
    return this;
  }

  paused(): this {
    this.isPaused = true;
    return this;
  }

  at(now: number): this {
    this.now = now;
    return this;
  }

  build(): SweepSnapshot {
    const conditions: ConditionView[] = this.drafts.map((d) => ({
      id: d.id,
      factors: d.factors,
      attempts: d.attempts.map((spec, cycle) => this.toAttempt(spec, `${1000 + d.index}_${cycle}`, cycle)),
      ...(d.outputs !== undefined ? { outputs: d.outputs } : {}),
    }));
    return {
      now: new Date(this.now).toISOString(),
      factors: Object.entries(this.factors).map(([name, levels]) => ({ name, levels })),
      conditions,
      relaunchCycles: this.relaunchCycles,
      ...(this.replicateFactor !== undefined ? { replicateFactor: this.replicateFactor } : {}),
      ...(this.isPaused ? { paused: true } : {}),
    };
  }

  private toAttempt(spec: AttemptSpec, jobId: string, cycle: number): AttemptView {
    const iso = (secondsAgo: number): string => new Date(this.now - secondsAgo * 1000).toISOString();
    const endedAgo = spec.state === 'PENDING' || spec.state === 'RUNNING' ? undefined : (spec.endedAgo ?? 0);
    const startedAgo = spec.elapsed !== undefined ? (endedAgo ?? 0) + spec.elapsed : undefined;
    const resources = {
      ...(spec.memoryMb !== undefined ? { memoryMb: spec.memoryMb } : {}),
      ...(spec.timeMinutes !== undefined ? { timeMinutes: spec.timeMinutes } : {}),
    };
    return {
      cycle,
      jobId,
      state: spec.state,
      ...(spec.stale !== undefined ? { stale: spec.stale } : {}),
      ...(startedAgo !== undefined ? { startedAt: iso(startedAgo) } : {}),
      ...(endedAgo !== undefined ? { endedAt: iso(endedAgo) } : {}),
      ...(spec.elapsed !== undefined ? { elapsedSeconds: spec.elapsed } : {}),
      ...(spec.classification !== undefined ? { classification: spec.classification } : {}),
      ...(Object.keys(resources).length > 0 ? { resources } : {}),
      ...(spec.pendingReason !== undefined ? { pendingReason: spec.pendingReason } : {}),
      ...(spec.pendingSinceSeconds !== undefined ? { pendingSinceSeconds: spec.pendingSinceSeconds } : {}),
      ...(spec.pendingProblem !== undefined ? { pendingProblem: spec.pendingProblem } : {}),
    };
  }

  private matching(match: Match): Draft[] {
    return this.drafts.filter((d) =>
      typeof match === 'function'
        ? match(d.factors, d.index)
        : Object.entries(match).every(([k, v]) => d.factors[k] === v),
    );
  }

  private replaceLatest(drafts: readonly Draft[], spec: SpecFor): this {
    drafts.forEach((d, i) => {
      d.attempts[d.attempts.length - 1] = typeof spec === 'function' ? spec(i) : spec;
    });
    return this;
  }
}

export const sweep = (factors: Readonly<Record<string, readonly string[]>>): SweepBuilder =>
  new SweepBuilder(factors);

/** Deterministic PRNG (mulberry32) for the statistical tests. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
