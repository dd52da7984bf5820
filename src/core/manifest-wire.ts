/**
 * The manifest file format, schema 2, in zod. Keys are short but readable, absent means
 * null/false/default, and failures are interned: an attempt names its (root cause, signature)
 * by key and repeats the evidence only when it differs from the first attempt that had it.
 * That keeps an attempt near 200 bytes, so 10,000 conditions stay a few MB.
 */
import { z } from 'zod';
import {
  type AttemptPhase,
  DECISION_HISTORY,
  EVIDENCE_MAX_LINES,
  MAX_RELAUNCH_CYCLES,
  TEXT_MAX_CHARS,
} from './manifest-model.js';
import { DECISIONS, HEALTH_BANDS, JOB_STATES, ROOT_CAUSES } from './types.js';

const time = z.string().min(1).max(40);
const text = z.string().max(TEXT_MAX_CHARS);
const count = z.int().min(0);
export const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@/+-]{0,127}$/;
export const FINGERPRINT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export const wireAttemptSchema = z.strictObject({
  /** Absent: the attempt's index (attempt n of cycle n, the usual chain). */
  cycle: z.int().min(0).max(MAX_RELAUNCH_CYCLES).optional(),
  /** Absent: submitted. */
  phase: z.enum(['submitting', 'submit_failed'] satisfies AttemptPhase[]).optional(),
  job: z.string().regex(JOB_ID).optional(),
  /** Absent: the time of its cycle (a batch is submitted at the cycle's time). */
  submitted: time.optional(),
  started: time.optional(),
  ended: time.optional(),
  state: z.enum(JOB_STATES).optional(),
  /** Absent: same as state. */
  raw: text.nullable().optional(),
  reason: text.optional(),
  /** The code alone when there is no signal, else [code, signal]. */
  exit: z.union([z.int(), z.tuple([z.int().nullable(), z.int().nullable()])]).optional(),
  /** Key into `failures`. */
  fail: z.string().optional(),
  /** Absent: the failure's first evidence and confidence. */
  ev: z.array(text).max(EVIDENCE_MAX_LINES).optional(),
  conf: z.number().min(0).max(1).optional(),
  req: z.strictObject({ mem_mb: count.optional(), time_min: count.optional() }).optional(),
  used: z
    .strictObject({
      /** Absent: ended − started, as schedulers compute it (null when those are unknown). */
      elapsed_s: count.nullable().optional(),
      max_rss_mb: count.optional(),
      nodes: text.optional(),
      restarts: count.optional(),
    })
    .optional(),
  /** Absent: the manifest's log_pattern for this job (or null without one). */
  out: text.nullable().optional(),
  /** Absent: same as out. */
  err: text.nullable().optional(),
  error: text.optional(),
  /** The image digest the job was launched with (Attempt.image). */
  img: text.optional(),
  seen: time.optional(),
  stale: time.optional(),
});
export type WireAttempt = z.output<typeof wireAttemptSchema>;

export const wireConditionSchema = z.strictObject({
  id: z.string().min(1),
  job: z.string().min(1).max(64),
  attempts: z.array(wireAttemptSchema),
});
export type WireCondition = z.output<typeof wireConditionSchema>;

export const wireFailureSchema = z.strictObject({
  cause: z.enum(ROOT_CAUSES),
  sig: text,
  conf: z.number().min(0).max(1),
  ev: z.array(text).max(EVIDENCE_MAX_LINES),
});
export type WireFailure = z.output<typeof wireFailureSchema>;

const level = z.union([z.string(), z.number(), z.boolean()]);

export const wireManifestSchema = z.strictObject({
  schema_version: z.literal(2),
  experiment: z.string().min(1),
  sweep_digest: z.string(),
  created_at: time,
  observed_at: time.nullable(),
  paused: z.boolean(),
  /** The commonest stdout path with Slurm's %x (job name) and %j (job id); see manifest-serialize.ts. */
  log_pattern: text.nullable(),
  factors: z.array(z.strictObject({ name: z.string().min(1), levels: z.array(level).min(1) })).min(1),
  cycles: z
    .array(
      z.strictObject({
        cycle: z.int().min(0).max(MAX_RELAUNCH_CYCLES),
        digest: text,
        reason: text,
        requested_by: text,
        at: time,
      }),
    )
    .min(1),
  issues: z.record(z.string().regex(FINGERPRINT), z.int().min(1)),
  /** Absent until a tick has found the dashboard (and in manifests written before it existed). */
  dashboard_issue: z.int().min(1).optional(),
  decisions: z
    .array(
      z.strictObject({
        at: time,
        decision: z.enum(DECISIONS),
        band: z.enum(HEALTH_BANDS),
        reason_code: text,
        note: text.optional(),
      }),
    )
    .max(DECISION_HISTORY),
  failures: z.record(z.string(), wireFailureSchema),
  conditions: z.array(wireConditionSchema),
});
export type WireManifest = z.output<typeof wireManifestSchema>;

/** The manifest less its conditions' contents, which are checked one at a time (see readWire). */
export const wireHeadSchema = wireManifestSchema.extend({ conditions: z.array(z.unknown()) });
export type WireHead = z.output<typeof wireHeadSchema>;
