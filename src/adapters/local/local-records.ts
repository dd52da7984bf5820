/**
 * The records of the state directory and their schemas. They are read by other processes, of
 * other versions, after crashes: every read is validated, and a record that does not parse is
 * reported as unreadable rather than guessed at.
 *
 * - job.json: the request, written once by submit.
 * - supervisor.json: the supervisor's identity, written once by submit right after spawning
 *   it, so a supervisor that dies before its first write is still known (and found dead).
 * - state.json: written by submit once (PENDING) before the supervisor exists, then only by
 *   the supervisor.
 * - cancel: a cancel request, written by cancel() and acted on by the supervisor.
 */
import { z } from 'zod';
import { readJsonFile } from './local-layout.js';

/**
 * A process as it can be recognized later: its pid alone could be reused by another process,
 * so the start time (in clock ticks since boot) and the boot id are kept beside it.
 */
export const processIdentitySchema = z.object({
  pid: z.int().positive(),
  startTicks: z.string().optional(),
  bootId: z.string().optional(),
});
export type ProcessIdentity = z.infer<typeof processIdentitySchema>;

export const jobRecordSchema = z.object({
  version: z.literal(1),
  jobId: z.string(),
  name: z.string(),
  /** `script`: argv[0] is the script (run through its #! line if not executable). */
  kind: z.enum(['argv', 'script']),
  argv: z.array(z.string()).min(1),
  /** Only the request's extra variables: the rest is inherited, and is not written to disk. */
  env: z.record(z.string(), z.string()),
  workdir: z.string(),
  stdoutPath: z.string(),
  stderrPath: z.string(),
  limits: z.object({
    timeMinutes: z.number().positive().optional(),
    memMb: z.number().positive().optional(),
  }),
  /** The request's other resources, kept for the record: the local backend does not enforce them. */
  resources: z.record(z.string(), z.union([z.string(), z.number()])),
  submittedAt: z.string(),
  uid: z.int(),
  user: z.string(),
  /** The scheduling parameters this job runs under (the scheduler's options at submit time). */
  concurrency: z.int().positive(),
  pollMs: z.int().positive(),
  killGraceMs: z.int().nonnegative(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/** What state.json can say; NODE_FAIL only when the supervisor itself failed. */
export const LOCAL_STATES = [
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'CANCELLED',
  'NODE_FAIL',
] as const;
export type LocalState = (typeof LOCAL_STATES)[number];

const FINAL: ReadonlySet<LocalState> = new Set<LocalState>([
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'CANCELLED',
  'NODE_FAIL',
]);

export function isFinal(state: LocalState): boolean {
  return FINAL.has(state);
}

export const stateRecordSchema = z.object({
  state: z.enum(LOCAL_STATES),
  reason: z.string().optional(),
  supervisor: processIdentitySchema.optional(),
  /** The workload's leader; it leads its own process group, so pgid = pid. */
  workload: processIdentitySchema.optional(),
  pgid: z.int().positive().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** Slurm's convention: a job killed by a signal has code 0 and the signal's number. */
  exit: z.object({ code: z.int().nullable(), signal: z.int().nullable() }).optional(),
  /** The highest sum of the resident set sizes of the job's process group that was sampled. */
  peakRssBytes: z.number().nonnegative().optional(),
  /** The uid that asked for the cancel, when it was a cancel request. */
  cancelledBy: z.int().optional(),
  updatedAt: z.string(),
});
export type StateRecord = z.infer<typeof stateRecordSchema>;

export const cancelRequestSchema = z.object({ uid: z.int(), at: z.string() });
export type CancelRequest = z.infer<typeof cancelRequestSchema>;

/** The parsed record, undefined when the file does not exist; throws when it does not parse. */
export function readRecord<T>(path: string, schema: z.ZodType<T>): T | undefined {
  const raw = readJsonFile(path);
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new Error(`${path} is not a valid record${where}`);
  }
  return parsed.data;
}
