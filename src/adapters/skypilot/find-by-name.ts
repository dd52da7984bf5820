/**
 * findByName(): adoption after a crash. The user's queue (one call, every job, see
 * dialects.ts), filtered here by the sweep's name prefix. A queue that did not answer in full
 * is refused (SchedulerError): a job missed here would be launched a second time.
 */
import type { JobObservation } from '../../core/types.js';
import { SchedulerError } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { type QueueAnswer, type QueueQueryOptions, queryQueue } from './queue-query.js';
import { toObservation } from './sky-job.js';

export async function findSkyJobsByName(
  transport: Transport,
  namePrefix: string,
  options: QueueQueryOptions,
): Promise<{ jobs: JobObservation[]; answer: QueueAnswer }> {
  if (namePrefix === '') throw new TypeError('findByName needs a non-empty prefix: it would adopt every job');
  const answer = await queryQueue(transport, options);
  if (!answer.complete || answer.parse === undefined) {
    const why = answer.errors[0]?.message ?? 'no complete queue';
    throw new SchedulerError('sky', `sky jobs queue failed during adoption: ${why}`);
  }
  const context = {
    source: answer.source,
    ...(answer.remoteEpoch !== undefined ? { remoteEpoch: answer.remoteEpoch } : {}),
  };
  const jobs = answer.parse.jobs
    .filter((j) => j.name?.startsWith(namePrefix))
    .map((j) => toObservation(j, context));
  return { jobs, answer };
}
