/**
 * The relaunch workflow's one input, `payload`: JSON written by a tick (or a slash command)
 * and read by the relaunch run. One JSON input rather than five keeps the workflow file
 * stable and stays far below workflow_dispatch's 25-input cap. Parsed with zod: the payload
 * crosses a process boundary and a person can dispatch the workflow by hand.
 */
import { z } from 'zod';
import { UseCaseError } from './errors.js';

/** `requested_by` of relaunches the policy started (not a person). */
export const POLICY_ACTOR = 'sweepwatch';

/**
 * GitHub caps the size of dispatch inputs; past this the condition list is replaced by `plan`
 * (the relaunch recomputes the plan from the manifest, which is the source of truth anyway).
 */
const MAX_PAYLOAD_CHARS = 60_000;

export const relaunchPayloadSchema = z.strictObject({
  experiment: z.string().min(1),
  /** The condition ids to relaunch, or `plan`: whatever the manifest's relaunch plan says. */
  conditions: z.union([z.array(z.string().min(1)), z.literal('plan')]),
  cycle: z.int().min(1),
  reason: z.string().max(300),
  requested_by: z.string().min(1).max(100),
  /** Bypass F3 (same digest for a cause that needs a fix); recorded in the cycle's reason. */
  force: z.boolean().optional(),
});

export type RelaunchPayload = z.output<typeof relaunchPayloadSchema>;

export function serializePayload(payload: RelaunchPayload): string {
  const text = JSON.stringify(payload);
  return text.length <= MAX_PAYLOAD_CHARS ? text : JSON.stringify({ ...payload, conditions: 'plan' });
}

export function parsePayload(text: string): RelaunchPayload {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UseCaseError('payload_invalid', `the relaunch payload is not JSON: ${why}`);
  }
  const parsed = relaunchPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'payload';
    throw new UseCaseError(
      'payload_invalid',
      `invalid relaunch payload: ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
