/**
 * One sacct job (sacct-parse.ts) → its observation: the final run's fields, restarts, and a
 * hidden OOM kill found in a step.
 */
import { ownText } from '../../core/own-text.js';
import type { JobObservation } from '../../core/types.js';
import { parseDuration, parseExitCode, parseNodes, parseText, parseTimestamp } from './fields.js';
import { stateEntry } from './rows.js';
import type { SacctJob, SacctRow } from './sacct-row.js';

type Draft = { -readonly [K in keyof JobObservation]: JobObservation[K] };

/**
 * The observation of one sacct job: its final run's row (SacctJob.base), the runs before it as
 * restarts, and an OOM kill a step revealed. The job line can hide one: with cgroups the
 * `.batch` (or `.extern`, or an srun) step says OUT_OF_MEMORY while the job says FAILED, or even
 * COMPLETED with exit 0. The step wins then, since the memory kill is the root of it.
 */
export function sacctObservation(job: SacctJob): JobObservation {
  const { base, oomStep } = job;
  const restarts = job.runs - 1;
  const oom = (base.state === 'FAILED' || base.state === 'COMPLETED') && oomStep !== undefined;
  if (restarts === base.restarts && !oom) return base;
  // Key by key, not a spread: see draftOf in merge.ts. The keys and their order stay the base's.
  const o: Draft = Object.assign({}, base);
  o.restarts = restarts;
  if (oom) {
    o.state = 'OUT_OF_MEMORY';
    o.rawState = oomStep;
  }
  return o;
}

/** What a job row says of its run, before its runs are counted and its steps read. */
export function rowObservation(row: SacctRow): JobObservation {
  const entry = stateEntry(row.rawState);
  // Ids are cut from the answer (or built on a piece of it): kept, they must not hold it.
  const jobId = ownText(row.jobId);
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
  const o: Draft = { jobId, state: entry.state, rawState: entry.raw, source: 'sacct', restarts: 0 };
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
