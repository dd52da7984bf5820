/**
 * `sacct --noheader --parsable2 --delimiter=<US> --duplicates --format=<SACCT_FIELDS>` → one
 * observation per job or array task. sacct is authoritative for finished jobs: final state,
 * exit code, elapsed time, and (with --duplicates) every earlier run of a requeued job.
 *
 * Rows come job line first, then its steps (`.batch`, `.extern`, `.0`); a requeued job repeats
 * that group once per run (REQUEUED, NODE_FAIL, … then the current run), though not necessarily
 * next to each other. A malformed row is skipped and reported; the rest goes on.
 */
import type { JobObservation } from '../../core/types.js';
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip, parseDuration, parseExitCode, parseNodes, parseText, parseTimestamp } from './fields.js';
import { expandArrayId, isValidJobId, splitStep } from './job-ids.js';
import { normalizeSlurmState } from './states.js';

/** The --format list; the parser reads fields by this order. */
export const SACCT_FIELDS = [
  'JobID',
  'JobIDRaw',
  'JobName',
  'State',
  'ExitCode',
  'Reason',
  'Submit',
  'Start',
  'End',
  'Elapsed',
  'NodeList',
] as const;

/** ASCII unit separator: no Slurm field, job name or reason contains it in practice. */
export const FIELD_SEPARATOR = '\x1f';

export interface SacctRow {
  readonly jobId: string;
  readonly jobIdRaw: string;
  readonly step: string | undefined;
  readonly name: string;
  readonly rawState: string;
  readonly exitCode: string;
  readonly reason: string;
  readonly submit: string;
  readonly start: string;
  readonly end: string;
  readonly elapsed: string;
  readonly nodes: string;
}

/** One job's final run with its steps, and how many runs sacct recorded. */
export interface SacctJob {
  readonly row: SacctRow;
  readonly steps: readonly SacctRow[];
  readonly runs: number;
}

export interface SacctParse {
  readonly jobs: ReadonlyMap<string, SacctJob>;
  readonly diagnostics: readonly ObserveDiagnostic[];
}

const COLUMNS = new WeakMap<readonly string[], readonly number[]>();

/** Where each of SACCT_FIELDS sits in a row of `fields`: worked out once per field list, not per row. */
function columnsOf(fields: readonly string[]): readonly number[] {
  let columns = COLUMNS.get(fields);
  if (columns === undefined) {
    const at = new Map(fields.map((name, i) => [name.toLowerCase(), i]));
    columns = SACCT_FIELDS.map((name) => at.get(name.toLowerCase()) ?? -1);
    COLUMNS.set(fields, columns);
  }
  return columns;
}

/**
 * One row; `fields` names the --format columns in order (default SACCT_FIELDS), `separator` the
 * --delimiter. JobID and State are required, the rest default to empty.
 */
export function parseSacctRow(
  line: string,
  fields: readonly string[] = SACCT_FIELDS,
  separator = FIELD_SEPARATOR,
): SacctRow | string {
  const f = line.split(separator);
  if (f.length !== fields.length) return `expected ${fields.length} fields, got ${f.length}`;
  const [id, raw, name, state, exit, reason, submit, start, end, elapsed, nodes] = columnsOf(fields).map(
    (i) => f[i] ?? '',
  ) as [string, string, string, string, string, string, string, string, string, string, string];
  const { job, step } = splitStep(id);
  if (!isValidJobId(job) && expandArrayId(job) === undefined) return `unreadable job id '${id}'`;
  if (state.trim() === '') return 'empty State';
  return {
    jobId: job,
    jobIdRaw: raw === '' ? job : splitStep(raw).job,
    step,
    name,
    rawState: state.trim(),
    exitCode: exit,
    reason,
    submit,
    start,
    end,
    elapsed,
    nodes,
  };
}

export function parseSacct(
  lines: readonly string[],
  fields: readonly string[] = SACCT_FIELDS,
  separator = FIELD_SEPARATOR,
): SacctParse {
  const diagnostics: ObserveDiagnostic[] = [];
  const runs = new Map<string, { row: SacctRow; steps: SacctRow[] }[]>();
  for (const line of lines) {
    if (line.trim() === '') continue;
    const row = parseSacctRow(line, fields, separator);
    if (typeof row === 'string') {
      diagnostics.push({ source: 'sacct', line: clip(line), why: row });
      continue;
    }
    // Pending array tasks share one row (`43_[5-9]`): every task gets its own copy.
    const ids = expandArrayId(row.jobId) ?? [row.jobId];
    for (const id of ids) {
      const own: SacctRow = id === row.jobId ? row : { ...row, jobId: id, jobIdRaw: id };
      const list = runs.get(id);
      if (own.step === undefined) {
        if (list) list.push({ row: own, steps: [] });
        else runs.set(id, [{ row: own, steps: [] }]);
      } else if (list) {
        // sacct prints a run's steps right after its job line: they belong to the latest run seen.
        list[list.length - 1]?.steps.push(own);
      } else {
        diagnostics.push({ source: 'sacct', line: clip(line), why: 'step row without its job row' });
      }
    }
  }
  const jobs = new Map<string, SacctJob>();
  for (const [id, list] of runs) {
    // --duplicates lists every run of a requeued job, not necessarily together: the current run
    // is the one submitted last (a requeue resets Submit), the later line on a tie.
    let current = list[0];
    for (const run of list) if (current && run.row.submit >= current.row.submit) current = run;
    if (current) jobs.set(id, { row: current.row, steps: current.steps, runs: list.length });
  }
  return { jobs, diagnostics };
}

/**
 * The observation of one sacct job. The job line can hide an OOM kill: with cgroups the
 * `.batch` (or `.extern`, or an srun) step says OUT_OF_MEMORY while the job says FAILED, or even
 * COMPLETED with exit 0. The step wins then, since the memory kill is the root of it.
 */
export function sacctObservation(job: SacctJob): JobObservation {
  const { row } = job;
  let state = normalizeSlurmState(row.rawState);
  let rawState = row.rawState;
  if (state === 'FAILED' || state === 'COMPLETED') {
    const oomStep = job.steps.find((s) => normalizeSlurmState(s.rawState) === 'OUT_OF_MEMORY');
    if (oomStep) {
      state = 'OUT_OF_MEMORY';
      rawState = oomStep.rawState;
    }
  }
  const exit = parseExitCode(row.exitCode);
  const reason = parseText(row.reason);
  const submittedAt = parseTimestamp(row.submit);
  const startedAt = parseTimestamp(row.start);
  const endedAt = parseTimestamp(row.end);
  const elapsedSeconds = parseDuration(row.elapsed);
  const nodes = parseNodes(row.nodes);
  const name = parseText(row.name);
  return {
    jobId: row.jobId,
    state,
    rawState,
    source: 'sacct',
    restarts: job.runs - 1,
    ...(row.jobIdRaw !== '' && row.jobIdRaw !== row.jobId ? { jobIdRaw: row.jobIdRaw } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(exit !== undefined ? { exit } : {}),
    ...(submittedAt !== undefined ? { submittedAt } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(endedAt !== undefined ? { endedAt } : {}),
    ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}),
    ...(nodes !== undefined ? { nodes } : {}),
  };
}
