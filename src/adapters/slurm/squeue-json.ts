/**
 * `squeue --json` (openapi v0.0.38, Slurm 22.05) → observations. Not what observe() runs: in
 * 22.05 --json ignores -j/-u/-t and returns every job slurmctld holds, every user's, which we
 * must not list. It is kept for clusters whose squeue honours the filters and for reading
 * captured dumps. Two 22.05 facts it encodes: `exit_code` is the raw wait status (decoded with
 * decodeWaitStatus), and the log paths are NOT expanded (expanded here from the job's facts).
 * Each job is validated on its own: a malformed one is reported and skipped (renovate's
 * LooseArray idea), the rest goes on. The user and id filters are applied here.
 */
import { z } from 'zod';
import type { JobObservation } from '../../core/types.js';
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip, decodeWaitStatus, parseNodes, parseText } from './fields.js';
import { expandArrayId } from './job-ids.js';
import { expandLogPattern } from './log-paths.js';
import { isLiveState, normalizeSlurmState } from './states.js';

const num = z.number().int().nullish();
const str = z.string().nullish();

const JobSchema = z.object({
  job_id: z.number().int(),
  job_state: z.string(),
  name: str,
  user_name: str,
  state_reason: str,
  state_description: str,
  exit_code: num,
  restart_cnt: num,
  array_job_id: num,
  array_task_id: num,
  array_task_string: str,
  submit_time: num,
  start_time: num,
  end_time: num,
  nodes: str,
  standard_output: str,
  standard_error: str,
  current_working_directory: str,
});
type JsonJob = z.infer<typeof JobSchema>;

const EnvelopeSchema = z.object({ jobs: z.array(z.unknown()) });

export interface SqueueJsonFilter {
  readonly user?: string;
  /** Keep only jobs matched by these ids (id, raw id, or array master). */
  readonly jobIds?: readonly string[];
}

const iso = (seconds: number | null | undefined) =>
  seconds ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : undefined;

function displayIds(job: JsonJob): string[] | undefined {
  const master = job.array_job_id ?? 0;
  if (master === 0) return [String(job.job_id)];
  if (job.array_task_id !== null && job.array_task_id !== undefined)
    return [`${master}_${job.array_task_id}`];
  // A pending array's master record carries the remaining tasks as a string (`5-9`, `1,3-5%2`).
  return job.array_task_string ? expandArrayId(`${master}_[${job.array_task_string}]`) : [String(job.job_id)];
}

export function parseSqueueJson(
  text: string,
  filter: SqueueJsonFilter = {},
): { observations: JobObservation[]; diagnostics: ObserveDiagnostic[] } {
  const diagnostics: ObserveDiagnostic[] = [];
  let envelope: z.infer<typeof EnvelopeSchema>;
  try {
    envelope = EnvelopeSchema.parse(JSON.parse(text));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      observations: [],
      diagnostics: [{ source: 'squeue-json', line: clip(text, 200), why: clip(why, 200) }],
    };
  }
  const wanted = filter.jobIds ? new Set(filter.jobIds) : undefined;
  const observations: JobObservation[] = [];
  for (const raw of envelope.jobs) {
    const parsed = JobSchema.safeParse(raw);
    if (!parsed.success) {
      diagnostics.push({
        source: 'squeue-json',
        line: clip(JSON.stringify(raw)),
        why: clip(parsed.error.message, 200),
      });
      continue;
    }
    const job = parsed.data;
    if (filter.user !== undefined && job.user_name !== filter.user) continue;
    const ids = displayIds(job);
    if (!ids) {
      diagnostics.push({
        source: 'squeue-json',
        line: clip(JSON.stringify(raw)),
        why: 'unreadable array task string',
      });
      continue;
    }
    const state = normalizeSlurmState(job.job_state);
    const live = isLiveState(state);
    const exit =
      live || job.exit_code === null || job.exit_code === undefined
        ? undefined
        : decodeWaitStatus(job.exit_code);
    const reason = parseText(job.state_description || job.state_reason || '');
    const name = parseText(job.name ?? '');
    const nodes = parseNodes(job.nodes ?? '');
    const submittedAt = iso(job.submit_time);
    const startedAt = state === 'PENDING' ? undefined : iso(job.start_time);
    const endedAt = live ? undefined : iso(job.end_time);
    for (const jobId of ids) {
      const master = job.array_job_id ? String(job.array_job_id) : undefined;
      if (wanted && !wanted.has(jobId) && !wanted.has(String(job.job_id)) && !(master && wanted.has(master)))
        continue;
      const task = /_(\d+)$/.exec(jobId)?.[1];
      const facts = {
        jobId: master ?? String(job.job_id),
        isArray: master !== undefined,
        taskJobId: String(job.job_id),
        ...(task !== undefined ? { arrayTaskId: task } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(job.user_name ? { user: job.user_name } : {}),
        ...(job.current_working_directory ? { workdir: job.current_working_directory } : {}),
      };
      const stdoutPath = job.standard_output ? expandLogPattern(job.standard_output, facts) : undefined;
      const stderrPath = job.standard_error ? expandLogPattern(job.standard_error, facts) : undefined;
      observations.push({
        jobId,
        state,
        rawState: job.job_state,
        source: 'squeue-json',
        ...(ids.length === 1 && String(job.job_id) !== jobId ? { jobIdRaw: String(job.job_id) } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(exit !== undefined ? { exit } : {}),
        ...(submittedAt !== undefined ? { submittedAt } : {}),
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(endedAt !== undefined ? { endedAt } : {}),
        ...(nodes !== undefined ? { nodes } : {}),
        ...(typeof job.restart_cnt === 'number' ? { restarts: job.restart_cnt } : {}),
        ...(stdoutPath !== undefined ? { stdoutPath } : {}),
        ...(stderrPath !== undefined ? { stderrPath } : {}),
      });
    }
  }
  return { observations, diagnostics };
}
