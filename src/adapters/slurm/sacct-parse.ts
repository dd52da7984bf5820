/**
 * `sacct --noheader --parsable2 --delimiter=<US> --duplicates --format=<SACCT_FIELDS>` → one
 * observation per job or array task. sacct is authoritative for finished jobs: final state,
 * exit code, elapsed time, and (with --duplicates) every earlier run of a requeued job.
 *
 * Rows come job line first, then its steps (`.batch`, `.extern`, `.0`); a requeued job repeats
 * that group once per run (REQUEUED, NODE_FAIL, … then the current run), though not necessarily
 * next to each other. A malformed row is skipped and reported; the rest goes on.
 */
import { ownText } from '../../core/own-text.js';
import type { JobObservation } from '../../core/types.js';
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip } from './fields.js';
import { expandArrayId, isValidJobId } from './job-ids.js';
import { RowCursor, stateEntry } from './rows.js';
import { rowObservation } from './sacct-observation.js';
import {
  columnsOf,
  DOT,
  FIELD_SEPARATOR,
  JOB_ID,
  Runs,
  rowOf,
  SACCT_FIELDS,
  type SacctJob,
  STATE,
  SUBMIT,
} from './sacct-row.js';

export { sacctObservation } from './sacct-observation.js';
export { FIELD_SEPARATOR, parseSacctRow, SACCT_FIELDS, type SacctJob, type SacctRow } from './sacct-row.js';

export interface SacctParse {
  readonly jobs: ReadonlyMap<string, SacctJob>;
  readonly diagnostics: readonly ObserveDiagnostic[];
}

/** A job's runs as they were before rows that may be taken back touched them. */
type RunsState = Pick<Runs, 'oomStep' | 'runs' | 'open' | 'base' | 'submit'>;

/** What rows read since a checkpoint changed, to take them back. */
interface Undo {
  readonly diagnostics: number;
  readonly lastId: string;
  readonly lastRuns: Runs | undefined;
  /** The jobs the rows made, taken out on rollback: a list, as nearly every job is new. */
  readonly made: string[];
  /** Each job read before the checkpoint that the rows changed: its runs before them. */
  readonly before: Map<string, RunsState>;
}

/**
 * sacct rows fed one line at a time (straight from the framed output, no line array), read
 * into one SacctJob per job and array task. parseSacct is the same over an array of lines.
 */
export class SacctReader {
  readonly diagnostics: ObserveDiagnostic[] = [];
  private readonly runs = new Map<string, Runs>();
  private readonly cursor: RowCursor;
  private readonly columns: readonly number[];
  /** The last job row read with a plain id, and its runs: where the steps that follow it go. */
  private lastId = '';
  private lastRuns: Runs | undefined;
  private undo: Undo | undefined;
  /** Counts checkpoints: a job whose Runs.epoch is the current one was made since the last. */
  private epoch = 0;

  constructor(
    private readonly fields: readonly string[] = SACCT_FIELDS,
    separator = FIELD_SEPARATOR,
  ) {
    this.cursor = new RowCursor(fields.length, separator);
    this.columns = columnsOf(fields);
  }

  get jobs(): ReadonlyMap<string, SacctJob> {
    return this.runs;
  }

  add(line: string): void {
    const why = this.read(line);
    if (why !== undefined) this.report(line, why);
  }

  /**
   * The rows added from now on can be taken back (rollback) until commit: a section of the
   * streamed answer is read as it comes, before its exit status says whether sacct finished.
   */
  checkpoint(): void {
    const { diagnostics, lastId, lastRuns } = this;
    this.epoch++;
    this.undo = { diagnostics: diagnostics.length, lastId, lastRuns, made: [], before: new Map() };
  }

  commit(): void {
    this.undo = undefined;
  }

  /** Back to the checkpoint: jobs, runs and diagnostics as if the rows since had not come. */
  rollback(): void {
    const undo = this.undo;
    if (undo === undefined) return;
    this.undo = undefined;
    for (const id of undo.made) this.runs.delete(id);
    for (const [id, state] of undo.before) {
      const runs = this.runs.get(id);
      if (runs !== undefined) Object.assign(runs, state);
    }
    this.diagnostics.length = undo.diagnostics;
    this.lastId = undo.lastId;
    this.lastRuns = undo.lastRuns;
  }

  /** Notes a job's runs as they are, before the first change since the checkpoint. */
  private touch(id: string, runs: Runs): void {
    const undo = this.undo;
    if (undo !== undefined && runs.epoch !== this.epoch && !undo.before.has(id)) {
      const { oomStep, open, base, submit } = runs;
      undo.before.set(id, { oomStep, runs: runs.runs, open, base, submit });
    }
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
      this.lastRuns = this.run(job, false, submit);
    } else for (const task of tasks) this.run(task, true, submit);
    return undefined;
  }

  /** Job `id`'s runs with the cursor's job row read; `task`: a task of a pending array's range row. */
  private run(id: string, task: boolean, submit: string): Runs {
    const seen = this.runs.get(id);
    if (seen === undefined) {
      const base = this.observe(id, task);
      const runs = new Runs(base, keptSubmit(submit, base));
      runs.epoch = this.epoch;
      // Keyed by the observation's own copy of the id: a key cut from the line would keep its piece.
      this.runs.set(runs.base.jobId, runs);
      this.undo?.made.push(runs.base.jobId);
      return runs;
    }
    this.touch(id, seen);
    seen.runs++;
    // --duplicates lists every run of a requeued job, not necessarily together: the current run
    // is the one submitted last (a requeue resets Submit), the later line on a tie. An earlier
    // run can never become current again, so its steps need not be kept.
    seen.open = submit >= seen.submit;
    if (seen.open) {
      seen.base = this.observe(id, task);
      seen.submit = keptSubmit(submit, seen.base);
      seen.oomStep = undefined;
    }
    return seen;
  }

  /** The cursor's job row as job `id`: a range row's task is its own raw id. */
  private observe(id: string, task: boolean): JobObservation {
    const { cursor: c, columns: col } = this;
    const row = rowOf(c, col, id, undefined, stateEntry(c.field(col[STATE] ?? -1).trim()).raw);
    return rowObservation(task ? { ...row, jobIdRaw: id } : row);
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
      if (entry.state !== 'OUT_OF_MEMORY') return;
      this.touch(seen.base.jobId, seen);
      seen.oomStep = entry.raw;
    }
  }

  private report(line: string, why: string): void {
    this.diagnostics.push({ source: 'sacct', line: clip(line), why });
  }
}

/** The Submit text to keep: the observation's own copy when it is the same text (nearly always). */
function keptSubmit(submit: string, base: JobObservation): string {
  return base.submittedAt === submit ? base.submittedAt : ownText(submit);
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
