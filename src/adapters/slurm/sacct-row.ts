/**
 * One sacct row: the --format list it is read by, the row as a record, and the runs of one job
 * as SacctReader (sacct-parse.ts) keeps them while reading.
 */

import type { JobObservation } from '../../core/types.js';
import { expandArrayId, isValidJobId, splitStep } from './job-ids.js';
import { RowCursor } from './rows.js';

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

/** One job's final run, and how many runs sacct recorded. */
export interface SacctJob {
  /** The final run's observation as its job row gives it (sacctObservation finishes it). */
  readonly base: JobObservation;
  /**
   * The State of the final run's first step that says OUT_OF_MEMORY, if any: steps matter only
   * for that (sacctObservation), so they are not kept as rows.
   */
  readonly oomStep: string | undefined;
  readonly runs: number;
}

const COLUMNS = new WeakMap<readonly string[], readonly number[]>();

/** Where each of SACCT_FIELDS sits in a row of `fields`: worked out once per field list, not per row. */
export function columnsOf(fields: readonly string[]): readonly number[] {
  let columns = COLUMNS.get(fields);
  if (columns === undefined) {
    const at = new Map(fields.map((name, i) => [name.toLowerCase(), i]));
    columns = SACCT_FIELDS.map((name) => at.get(name.toLowerCase()) ?? -1);
    COLUMNS.set(fields, columns);
  }
  return columns;
}

// Positions in SACCT_FIELDS (and so in columnsOf's answer).
export const DOT = 0x2e;
export const [JOB_ID, JOB_ID_RAW, NAME, STATE, EXIT, REASON, SUBMIT, START, END, ELAPSED, NODES] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
] as const;

/** The job row of the cursor's current line; `jobId` and `rawState` are already validated. */
export function rowOf(
  c: RowCursor,
  col: readonly number[],
  jobId: string,
  step: string | undefined,
  rawState: string,
) {
  const raw = c.field(col[JOB_ID_RAW] ?? -1);
  const row: SacctRow = {
    jobId,
    jobIdRaw: raw === '' ? jobId : splitStep(raw).job,
    step,
    name: c.field(col[NAME] ?? -1),
    rawState,
    exitCode: c.field(col[EXIT] ?? -1),
    reason: c.field(col[REASON] ?? -1),
    submit: c.field(col[SUBMIT] ?? -1),
    start: c.field(col[START] ?? -1),
    end: c.field(col[END] ?? -1),
    elapsed: c.field(col[ELAPSED] ?? -1),
    nodes: c.field(col[NODES] ?? -1),
  };
  return row;
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
  const c = new RowCursor(fields.length, separator);
  const col = columnsOf(fields);
  const n = c.read(line);
  if (n !== fields.length) return `expected ${fields.length} fields, got ${n}`;
  const id = c.field(col[JOB_ID] ?? -1);
  const { job, step } = splitStep(id);
  if (!isValidJobId(job) && expandArrayId(job) === undefined) return `unreadable job id '${id}'`;
  const state = c.field(col[STATE] ?? -1).trim();
  if (state === '') return 'empty State';
  return rowOf(c, col, job, step, state);
}

/**
 * The runs of one job seen so far (mutable while reading; a SacctJob once read). The final run's
 * observation is made from its job line as the line is read, and the line let go: the answer
 * streams in, and neither its lines nor rows cut from them (~45 MB at 100,000 jobs when rows
 * were kept) outlive the piece they came in.
 */
export class Runs implements SacctJob {
  oomStep: string | undefined = undefined;
  runs = 1;
  /** The latest run is the current one: steps that follow it can still hide an OOM. */
  open = true;
  /** The reader's checkpoint when the job was first read (SacctReader.rollback). */
  epoch = 0;

  constructor(
    public base: JobObservation,
    /** The final run's Submit as sacct printed it: a later one is a later run. */
    public submit: string,
  ) {}
}
