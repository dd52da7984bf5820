/**
 * `sacct --noheader --parsable2 --delimiter=<US> --duplicates --format=<SACCT_FIELDS>` → one
 * observation per job or array task. sacct is authoritative for finished jobs: final state,
 * exit code, elapsed time, and (with --duplicates) every earlier run of a requeued job.
 *
 * Rows come job line first, then its steps (`.batch`, `.extern`, `.0`); a requeued job repeats
 * that group once per run (REQUEUED, NODE_FAIL, … then the current run), though not necessarily
 * next to each other. A malformed row is skipped and reported; the rest goes on.
 */
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip } from './fields.js';
import { expandArrayId, isValidJobId, splitStep } from './job-ids.js';
import { RowCursor, stateEntry } from './rows.js';

export { sacctObservation } from './sacct-observation.js';

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
  readonly row: SacctRow;
  /**
   * The State of the final run's first step that says OUT_OF_MEMORY, if any: steps matter only
   * for that (sacctObservation), so they are not kept as rows.
   */
  readonly oomStep: string | undefined;
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

// Positions in SACCT_FIELDS (and so in columnsOf's answer).
const DOT = 0x2e;
const [JOB_ID, JOB_ID_RAW, NAME, STATE, EXIT, REASON, SUBMIT, START, END, ELAPSED, NODES] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
] as const;

/** The job row of the cursor's current line; `jobId` and `rawState` are already validated. */
function rowOf(
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

/** A field list and delimiter, with a cursor of their own for reading a kept line again. */
class RowFormat {
  readonly cursor: RowCursor;
  readonly columns: readonly number[];

  constructor(fields: readonly string[], separator: string) {
    this.cursor = new RowCursor(fields.length, separator);
    this.columns = columnsOf(fields);
  }

  /** Field k of SACCT_FIELDS in `line`, a row of this format read before. */
  field(line: string, k: number): string {
    this.cursor.read(line);
    return this.cursor.field(this.columns[k] ?? -1);
  }
}

/**
 * The runs of one job seen so far (mutable while reading; a SacctJob once read). Only the final
 * run's line is kept, and its row is cut out of it when asked for: rows held for the whole answer
 * outlived the young generation, so 100,000 of them (~45 MB) went to the old one as garbage.
 */
class Runs implements SacctJob {
  oomStep: string | undefined = undefined;
  runs = 1;
  /** The latest run is the current one: steps that follow it can still hide an OOM. */
  open = true;

  constructor(
    private readonly format: RowFormat,
    readonly jobId: string,
    /** The final run's job line. */
    public line: string,
    /** A task of a pending array's range row (`43_[5-9]`): the row's id is the range's. */
    public task: boolean,
  ) {}

  get row(): SacctRow {
    const { cursor: c, columns: col } = this.format;
    c.read(this.line);
    const row = rowOf(c, col, this.jobId, undefined, stateEntry(c.field(col[STATE] ?? -1).trim()).raw);
    return this.task ? { ...row, jobIdRaw: this.jobId } : row;
  }
}

/**
 * sacct rows fed one line at a time (straight from the framed output, no line array), read
 * into one SacctJob per job and array task. parseSacct is the same over an array of lines.
 */
export class SacctReader {
  readonly diagnostics: ObserveDiagnostic[] = [];
  private readonly runs = new Map<string, Runs>();
  private readonly format: RowFormat;
  private readonly cursor: RowCursor;
  private readonly columns: readonly number[];
  /** The last job row read with a plain id, and its runs: where the steps that follow it go. */
  private lastId = '';
  private lastRuns: Runs | undefined;

  constructor(
    private readonly fields: readonly string[] = SACCT_FIELDS,
    separator = FIELD_SEPARATOR,
  ) {
    this.format = new RowFormat(fields, separator);
    this.cursor = new RowCursor(fields.length, separator);
    this.columns = this.format.columns;
  }

  get jobs(): ReadonlyMap<string, SacctJob> {
    return this.runs;
  }

  add(line: string): void {
    const why = this.read(line);
    if (why !== undefined) this.report(line, why);
  }

  /** Reads one row into its job; returns why the row was skipped, if it was. */
  private read(line: string): string | undefined {
    if (line.trim() === '') return undefined;
    const { cursor: c, columns: col } = this;
    const n = c.read(line);
    if (n !== this.fields.length) return `expected ${this.fields.length} fields, got ${n}`;
    if (this.lastRuns !== undefined && c.fieldStartsWith(col[JOB_ID] ?? -1, this.lastId, DOT)) {
      // A step of the job row just read (sacct's usual order): its id is valid and its runs are
      // at hand, so neither the id is cut out nor the map searched.
      const state = c.field(col[STATE] ?? -1).trim();
      if (state === '') return 'empty State';
      this.stepOf(this.lastRuns, state);
      return undefined;
    }
    const id = c.field(col[JOB_ID] ?? -1);
    const dot = id.indexOf('.');
    const job = dot < 0 ? id : id.slice(0, dot);
    // Pending array tasks share one row (`43_[5-9]`): every task gets its own copy.
    const valid = isValidJobId(job);
    const tasks = valid ? undefined : expandArrayId(job);
    if (!valid && tasks === undefined) return `unreadable job id '${id}'`;
    const state = c.field(col[STATE] ?? -1).trim();
    if (state === '') return 'empty State';
    if (dot >= 0) {
      // A step: only its State matters (a hidden OOM), so no row is built for it.
      if (tasks === undefined) this.step(job, state, line);
      else for (const task of tasks) this.step(task, state, line);
      return undefined;
    }
    // The state is checked (and memoized) now; the row is cut out when the job is observed.
    stateEntry(state);
    const submit = c.field(col[SUBMIT] ?? -1);
    this.lastRuns = undefined;
    if (tasks === undefined) {
      this.lastId = job;
      this.lastRuns = this.run(job, line, false, submit);
    } else for (const task of tasks) this.run(task, line, true, submit);
    return undefined;
  }

  private run(id: string, line: string, task: boolean, submit: string): Runs {
    const seen = this.runs.get(id);
    if (seen === undefined) {
      const runs = new Runs(this.format, id, line, task);
      this.runs.set(id, runs);
      return runs;
    }
    seen.runs++;
    // --duplicates lists every run of a requeued job, not necessarily together: the current run
    // is the one submitted last (a requeue resets Submit), the later line on a tie. An earlier
    // run can never become current again, so its steps need not be kept.
    seen.open = submit >= this.format.field(seen.line, SUBMIT);
    if (seen.open) {
      seen.line = line;
      seen.task = task;
      seen.oomStep = undefined;
    }
    return seen;
  }

  private step(id: string, state: string, line: string): void {
    const seen = this.runs.get(id);
    if (seen === undefined) this.report(line, 'step row without its job row');
    else this.stepOf(seen, state);
  }

  /** sacct prints a run's steps right after its job line: they belong to the latest run seen. */
  private stepOf(seen: Runs, state: string): void {
    if (seen.open && seen.oomStep === undefined) {
      const entry = stateEntry(state);
      if (entry.state === 'OUT_OF_MEMORY') seen.oomStep = entry.raw;
    }
  }

  private report(line: string, why: string): void {
    this.diagnostics.push({ source: 'sacct', line: clip(line), why });
  }
}

export function parseSacct(
  lines: readonly string[],
  fields: readonly string[] = SACCT_FIELDS,
  separator = FIELD_SEPARATOR,
): SacctParse {
  const reader = new SacctReader(fields, separator);
  for (const line of lines) reader.add(line);
  return { jobs: reader.jobs, diagnostics: reader.diagnostics };
}
