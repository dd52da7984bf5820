/**
 * One sacct job (sacct-parse.ts) → its observation: the final run's fields, restarts, and a
 * hidden OOM kill found in a step.
 */
import { ownText } from '../../core/own-text.js';
import type { JobObservation } from '../../core/types.js';
import { parseDuration, parseExitCode, parseNodes, parseText, parseTimestamp } from './fields.js';
import { stateEntry } from './rows.js';
import type { SacctJob } from './sacct-parse.js';

type Draft = { -readonly [K in keyof JobObservation]: JobObservation[K] };

/**
 * The observation of one sacct job. The job line can hide an OOM kill: with cgroups the
 * `.batch` (or `.extern`, or an srun) step says OUT_OF_MEMORY while the job says FAILED, or even
 * COMPLETED with exit 0. The step wins then, since the memory kill is the root of it.
 */
export function sacctObservation(job: SacctJob): JobObservation {
  const { row } = job;
  const entry = stateEntry(row.rawState);
  let state = entry.state;
  let rawState = entry.raw;
  if ((state === 'FAILED' || state === 'COMPLETED') && job.oomStep !== undefined) {
    state = 'OUT_OF_MEMORY';
    rawState = job.oomStep;
  }
  // Ids are cut from the answer (or built on a piece of it): kept, they must not hold it.
  const jobId = ownText(row.jobId);
  const restarts = job.runs - 1;
  const jobIdRaw = row.jobIdRaw !== '' && row.jobIdRaw !== row.jobId ? ownText(row.jobIdRaw) : undefined;
  const name = parseText(row.name);
  const reason = parseText(row.reason);
  const exit = parseExitCode(row.exitCode);
  const submittedAt = parseTimestamp(row.submit);
  const startedAt = parseTimestamp(row.start);
  const endedAt = parseTimestamp(row.end);
  const elapsedSeconds = parseDuration(row.elapsed);
  const nodes = parseNodes(row.nodes);
  // Field by field rather than a spread per optional field (nine objects per job). Either way
  // the keys keep the order the spreads gave them.
  const o: Draft = { jobId, state, rawState, source: 'sacct', restarts };
  if (jobIdRaw !== undefined) o.jobIdRaw = jobIdRaw;
  if (name !== undefined) o.name = name;
  if (reason !== undefined) o.reason = reason;
  if (exit !== undefined) o.exit = exit;
  if (submittedAt !== undefined) o.submittedAt = submittedAt;
  if (startedAt !== undefined) o.startedAt = startedAt;
  if (endedAt !== undefined) o.endedAt = endedAt;
  if (elapsedSeconds !== undefined) o.elapsedSeconds = elapsedSeconds;
  if (nodes !== undefined) o.nodes = nodes;
  return o;
}
