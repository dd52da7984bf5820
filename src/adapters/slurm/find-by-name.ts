/**
 * findByName(): adoption after a crash. The cluster user's jobs (squeue, plus sacct over a
 * recent window) whose name starts with the sweep's scoped prefix, in one round trip. The
 * prefix is matched here, not remotely: sacct --name wants exact names.
 */
import type { JobObservation } from '../../core/types.js';
import { SchedulerError } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { mergeViews } from './merge.js';
import { FIELD_SEPARATOR, parseSacct, SACCT_FIELDS, sacctObservation } from './sacct-parse.js';
import { parseFramed, SCRIPT_PRELUDE } from './sections.js';
import { parseSqueue, SQUEUE_FIELDS } from './squeue-parse.js';

if (FIELD_SEPARATOR !== '\x1f') throw new Error('find-by-name assumes the unit separator');

/** $1 nonce, $2 sacct start time (e.g. `now-30days`). */
export const FIND_SCRIPT = `${SCRIPT_PRELUDE}
begin squeue 0
squeue --noheader --array --all --states=all --user="$user" --format="${SQUEUE_FIELDS.join('$D')}"
end squeue 0 "$?"
begin sacct 0
sacct --noheader --parsable2 --delimiter="$D" --duplicates --user="$user" --starttime="$2" --format=${SACCT_FIELDS.join(',')}
end sacct 0 "$?"
finish
`;

export async function findJobsByName(
  transport: Transport,
  namePrefix: string,
  options: { nonce: string; since: string; timeoutMs: number; maxStdoutBytes: number },
): Promise<JobObservation[]> {
  if (namePrefix === '') throw new TypeError('findByName needs a non-empty prefix: it would adopt every job');
  const out = await transport.exec(
    ['sh', '-c', FIND_SCRIPT, 'sweepwatch-find', options.nonce, options.since],
    {
      timeoutMs: options.timeoutMs,
      maxStdoutBytes: options.maxStdoutBytes,
    },
  );
  const framed = parseFramed(out.stdout, out.stderr, options.nonce);
  const user = framed.meta.get('user');
  const remoteNow = framed.meta.get('now');
  const q = framed.sections.find((s) => s.source === 'squeue');
  const a = framed.sections.find((s) => s.source === 'sacct');
  // Partial answers are refused: a job we fail to see here would be submitted a second time.
  for (const [name, s] of [
    ['squeue', q],
    ['sacct', a],
  ] as const) {
    if (s?.rc !== 0 || !framed.done) {
      const why =
        s?.stderr.split('\n').find((l) => l.trim() !== '') ??
        framed.meta.get('error') ??
        'no complete output';
      throw new SchedulerError(name, `${name} failed during adoption: ${why}`);
    }
  }
  const squeue = parseSqueue(q?.lines ?? [], {
    ...(user ? { user } : {}),
    ...(remoteNow ? { remoteNow } : {}),
  }).observations;
  const sacct = parseSacct(a?.lines ?? []).jobs;
  const merged = mergeViews({
    squeue: new Map(squeue.map((o) => [o.jobId, o])),
    sacct: new Map([...sacct].map(([id, job]) => [id, sacctObservation(job)])),
    scontrol: new Map(),
  });
  return [...merged.values()].filter((o) => o.name?.startsWith(namePrefix));
}
