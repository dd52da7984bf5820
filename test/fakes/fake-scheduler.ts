/**
 * An in-memory Scheduler: a cluster of scripted jobs. Submissions get ids from 1001 up and
 * start PENDING; tests move them with `set`. Every call is counted, so tests assert "one
 * observe per tick" and "log tails only for the newly failed". `failObserve`, `unobserved`,
 * `reject` and `onSubmit` script the awkward cases.
 */
import type { JobObservation, JobState } from '../../src/core/types.js';
import type {
  CancelResult,
  CancelScope,
  LogTail,
  LogTailRequest,
  ObserveResult,
  PreflightReport,
  Scheduler,
  SubmitRequest,
  SubmitResult,
} from '../../src/ports/scheduler.js';

export interface FakeJob {
  readonly jobId: string;
  readonly name: string;
  readonly request: SubmitRequest;
  observation: JobObservation;
  log: string;
}

export interface FakeScheduler extends Scheduler {
  readonly jobs: Map<string, FakeJob>;
  readonly calls: {
    observe: string[][];
    submit: SubmitRequest[];
    cancel: { ids: string[]; scope: string[]; prefix: string | undefined }[];
    logTails: LogTailRequest[][];
    findByName: string[];
  };
  /** Moves a job to a state (and optional facts); the log is what readLogTails returns. */
  set(jobId: string, state: JobState, facts?: Partial<JobObservation> & { log?: string }): void;
  /** Thrown by observe() while set. */
  failObserve: Error | null;
  /** Ids observe() reports as unobserved. */
  unobserved: Set<string>;
  /** Names submit() rejects, with the scheduler's words. */
  reject: Map<string, string>;
  /** Runs after a job is created on the "cluster" and before submit() returns; may throw (a crash). */
  onSubmit: ((job: FakeJob, count: number) => void) | null;
  preflightReport: PreflightReport;
}

const OK_PREFLIGHT: PreflightReport = {
  ok: true,
  user: 'alice',
  versions: { sbatch: 'slurm 23.11.4' },
  accountingAvailable: true,
  problems: [],
};

export function createFakeScheduler(): FakeScheduler {
  const jobs = new Map<string, FakeJob>();
  const calls: FakeScheduler['calls'] = { observe: [], submit: [], cancel: [], logTails: [], findByName: [] };
  let nextId = 1001;
  const fake = {
    jobs,
    calls,
    failObserve: null as Error | null,
    unobserved: new Set<string>(),
    reject: new Map<string, string>(),
    onSubmit: null as FakeScheduler['onSubmit'],
    preflightReport: OK_PREFLIGHT,
    set(jobId: string, state: JobState, facts: Partial<JobObservation> & { log?: string } = {}): void {
      const job = jobs.get(jobId);
      if (job === undefined) throw new Error(`fake scheduler: no job ${jobId}`);
      const { log, ...rest } = facts;
      job.observation = { ...job.observation, state, rawState: state, ...rest };
      if (log !== undefined) job.log = log;
    },
    async observe(jobIds: readonly string[]): Promise<ObserveResult> {
      calls.observe.push([...jobIds]);
      if (fake.failObserve !== null) throw fake.failObserve;
      const observations = new Map<string, JobObservation>();
      const unobserved: string[] = [];
      const missing: string[] = [];
      for (const id of jobIds) {
        const job = jobs.get(id);
        if (fake.unobserved.has(id)) unobserved.push(id);
        else if (job === undefined) missing.push(id);
        else observations.set(id, job.observation);
      }
      return { observations, missing, unobserved, diagnostics: [], errors: [] };
    },
    async submit(request: SubmitRequest): Promise<SubmitResult> {
      calls.submit.push(request);
      const refusal = fake.reject.get(request.name);
      if (refusal !== undefined) return { ok: false, rootCause: 'submission_rejected', message: refusal };
      const jobId = String(nextId++);
      const stdoutPath = `/logs/${request.name}-${jobId}.out`;
      const job: FakeJob = {
        jobId,
        name: request.name,
        request,
        observation: {
          jobId,
          name: request.name,
          state: 'PENDING',
          rawState: 'PENDING',
          stdoutPath,
          stderrPath: stdoutPath,
        },
        log: '',
      };
      jobs.set(jobId, job);
      fake.onSubmit?.(job, calls.submit.length);
      return { ok: true, jobId, stdoutPath, stderrPath: stdoutPath };
    },
    async cancel(jobIds: readonly string[], scope: CancelScope): Promise<CancelResult> {
      const allowed = new Set(scope.jobIds);
      calls.cancel.push({ ids: [...jobIds], scope: [...allowed], prefix: scope.namePrefix });
      const result: { cancelled: string[]; refused: CancelResult['refused'][number][] } = {
        cancelled: [],
        refused: [],
      };
      for (const id of jobIds) {
        const job = jobs.get(id);
        if (!allowed.has(id))
          result.refused.push({ jobId: id, reason: 'not_in_scope', detail: 'not in the manifest' });
        else if (job === undefined)
          result.refused.push({ jobId: id, reason: 'not_found', detail: 'unknown' });
        else {
          fake.set(id, 'CANCELLED');
          result.cancelled.push(id);
        }
      }
      return result;
    },
    async readLogTails(requests: readonly LogTailRequest[]): Promise<Map<string, LogTail>> {
      calls.logTails.push([...requests]);
      const out = new Map<string, LogTail>();
      for (const r of requests) {
        const text = jobs.get(r.jobId)?.log ?? '';
        out.set(r.jobId, { text, truncated: false, missing: [], files: [] });
      }
      return out;
    },
    async preflight(): Promise<PreflightReport> {
      return fake.preflightReport;
    },
    async findByName(prefix: string): Promise<readonly JobObservation[]> {
      calls.findByName.push(prefix);
      return [...jobs.values()].filter((j) => j.name.startsWith(prefix)).map((j) => j.observation);
    },
  } satisfies FakeScheduler;
  return fake;
}
