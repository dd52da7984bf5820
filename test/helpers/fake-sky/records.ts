/**
 * Builds what `sky jobs queue --all -v -o json` prints (SkyPilot 0.13: every
 * responses.ManagedJobRecord field, null unless set; see test/fixtures/skypilot/README.md),
 * and the stand-in's scenario files. For the stand-in sky (sky-standin.py) only.
 */

const FIELDS = [
  'task_job_id',
  'job_id',
  'task_id',
  'job_name',
  'task_name',
  'job_duration',
  'workspace',
  'status',
  'schedule_state',
  'resources',
  'cluster_resources',
  'cloud',
  'region',
  'zone',
  'infra',
  'recovery_count',
  'details',
  'failure_reason',
  'submitted_at',
  'start_at',
  'end_at',
  'pool',
  'current_cluster_name',
  'job_id_on_pool_cluster',
  'is_primary_in_job_group',
  'metadata',
] as const;

export interface RecordSpec {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly recoveries?: number;
  readonly failure?: string;
  readonly duration?: number;
  readonly submittedAt?: number;
  /** Epoch seconds, as SkyPilot stores them. */
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export function record(spec: RecordSpec): Record<string, unknown> {
  const r: Record<string, unknown> = Object.fromEntries(FIELDS.map((f) => [f, null]));
  Object.assign(r, {
    job_id: spec.id,
    task_id: 0,
    job_name: spec.name,
    task_name: spec.name,
    job_duration: spec.duration ?? 0,
    workspace: 'default',
    status: spec.status,
    resources: '1x[A100:1]',
    recovery_count: spec.recoveries ?? 0,
    failure_reason: spec.failure ?? null,
    submitted_at: spec.submittedAt ?? 1_777_636_000.5,
    start_at: spec.startedAt ?? null,
    end_at: spec.endedAt ?? null,
    metadata: {},
  });
  return r;
}

/** The stdout of one JSON queue call. */
export function queueJson(specs: readonly RecordSpec[]): string {
  return `${JSON.stringify(
    specs.map((s) => record(s)),
    null,
    2,
  )}\n`;
}

export interface Reply {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly code?: number;
}

export interface Scenario {
  readonly version: string;
  readonly unknownOptions?: readonly string[];
  readonly rules: readonly { readonly match: readonly string[]; readonly replies: readonly Reply[] }[];
}
