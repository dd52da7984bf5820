/**
 * The sweep file's `policy:` block: snake_case keys, every block optional and partial, merged
 * over DEFAULT_POLICY into the camelCase Policy that core/policy.ts defines.
 */
import { z } from 'zod';
import { DEFAULT_POLICY, type Policy, type RootCauseAction } from '../core/policy.js';
import { ROOT_CAUSES } from '../core/types.js';
import { memorySchema, secondsSchema, timeSchema } from './quantities.js';
import { strictObject, unknownKeyError } from './zod-issues.js';

const share = z.number().min(0).max(1);
const ACTIONS = [
  'relaunch',
  'relaunch_escalated',
  'issue',
  'ignore',
] as const satisfies readonly RootCauseAction[];

const interval = z
  .tuple([secondsSchema, secondsSchema], { error: 'expected [min, max], e.g. [60, 120] or [1m, 2m]' })
  .refine(([min, max]) => min > 0 && min <= max, 'min must be > 0 and ≤ max');

// Keyed by ROOT_CAUSES, so a new root cause is accepted here without touching this file.
const actionsSchema = z.partialRecord(z.enum(ROOT_CAUSES), z.enum(ACTIONS), {
  error: unknownKeyError(ROOT_CAUSES),
});

export const policySchema = strictObject({
  bands: strictObject({ watch: share.optional(), intervene: share.optional() }).optional(),
  kill_switch: strictObject({
    identical: z.int().min(1).optional(),
    window_seconds: z.int().min(1).optional(),
  }).optional(),
  max_relaunch_cycles: z
    .int()
    .min(0)
    .max(2, 'sweepwatch relaunches at most 2 cycles; a third rarely helps and doubles the spend')
    .optional(),
  auto_relaunch: z.boolean().optional(),
  canary: z.boolean().optional(),
  actions: actionsSchema.optional(),
  escalation: strictObject({
    memory_factor: z.number().min(1).optional(),
    max_memory: memorySchema.optional(),
    time_factor: z.number().min(1).optional(),
    max_time: timeSchema.optional(),
  }).optional(),
  hard_stops: strictObject({
    config_share: share.optional(),
    min_count: z.int().min(1).optional(),
  }).optional(),
  pending: strictObject({ held_patience: secondsSchema.optional() }).optional(),
  cadence: strictObject({
    pending_only: interval.optional(),
    running: interval.optional(),
    degraded: interval.optional(),
  }).optional(),
});

export type RawPolicy = z.output<typeof policySchema>;

/** Fills what the file leaves out from DEFAULT_POLICY, block by block. */
export function toPolicy(raw: RawPolicy | undefined): Policy {
  const d = DEFAULT_POLICY;
  const actions = { ...d.actions };
  for (const cause of ROOT_CAUSES) {
    const action = raw?.actions?.[cause];
    if (action !== undefined) actions[cause] = action;
  }
  return {
    bands: {
      watch: raw?.bands?.watch ?? d.bands.watch,
      intervene: raw?.bands?.intervene ?? d.bands.intervene,
    },
    killSwitch: {
      identical: raw?.kill_switch?.identical ?? d.killSwitch.identical,
      windowSeconds: raw?.kill_switch?.window_seconds ?? d.killSwitch.windowSeconds,
    },
    maxRelaunchCycles: raw?.max_relaunch_cycles ?? d.maxRelaunchCycles,
    autoRelaunch: raw?.auto_relaunch ?? d.autoRelaunch,
    canary: raw?.canary ?? d.canary,
    actions,
    escalation: {
      memoryFactor: raw?.escalation?.memory_factor ?? d.escalation.memoryFactor,
      maxMemoryMb: raw?.escalation?.max_memory ?? d.escalation.maxMemoryMb,
      timeFactor: raw?.escalation?.time_factor ?? d.escalation.timeFactor,
      maxTimeMinutes: raw?.escalation?.max_time ?? d.escalation.maxTimeMinutes,
    },
    hardStops: {
      configShare: raw?.hard_stops?.config_share ?? d.hardStops.configShare,
      minCount: raw?.hard_stops?.min_count ?? d.hardStops.minCount,
    },
    pending: { heldPatienceSeconds: raw?.pending?.held_patience ?? d.pending.heldPatienceSeconds },
    cadence: {
      pendingOnly: raw?.cadence?.pending_only ?? d.cadence.pendingOnly,
      running: raw?.cadence?.running ?? d.cadence.running,
      degraded: raw?.cadence?.degraded ?? d.cadence.degraded,
    },
  };
}
