/**
 * What Slurm 22.05 prints for the simulated jobs, byte for byte in the shapes of
 * test/fixtures/slurm: `sacct --parsable2 --delimiter=$'\x1f' --duplicates` rows (job line,
 * then `.batch`, `.extern`, sometimes an srun `.0` step; a requeued job's earlier run; one
 * collapsed `A_[lo-hi]` row per pending array range) and `squeue --array` rows of the live and
 * recently finished jobs, framed as the observe script frames them.
 */
import { FIELD_SEPARATOR, SACCT_FIELDS } from '../../src/adapters/slurm/sacct-parse.js';
import { markerPrefix } from '../../src/adapters/slurm/sections.js';
import { SQUEUE_FIELDS } from '../../src/adapters/slurm/squeue-parse.js';
import { mix, type SimJob } from './sweep.js';

const D = FIELD_SEPARATOR;
const PENDING_REASONS = [
  'Priority',
  'Resources',
  'Priority',
  'Dependency',
  'QOSMaxJobsPerUserLimit',
  'JobHeldUser',
];

/** Cluster-local time (Slurm prints no zone) `secondsAgo` before `clusterNow`. */
function at(clusterNow: string, secondsAgo: number): string {
  return new Date(Date.parse(`${clusterNow}Z`) - secondsAgo * 1000).toISOString().slice(0, 19);
}

function hms(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const core = `${String(h % 24).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
  return h >= 24 ? `${Math.floor(h / 24)}-${core}` : core;
}

interface Times {
  readonly submit: string;
  readonly start: string;
  readonly end: string;
  readonly elapsed: number;
  /** How long ago it ended (squeue still lists jobs that ended within MinJobAge = 300 s). */
  readonly endedAgo: number;
}

function timesOf(job: SimJob, clusterNow: string): Times {
  const submittedAgo = 6 * 3600 - (job.seed % 600);
  const waited = 60 + (job.seed % 1800);
  const elapsed = 300 + (mix(job.index, 5) % 14_000);
  const endedAgo = Math.max(1, submittedAgo - waited - elapsed);
  return {
    submit: at(clusterNow, submittedAgo),
    start: at(clusterNow, submittedAgo - waited),
    end: at(clusterNow, endedAgo),
    elapsed: submittedAgo - waited - endedAgo,
    endedAgo,
  };
}

const node = (job: SimJob) => `gpu-a${String(job.seed % 64).padStart(3, '0')}`;

/** One sacct row in SACCT_FIELDS order. */
function row(
  id: string,
  raw: string,
  name: string,
  state: string,
  exit: string,
  t: Times,
  nodes: string,
): string {
  const fields: Record<(typeof SACCT_FIELDS)[number], string> = {
    JobID: id,
    JobIDRaw: raw,
    JobName: name,
    State: state,
    ExitCode: exit,
    Reason: 'None',
    Submit: t.submit,
    Start: t.start,
    End: t.end,
    Elapsed: hms(t.elapsed),
    NodeList: nodes,
  };
  return SACCT_FIELDS.map((f) => fields[f]).join(D);
}

/** [job state, job exit, .batch state, .batch exit] of a finished job. */
const FINISHED: Readonly<Record<string, readonly [string, string, string, string]>> = {
  completed: ['COMPLETED', '0:0', 'COMPLETED', '0:0'],
  failed: ['FAILED', '1:0', 'FAILED', '1:0'],
  oom: ['OUT_OF_MEMORY', '0:125', 'OUT_OF_MEMORY', '0:125'],
  // The cgroup OOM kill is visible only on the step: the job line says FAILED.
  oom_step: ['FAILED', '1:0', 'OUT_OF_MEMORY', '0:125'],
  timeout: ['TIMEOUT', '0:0', 'CANCELLED', '0:15'],
  cancelled: ['CANCELLED by 1001', '0:0', 'CANCELLED', '0:15'],
  node_fail: ['NODE_FAIL', '0:0', 'CANCELLED', '0:0'],
  preempted: ['PREEMPTED', '0:0', 'CANCELLED', '0:15'],
};

/** The sacct rows of a job that is not a pending array task (those collapse per range). */
export function sacctRows(job: SimJob, clusterNow: string): string[] {
  const t = timesOf(job, clusterNow);
  const { id, raw, name } = job;
  if (job.fate === 'pending') {
    const p = { ...t, start: 'Unknown', end: 'Unknown', elapsed: 0 };
    return [row(id, raw, name, 'PENDING', '0:0', p, 'None assigned')];
  }
  if (job.fate === 'running' || job.fate === 'completing') {
    // slurmdbd lags slurmctld: a COMPLETING job is still RUNNING in accounting.
    const r = { ...t, end: 'Unknown', elapsed: t.elapsed / 2 };
    return [
      row(id, raw, name, 'RUNNING', '0:0', r, node(job)),
      row(`${id}.batch`, `${raw}.batch`, 'batch', 'RUNNING', '0:0', r, node(job)),
      row(`${id}.extern`, `${raw}.extern`, 'extern', 'RUNNING', '0:0', r, node(job)),
    ];
  }
  const [state, exit, batchState, batchExit] =
    FINISHED[job.fate === 'requeued' ? 'completed' : job.fate] ?? [];
  const rows: string[] = [];
  if (job.fate === 'requeued') {
    // --duplicates: the run that hit a node failure, then the current one (submitted later).
    const first = { ...t, submit: at(clusterNow, 7 * 3600), end: t.start, elapsed: 120 };
    rows.push(row(id, raw, name, 'REQUEUED', '0:0', first, node(job)));
    rows.push(row(`${id}.batch`, `${raw}.batch`, 'batch', 'CANCELLED', '0:15', first, node(job)));
  }
  rows.push(row(id, raw, name, state ?? 'COMPLETED', exit ?? '0:0', t, node(job)));
  rows.push(
    row(`${id}.batch`, `${raw}.batch`, 'batch', batchState ?? 'COMPLETED', batchExit ?? '0:0', t, node(job)),
  );
  rows.push(row(`${id}.extern`, `${raw}.extern`, 'extern', 'COMPLETED', '0:0', t, node(job)));
  if (job.seed % 10 < 3)
    rows.push(
      row(`${id}.0`, `${raw}.0`, 'python', batchState ?? 'COMPLETED', batchExit ?? '0:0', t, node(job)),
    );
  return rows;
}

/** squeue shows live jobs, and finished ones for MinJobAge (300 s) after their end. */
export function squeueRow(job: SimJob, clusterNow: string): string | null {
  const t = timesOf(job, clusterNow);
  const live = job.fate === 'pending' || job.fate === 'running' || job.fate === 'completing';
  if (!live && t.endedAgo > 300) return null;
  const state =
    job.fate === 'pending'
      ? 'PENDING'
      : job.fate === 'running'
        ? 'RUNNING'
        : job.fate === 'completing'
          ? 'COMPLETING'
          : (FINISHED[job.fate]?.[0] ?? 'COMPLETED').split(' ')[0];
  const pending = job.fate === 'pending';
  const fields: Record<(typeof SQUEUE_FIELDS)[number], string> = {
    '%i': job.id,
    '%A': job.raw,
    '%T': state ?? 'COMPLETED',
    '%r': pending ? (PENDING_REASONS[job.seed % PENDING_REASONS.length] ?? 'Priority') : 'None',
    '%V': t.submit,
    '%S': pending ? 'N/A' : t.start,
    '%e': live ? 'N/A' : t.end,
    '%M': pending ? '0:00' : hms(live ? t.elapsed / 2 : t.elapsed),
    '%N': pending ? '' : node(job),
    '%u': 'alice',
    '%j': job.name,
  };
  return SQUEUE_FIELDS.map((f) => fields[f]).join(D);
}

/** sacct's one row for the pending tasks of an array within one query: `A_[3-5,9]`. */
function pendingArrayRows(tasks: readonly SimJob[], clusterNow: string): string[] {
  const byMaster = new Map<string, SimJob[]>();
  for (const t of tasks)
    if (t.arrayMaster !== null) byMaster.set(t.arrayMaster, [...(byMaster.get(t.arrayMaster) ?? []), t]);
  return [...byMaster].map(([master, list]) => {
    const ids = list.map((t) => Number(t.id.split('_')[1]));
    const ranges: string[] = [];
    for (let i = 0; i < ids.length; ) {
      let j = i;
      while (j + 1 < ids.length && ids[j + 1] === (ids[j] ?? 0) + 1) j++;
      ranges.push(i === j ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
      i = j + 1;
    }
    const first = list[0];
    if (first === undefined) return '';
    return sacctRows({ ...first, id: `${master}_[${ranges.join(',')}]`, raw: master }, clusterNow)[0] ?? '';
  });
}

/** The observe script's stdout for these id chunks (one squeue and one sacct section each). */
export function observeStdout(
  nonce: string,
  chunks: readonly string[],
  jobsById: ReadonlyMap<string, SimJob>,
  clusterNow: string,
): string {
  const M = markerPrefix(nonce);
  const out: string[] = [`${M}meta:user:alice`, `${M}meta:now:${clusterNow}`];
  chunks.forEach((chunk, i) => {
    const jobs = chunk.split(',').flatMap((id) => jobsById.get(id) ?? []);
    out.push(`${M}begin:squeue:${i}`);
    for (const j of jobs) {
      const line = squeueRow(j, clusterNow);
      if (line !== null) out.push(line);
    }
    out.push(`${M}end:squeue:${i}:0`, `${M}begin:sacct:${i}`);
    const pendingTasks = jobs.filter((j) => j.fate === 'pending' && j.arrayMaster !== null);
    for (const j of jobs)
      if (!(j.fate === 'pending' && j.arrayMaster !== null)) out.push(...sacctRows(j, clusterNow));
    out.push(...pendingArrayRows(pendingTasks, clusterNow));
    out.push(`${M}end:sacct:${i}:0`);
  });
  out.push(`${M}done`);
  return `${out.join('\n')}\n`;
}
