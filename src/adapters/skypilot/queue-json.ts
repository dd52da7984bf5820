/**
 * `sky jobs queue --all -v -o json` (SkyPilot ≥ 0.12): `json.dumps([r.model_dump(mode='json')
 * for r in records], indent=2)` of `responses.ManagedJobRecord` (sky/schemas/api/responses.py):
 * one record per task, every model field present, null where the server was not asked for it.
 * `-v` asks for the verbose field list (sky/client/cli/command.py
 * `_VERBOSE_MANAGED_JOB_FIELDS_TO_GET`), which is the only way to get `failure_reason` and
 * `details`. Times are epoch seconds (floats), `job_duration` seconds, `status` the enum value.
 *
 * Tolerant: text around the array (a warning the client printed) is skipped; a record without
 * a usable job_id or status is skipped with a diagnostic.
 */
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip } from '../slurm/fields.js';
import { present, type QueueParse, type SkyJob } from './sky-job.js';
import { skyStatusWord } from './states.js';

type Json = Record<string, unknown>;

/** The JSON array in the output, or undefined. */
function extractArray(text: string): unknown[] | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.trimStart().startsWith('[')) continue;
    const rest = lines.slice(i).join('\n');
    const end = rest.lastIndexOf(']');
    if (end < 0) return undefined;
    try {
      const value: unknown = JSON.parse(rest.slice(0, end + 1));
      if (Array.isArray(value)) return value;
    } catch {
      // Not the array (a bracketed log line?): keep looking.
    }
  }
  return undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function jobIdOf(record: Json): string | undefined {
  const v = record.job_id;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  return undefined;
}

export function parseQueueJson(text: string): QueueParse {
  const array = extractArray(text);
  if (array === undefined) {
    const words = text.trim();
    return { jobs: [], diagnostics: [], failure: words === '' ? 'no output' : clip(words), partial: false };
  }
  const diagnostics: ObserveDiagnostic[] = [];
  const byJob = new Map<string, Json[]>();
  for (const item of array) {
    const record =
      item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Json) : undefined;
    const id = record ? jobIdOf(record) : undefined;
    const status = record ? str(record.status) : undefined;
    if (!record || id === undefined || status === undefined || status.trim() === '') {
      diagnostics.push({
        source: 'sky',
        line: clip(JSON.stringify(item) ?? String(item)),
        why: 'queue record without a job id or status; skipped',
      });
      continue;
    }
    const tasks = byJob.get(id) ?? [];
    tasks.push(record);
    byJob.set(id, tasks);
  }
  return { jobs: [...byJob].map(([id, tasks]) => aggregate(id, tasks)), diagnostics, partial: false };
}

/** SkyPilot's own aggregation (format_job_table / _get_job_status_from_tasks). */
function aggregate(jobId: string, records: Json[]): SkyJob {
  const tasks = [...records].sort((a, b) => (num(a.task_id) ?? 0) - (num(b.task_id) ?? 0));
  // In a job group only the primary tasks decide the status; plain jobs have null there.
  const primary = tasks.filter(
    (t) => t.is_primary_in_job_group === null || t.is_primary_in_job_group === true,
  );
  const deciding = primary.length > 0 ? primary : tasks;
  let current = deciding[deciding.length - 1] ?? tasks[0];
  for (const t of deciding) {
    current = t;
    if (skyStatusWord(str(t.status) ?? '') !== 'SUCCEEDED') break;
  }
  const sum = (key: string): number | undefined => {
    const values = tasks.map((t) => num(t[key])).filter((v): v is number => v !== undefined);
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const submitted = tasks.map((t) => num(t.submitted_at)).filter((v): v is number => v !== undefined);
  const started = tasks.map((t) => num(t.start_at)).filter((v): v is number => v !== undefined);
  const ends = tasks.map((t) => num(t.end_at));
  const allEnded = ends.every((v) => v !== undefined);
  const first = tasks[0];
  const name = present(str(first?.job_name)) ?? present(str(first?.task_name));
  const failureReason = present(str(current?.failure_reason));
  const details = present(str(current?.details));
  const cluster = present(str(current?.current_cluster_name));
  const user = present(str(first?.user_name));
  const recoveries = sum('recovery_count');
  const duration = sum('job_duration');
  return {
    jobId,
    status: skyStatusWord(str(current?.status) ?? ''),
    tasks: tasks.length,
    ...(name !== undefined ? { name } : {}),
    ...(recoveries !== undefined ? { recoveries } : {}),
    ...(duration !== undefined ? { jobDurationSeconds: duration } : {}),
    ...(submitted.length > 0 ? { submittedAt: Math.min(...submitted) } : {}),
    ...(started.length > 0 ? { startedAt: Math.min(...started) } : {}),
    ...(allEnded && ends.length > 0 ? { endedAt: Math.max(...(ends as number[])) } : {}),
    ...(failureReason !== undefined ? { failureReason } : {}),
    ...(details !== undefined ? { details } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(user !== undefined ? { user } : {}),
  };
}
