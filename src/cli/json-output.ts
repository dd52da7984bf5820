/**
 * What `--json` prints, as zod schemas: the contract for machines. Every command's output is
 * built as the schema's input type, so the code cannot drift from it, and the tests parse the
 * real stdout with the same schemas. Keys are snake_case like the Action's `result` output.
 */
import { z } from 'zod';

const counts = z.record(z.string(), z.number());
const conditionJob = z.object({ condition_id: z.string(), job_id: z.string() });
const rootCause = z.object({
  root_cause: z.string(),
  signature: z.string(),
  count: z.int(),
  share: z.number(),
  action: z.string(),
});

export const relaunchJson = z.object({
  cycle: z.int(),
  reason_code: z.string(),
  reason: z.string(),
  submitted: z.array(conditionJob),
  held: z.array(z.string()),
  refused: z.array(z.object({ condition_id: z.string(), reason: z.string() })),
  quarantined: z.int(),
});

/** The verdict on the sweep, shared by tick, watch and status. */
const verdict = {
  experiment: z.string(),
  decision: z.enum(['no-intervention', 'watch', 'intervene']),
  reason_code: z.string(),
  reason: z.string(),
  band: z.enum(['healthy', 'degraded', 'systemic']),
  counts,
  root_causes: z.array(rootCause),
  concentrations: z.array(z.string()),
  relaunch_cycle: z.int(),
};

export const tickJson = z.object({
  command: z.literal('tick'),
  at: z.string(),
  ...verdict,
  next_poll_seconds: z.number(),
  changed: z.boolean(),
  newly_failed: z.array(
    z.object({ condition_id: z.string(), job_id: z.string().nullable(), root_cause: z.string() }),
  ),
  relaunches: z.array(relaunchJson),
  relaunch_errors: z.array(z.string()),
  notes: z.array(z.string()),
  /** A dry run: what would have been done, in order. */
  dry_run: z.array(z.object({ kind: z.string(), detail: z.string() })).nullable(),
});

export const watchEventJson = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tick'), tick: z.int(), ...tickJson.omit({ command: true }).shape }),
  z.object({
    type: z.literal('done'),
    experiment: z.string(),
    ticks: z.int(),
    stopped: z.enum(['complete', 'max_ticks', 'interrupted', 'relaunch_planned']),
    band: z.enum(['healthy', 'degraded', 'systemic']),
    decision: z.string(),
    reason_code: z.string(),
    exit_code: z.int(),
  }),
  z.object({
    type: z.literal('report'),
    files: z.object({ markdown: z.string(), jsonl: z.string(), svg: z.string() }),
    counts: z.object({
      conditions: z.int(),
      succeeded: z.int(),
      failed: z.int(),
      cancelled: z.int(),
      live: z.int(),
      attempts: z.int(),
    }),
    checklist: z.array(z.object({ id: z.string(), rule: z.string(), pass: z.boolean(), detail: z.string() })),
    seconds: z.number(),
  }),
]);

export const launchJson = z.object({
  command: z.literal('launch'),
  experiment: z.string(),
  state: z.string(),
  reason_code: z.string(),
  reason: z.string(),
  submitted: z.array(conditionJob),
  adopted: z.array(conditionJob),
  rejected: z.array(z.object({ condition_id: z.string(), message: z.string() })),
  skipped: z.int(),
  preflight: z.object({
    ok: z.boolean(),
    problems: z.array(z.object({ severity: z.string(), code: z.string(), message: z.string() })),
  }),
  dry_run: z.array(z.object({ kind: z.string(), detail: z.string() })).nullable(),
});

export const statusJson = z.object({
  command: z.literal('status'),
  state: z.string(),
  ...verdict,
  cycles: z.array(
    z.object({
      cycle: z.int(),
      at: z.string(),
      digest: z.string(),
      reason: z.string(),
      requested_by: z.string(),
      jobs: z.int(),
    }),
  ),
  last_decision: z
    .object({ at: z.string(), decision: z.string(), band: z.string(), reason_code: z.string() })
    .nullable(),
  conditions: z
    .array(
      z.object({
        id: z.string(),
        attempts: z.int(),
        cycle: z.int().nullable(),
        job_id: z.string().nullable(),
        state: z.string().nullable(),
        root_cause: z.string().nullable(),
      }),
    )
    .nullable(),
});

export const relaunchCommandJson = z.object({
  command: z.literal('relaunch'),
  experiment: z.string(),
  ...relaunchJson.shape,
});

export const cancelJson = z.object({
  command: z.literal('cancel'),
  experiment: z.string(),
  reason_code: z.string(),
  reason: z.string(),
  cancelled: z.array(z.string()),
  refused: z.array(z.object({ job_id: z.string(), reason: z.string() })),
  in_flight: z.array(z.string()),
});

export const reportJson = z.object({
  command: z.literal('report'),
  experiment: z.string(),
  ...watchEventJson.options[2].omit({ type: true, seconds: true }).shape,
});

export const replayJson = z.object({
  command: z.literal('replay'),
  experiment: z.string(),
  ticks: z.array(
    z.object({
      at: z.string(),
      decision: z.string(),
      reason_code: z.string(),
      band: z.string(),
      recorded: z.object({ decision: z.string(), reason_code: z.string(), band: z.string() }).nullable(),
      matches: z.boolean().nullable(),
      would: z.array(z.object({ kind: z.string(), detail: z.string() })),
    }),
  ),
  matches_recorded: z.boolean().nullable(),
});

export const preflightJson = z.object({
  command: z.literal('preflight'),
  reason_code: z.enum(['preflight_ok', 'preflight_failed']),
  ok: z.boolean(),
  user: z.string().nullable(),
  versions: z.record(z.string(), z.string().nullable()),
  problems: z.array(
    z.object({ severity: z.string(), code: z.string(), subject: z.string(), message: z.string() }),
  ),
});

export const errorJson = z.object({
  command: z.string(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }),
});

/** One JSON document (or JSON Lines record) on stdout. */
export function writeJson<S extends z.ZodType>(
  out: NodeJS.WritableStream,
  schema: S,
  value: z.input<S>,
): void {
  // Parsed on the way out too: a bug that breaks the contract fails loudly here, not downstream.
  out.write(`${JSON.stringify(schema.parse(value))}\n`);
}
