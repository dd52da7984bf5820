/**
 * observe(): the whole queue in ONE remote call (queue-query.ts), scoped here to the requested
 * ids. Per requested id: found, missing (the queue answered in full and has no such job), or
 * unobserved (the queue failed or was cut: keep the last state). Never a failure by itself.
 */
import type { JobObservation } from '../../core/types.js';
import type { ObservationError, ObserveDiagnostic, ObserveResult } from '../../ports/scheduler.js';
import { type Transport, TransportError } from '../../ports/transport.js';
import { clip } from '../slurm/fields.js';
import { isSkyJobId } from './log-refs.js';
import { type QueueAnswer, type QueueQueryOptions, queryQueue } from './queue-query.js';
import { toObservation } from './sky-job.js';

export interface Observed {
  readonly result: ObserveResult;
  /** What the call learned about the remote sky (undefined when the transport failed). */
  readonly answer: QueueAnswer | undefined;
}

export async function observeJobs(
  transport: Transport,
  jobIds: readonly string[],
  options: QueueQueryOptions,
): Promise<Observed> {
  const diagnostics: ObserveDiagnostic[] = [];
  const requested: string[] = [];
  const invalid: string[] = [];
  for (const id of new Set(jobIds)) {
    if (isSkyJobId(id)) requested.push(id);
    else {
      invalid.push(id);
      diagnostics.push({
        source: 'input',
        line: clip(id),
        why: 'not a SkyPilot managed job id; not queried',
      });
    }
  }
  if (requested.length === 0) {
    const result = { observations: new Map(), missing: invalid, unobserved: [], diagnostics, errors: [] };
    return { result, answer: undefined };
  }
  let answer: QueueAnswer;
  try {
    answer = await queryQueue(transport, options);
  } catch (error) {
    // A refused host key or login is no outage: it must fail the run, not pass as a stale tick.
    if (!(error instanceof TransportError) || !error.transient) throw error;
    const errors: ObservationError[] = [{ kind: 'transport', source: 'transport', message: error.message }];
    const result = { observations: new Map(), missing: invalid, unobserved: requested, diagnostics, errors };
    return { result, answer: undefined };
  }
  diagnostics.push(...(answer.parse?.diagnostics ?? []));
  const byId = new Map((answer.parse?.jobs ?? []).map((j) => [j.jobId, j]));
  const observations = new Map<string, JobObservation>();
  const missing = [...invalid];
  const unobserved: string[] = [];
  const context = {
    source: answer.source,
    ...(answer.remoteEpoch !== undefined ? { remoteEpoch: answer.remoteEpoch } : {}),
  };
  for (const id of requested) {
    const job = byId.get(id);
    if (job) observations.set(id, toObservation(job, context));
    else if (answer.complete) missing.push(id);
    else unobserved.push(id);
  }
  return { result: { observations, missing, unobserved, diagnostics, errors: answer.errors }, answer };
}
