import type { RootCause } from '../types.js';

/**
 * What a scheduler state says on its own, for Slurm (long and short forms, `CANCELLED by N`,
 * sacct's truncated `OUT_OF_ME+`) and SkyPilot (cluster and managed-job states).
 *
 * - healthy: completed, running or waiting; only external kills can still make it a failure.
 * - failed: it failed, and the log has to say why.
 * - decisive: the scheduler knows the cause; only a specific cause in the log beats it.
 * - authoritative: the job never ran or its controller failed; the log cannot overrule it.
 * - weak: a person cancelled it; any failure in the log is the better answer.
 * - setup: SkyPilot's setup step failed; the log decides, an environment problem otherwise.
 */
export type StateKind = 'healthy' | 'failed' | 'decisive' | 'authoritative' | 'weak' | 'setup' | 'unknown';

export interface StateVerdict {
  readonly kind: StateKind;
  /** The normalised state name, e.g. `OUT_OF_MEMORY` for `OUT_OF_ME+` or `OOM`. */
  readonly name: string | null;
  readonly rootCause: RootCause | null;
}

interface Entry {
  readonly kind: StateKind;
  readonly rootCause?: RootCause;
  /** Slurm's two-letter codes (squeue %t). */
  readonly short?: string;
}

const STATES: Readonly<Record<string, Entry>> = {
  COMPLETED: { kind: 'healthy', short: 'CD' },
  COMPLETING: { kind: 'healthy', short: 'CG' },
  RUNNING: { kind: 'healthy', short: 'R' },
  PENDING: { kind: 'healthy', short: 'PD' },
  CONFIGURING: { kind: 'healthy', short: 'CF' },
  SUSPENDED: { kind: 'healthy', short: 'S' },
  STOPPED: { kind: 'healthy', short: 'ST' },
  RESIZING: { kind: 'healthy', short: 'RS' },
  REQUEUED: { kind: 'healthy', short: 'RQ' },
  REQUEUE_HOLD: { kind: 'healthy', short: 'RH' },
  REQUEUE_FED: { kind: 'healthy', short: 'RF' },
  REVOKED: { kind: 'healthy', short: 'RV' },
  SIGNALING: { kind: 'healthy', short: 'SI' },
  STAGE_OUT: { kind: 'healthy', short: 'SO' },
  SUCCEEDED: { kind: 'healthy' },
  SUBMITTED: { kind: 'healthy' },
  STARTING: { kind: 'healthy' },
  SETTING_UP: { kind: 'healthy' },
  INIT: { kind: 'healthy' },
  RECOVERING: { kind: 'healthy' },
  FAILED: { kind: 'failed', short: 'F' },
  SPECIAL_EXIT: { kind: 'failed', short: 'SE' },
  FAILED_DRIVER: { kind: 'failed' },
  OUT_OF_MEMORY: { kind: 'decisive', rootCause: 'host_oom', short: 'OOM' },
  TIMEOUT: { kind: 'decisive', rootCause: 'timeout', short: 'TO' },
  DEADLINE: { kind: 'decisive', rootCause: 'timeout', short: 'DL' },
  PREEMPTED: { kind: 'decisive', rootCause: 'preempted', short: 'PR' },
  NODE_FAIL: { kind: 'decisive', rootCause: 'node_failure', short: 'NF' },
  BOOT_FAIL: { kind: 'decisive', rootCause: 'node_failure', short: 'BF' },
  FAILED_NO_RESOURCE: { kind: 'authoritative', rootCause: 'provisioning' },
  FAILED_PRECHECKS: { kind: 'authoritative', rootCause: 'provisioning' },
  FAILED_CONTROLLER: { kind: 'authoritative', rootCause: 'controller_error' },
  CANCELLED: { kind: 'weak', rootCause: 'cancelled', short: 'CA' },
  CANCELLING: { kind: 'weak', rootCause: 'cancelled' },
  FAILED_SETUP: { kind: 'setup' },
};

const BY_SHORT = new Map(
  Object.entries(STATES).flatMap(([name, entry]) => (entry.short ? [[entry.short, name] as const] : [])),
);

const UNKNOWN: StateVerdict = { kind: 'unknown', name: null, rootCause: null };

/** `CANCELLED by 1001` → `CANCELLED`; `ManagedJobStatus.FAILED_SETUP` → `FAILED_SETUP`; `OUT_OF_ME+` → `OUT_OF_MEMORY`. */
function normalise(raw: string): string | null {
  const token = raw.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  const bare = token.slice(token.lastIndexOf('.') + 1);
  const truncated = bare.endsWith('+');
  const name = truncated ? bare.slice(0, -1) : bare;
  if (name in STATES) return name;
  const short = BY_SHORT.get(name);
  if (short !== undefined) return short;
  if (truncated && name.length >= 3) {
    const candidates = Object.keys(STATES).filter((known) => known.startsWith(name));
    if (candidates.length === 1) return candidates[0] ?? null;
  }
  return null;
}

export function judgeState(raw: string | null): StateVerdict {
  if (raw === null) return UNKNOWN;
  const name = normalise(raw);
  const entry = name === null ? undefined : STATES[name];
  if (entry === undefined) return UNKNOWN;
  return { kind: entry.kind, name, rootCause: entry.rootCause ?? null };
}
