import type { RootCause } from './types.js';

/**
 * The sweep's policy: every threshold the diagnosis and the decision use. The sweep file's
 * `policy:` block is validated into this shape (config/sweep-config.ts); the defaults follow
 * the seeds' rules (10 % watch, 15 % intervene, 3 identical in 5 min, 2 relaunch cycles).
 */

/** What to do with a failed condition of a given root cause. */
export type RootCauseAction = 'relaunch' | 'relaunch_escalated' | 'issue' | 'ignore';

export interface EscalationPolicy {
  /** Memory multiplier for host_oom / gpu_oom relaunches, capped at maxMemoryMb. */
  readonly memoryFactor: number;
  readonly maxMemoryMb: number;
  /** Time multiplier for timeout relaunches, capped at maxTimeMinutes. */
  readonly timeFactor: number;
  readonly maxTimeMinutes: number;
}

export interface Policy {
  readonly bands: {
    /** Above this share of failed terminal jobs the batch is degraded (watch). */
    readonly watch: number;
    /** At or above this share of terminal jobs failed with one root cause: systemic (intervene). */
    readonly intervene: number;
  };
  readonly killSwitch: {
    readonly identical: number;
    readonly windowSeconds: number;
  };
  readonly maxRelaunchCycles: number;
  /** Relaunch automatically when the plan allows it; otherwise wait for a person's approval. */
  readonly autoRelaunch: boolean;
  /** Relaunch one representative condition per root cause before the rest. */
  readonly canary: boolean;
  readonly actions: Readonly<Record<RootCause, RootCauseAction>>;
  readonly escalation: EscalationPolicy;
  readonly hardStops: {
    /** Share of all conditions failing with one config_error/env_import signature that stops early. */
    readonly configShare: number;
    /** Minimum number of such failures before the hard stop can fire. */
    readonly minCount: number;
  };
  readonly pending: {
    /** How long a job may sit held (JobHeldUser/Admin) before it counts as a problem. */
    readonly heldPatienceSeconds: number;
  };
  /** Next-poll intervals in seconds, [min, max]. */
  readonly cadence: {
    readonly pendingOnly: readonly [number, number];
    readonly running: readonly [number, number];
    readonly degraded: readonly [number, number];
  };
}

export const DEFAULT_ACTIONS: Readonly<Record<RootCause, RootCauseAction>> = {
  gpu_oom: 'relaunch_escalated',
  host_oom: 'relaunch_escalated',
  timeout: 'relaunch_escalated',
  preempted: 'relaunch',
  node_failure: 'relaunch',
  distributed: 'relaunch',
  nan_divergence: 'issue',
  gpu_fault: 'issue',
  env_import: 'issue',
  disk_quota: 'issue',
  crash: 'relaunch',
  config_error: 'issue',
  code_error: 'issue',
  provisioning: 'relaunch',
  controller_error: 'relaunch',
  submission_rejected: 'issue',
  cancelled: 'ignore',
  unknown: 'issue',
  none: 'ignore',
};

export const DEFAULT_POLICY: Policy = {
  bands: { watch: 0.1, intervene: 0.15 },
  killSwitch: { identical: 3, windowSeconds: 300 },
  maxRelaunchCycles: 2,
  autoRelaunch: true,
  canary: true,
  actions: DEFAULT_ACTIONS,
  escalation: { memoryFactor: 2, maxMemoryMb: 512_000, timeFactor: 1.5, maxTimeMinutes: 7 * 24 * 60 },
  hardStops: { configShare: 0.5, minCount: 3 },
  pending: { heldPatienceSeconds: 3600 },
  cadence: { pendingOnly: [600, 900], running: [180, 300], degraded: [60, 120] },
};
