/**
 * Older manifest schemas → the current model. Schema 1 (sweepwatch 0.x) kept a flat list of
 * jobs, one per attempt, each with its condition as a mapping; it had no cycle records (only
 * who relaunched and why), one evidence line, the legacy root cause `oom`, and no submitting
 * phase (a null job id meant the submission failed).
 */
import { z } from 'zod';
import { conditionId, jobName, type LevelValue } from './conditions.js';
import {
  type Attempt,
  type ConditionRecord,
  factorsOf,
  MANIFEST_SCHEMA_VERSION,
  MAX_RELAUNCH_CYCLES,
  type Manifest,
} from './manifest-model.js';
import { isRootCause, JOB_STATES, type JobState, type RootCause } from './types.js';

const level = z.union([z.string(), z.number(), z.boolean()]);
const maybe = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const v1JobSchema = z.object({
  condition: z.record(z.string(), level),
  job_id: z.string().nullable(),
  /** 0 = launch, n = the n-th relaunch. */
  attempt: z.int().min(0).max(MAX_RELAUNCH_CYCLES),
  state: maybe(z.string()),
  exit_code: maybe(z.int()),
  root_cause: maybe(z.string()),
  signature: maybe(z.string()),
  evidence: maybe(z.string()),
  submitted_at: z.string(),
  ended_at: maybe(z.string()),
  log: maybe(z.string()),
});

export const v1ManifestSchema = z.object({
  version: z.literal(1),
  experiment: z.string().min(1),
  config_sha256: z.string(),
  created: z.string(),
  launch_commit: maybe(z.string()),
  paused: z.boolean().optional(),
  relaunches: z
    .array(z.object({ at: z.string(), by: z.string(), reason: z.string(), commit: maybe(z.string()) }))
    .max(MAX_RELAUNCH_CYCLES),
  issues: z.record(z.string(), z.int().min(1)),
  jobs: z.array(v1JobSchema),
});
type V1Job = z.output<typeof v1JobSchema>;

/** Schema 1 had one `oom`; the scheduler's OUT_OF_MEMORY says host, anything else was the GPU. */
function rootCauseOf(job: V1Job): RootCause {
  const cause = job.root_cause ?? 'unknown';
  if (cause === 'oom') return job.state === 'OUT_OF_MEMORY' ? 'host_oom' : 'gpu_oom';
  return isRootCause(cause) ? cause : 'unknown';
}

const isJobState = (text: string): text is JobState => (JOB_STATES as readonly string[]).includes(text);

/** Schema 1 stored the scheduler's words (`CANCELLED by 1001`); the first word is the state. */
function stateOf(raw: string | null | undefined): JobState | null {
  if (raw === null || raw === undefined) return null;
  const head = raw.split(' ')[0] ?? raw;
  return isJobState(head) ? head : 'UNKNOWN';
}

function toAttempt(job: V1Job): Attempt {
  const submitted = job.job_id !== null;
  const state = submitted ? stateOf(job.state) : null;
  return {
    cycle: job.attempt,
    phase: submitted ? 'submitted' : 'submit_failed',
    jobId: job.job_id,
    submittedAt: job.submitted_at,
    startedAt: null,
    endedAt: job.ended_at ?? null,
    state,
    rawState: state === null ? null : (job.state ?? null),
    reason: null,
    exit:
      job.exit_code === null || job.exit_code === undefined ? null : { code: job.exit_code, signal: null },
    classification:
      job.root_cause === null || job.root_cause === undefined
        ? null
        : {
            rootCause: rootCauseOf(job),
            signature: job.signature ?? '',
            // Schema 1 did not record confidence: neither sure nor unsure.
            confidence: 0.5,
            evidence: job.evidence ? [job.evidence] : [],
          },
    requested: null,
    used: null,
    stdoutPath: job.log ?? null,
    stderrPath: job.log ?? null,
    submitError: submitted ? null : 'submission failed (recorded by manifest schema 1)',
    image: null,
    observedAt: null,
    staleSince: null,
  };
}

/** A schema-1 manifest (already JSON-parsed) → the current model. Throws Error on bad input. */
export function migrateV1(json: unknown): Manifest {
  const parsed = v1ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `schema 1 manifest: ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const v1 = parsed.data;
  // Schema 1 did not store the factor order; the first job's key order is the best record of it.
  const names = Object.keys(v1.jobs[0]?.condition ?? {});
  const byId = new Map<string, { values: Record<string, LevelValue>; jobs: V1Job[] }>();
  for (const [i, job] of v1.jobs.entries()) {
    const keys = Object.keys(job.condition);
    if (keys.length !== names.length || !names.every((n) => keys.includes(n))) {
      throw new Error(
        `schema 1 manifest: jobs[${i}] has factors ${keys.join(', ')}, expected ${names.join(', ')}`,
      );
    }
    if (job.attempt > v1.relaunches.length) {
      throw new Error(
        `schema 1 manifest: jobs[${i}] is attempt ${job.attempt} but only ${v1.relaunches.length} relaunch(es) are recorded`,
      );
    }
    const id = conditionId(names, job.condition);
    const entry = byId.get(id) ?? { values: job.condition, jobs: [] };
    entry.jobs.push(job);
    byId.set(id, entry);
  }
  const taken = new Set<string>();
  const conditions = [...byId.entries()].map(([id, { values, jobs }]): ConditionRecord => {
    let salt = 0;
    let name = jobName(v1.experiment, id);
    while (taken.has(name)) name = jobName(v1.experiment, id, ++salt);
    taken.add(name);
    const ordered = [...jobs].sort((a, b) => a.attempt - b.attempt);
    return {
      id,
      jobName: name,
      values: Object.fromEntries(names.map((n) => [n, values[n] ?? ''])),
      attempts: ordered.map(toAttempt),
    };
  });
  const launchDigest = v1.launch_commit ?? 'unknown';
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    experiment: v1.experiment,
    sweepDigest: `sha256:${v1.config_sha256}`,
    createdAt: v1.created,
    observedAt: null,
    paused: v1.paused ?? false,
    factors: factorsOf(names, conditions),
    cycles: [
      { cycle: 0, digest: launchDigest, reason: 'launch', requestedBy: 'unknown', at: v1.created },
      ...v1.relaunches.map((r, i) => ({
        cycle: i + 1,
        digest: r.commit ?? launchDigest,
        reason: r.reason,
        requestedBy: r.by,
        at: r.at,
      })),
    ],
    decisions: [],
    issues: v1.issues,
    conditions,
  };
}
