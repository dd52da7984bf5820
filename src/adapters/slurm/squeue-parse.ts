/**
 * `squeue --noheader --array --states=all -o <SQUEUE_FORMAT>` → observations. squeue is the live
 * view: authoritative for pending/running state and pending reasons, and (with --states=all) it
 * still shows finished jobs for MinJobAge seconds, which is what the fallback lives on when
 * accounting is down. It has no exit codes; scontrol fills those in (scontrol-parse.ts).
 */
import { ownText } from '../../core/own-text.js';
import type { JobObservation } from '../../core/types.js';
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip, parseDuration, parseNodes, parseText, parseTimestamp, secondsBetween } from './fields.js';
import { expandArrayId } from './job-ids.js';
import { RowCursor, stateEntry } from './rows.js';
import { FIELD_SEPARATOR } from './sacct-parse.js';
import { isLiveState } from './states.js';

/**
 * The -o fields we ask for: id, raw id, state, reason, submit, start, end, time used, nodes,
 * user, name. The state must stay third: the observe script's fallback reads it by position.
 */
export const SQUEUE_FIELDS = ['%i', '%A', '%T', '%r', '%V', '%S', '%e', '%M', '%N', '%u', '%j'] as const;

export interface SqueueContext {
  /** The -o field codes in output order (default SQUEUE_FIELDS); other captures may differ. */
  readonly fields?: readonly string[];
  /** Only this user's rows are kept; squeue was already asked for them alone (defence in depth). */
  readonly user?: string;
  /** The cluster's clock (local time, like the timestamps) for pendingSeconds. */
  readonly remoteNow?: string;
}

export interface SqueueParse {
  readonly observations: readonly JobObservation[];
  readonly diagnostics: readonly ObserveDiagnostic[];
}

// Positions in SQUEUE_FIELDS.
const [ID, RAW, STATE, REASON, SUBMIT, START, END, USED, NODES, USER, NAME] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
] as const;

type Draft = { -readonly [K in keyof JobObservation]: JobObservation[K] };

/**
 * squeue rows fed one line at a time (straight from the framed output, no line array).
 * parseSqueue is the same over an array of lines.
 */
export class SqueueReader {
  readonly observations: JobObservation[] = [];
  readonly diagnostics: ObserveDiagnostic[] = [];
  private readonly cursor: RowCursor;
  /** Column of each of SQUEUE_FIELDS in a row (-1: not in the field list). */
  private readonly columns: readonly number[];
  private readonly hasUser: boolean;
  private readonly width: number;

  constructor(private readonly context: SqueueContext = {}) {
    const fields = context.fields ?? SQUEUE_FIELDS;
    // A Map, as before: with a code listed twice, its last column is the one read.
    const at = new Map(fields.map((code, i) => [code, i]));
    this.columns = SQUEUE_FIELDS.map((code) => at.get(code) ?? -1);
    this.hasUser = at.has('%u');
    this.width = fields.length;
    this.cursor = new RowCursor(fields.length, FIELD_SEPARATOR);
  }

  add(line: string): void {
    const why = this.read(line);
    if (why !== undefined) this.diagnostics.push({ source: 'squeue', line: clip(line), why });
  }

  /** Reads one row into observations; returns why the row was skipped, if it was. */
  private read(line: string): string | undefined {
    if (line.trim() === '') return undefined;
    const context = this.context;
    const n = this.cursor.read(line);
    if (n !== this.width) return `expected ${this.width} fields, got ${n}`;
    const id = this.cell(ID);
    const ids = expandArrayId(id.trim());
    if (ids === undefined) return `unreadable job id '${id}'`;
    const rawState = this.cell(STATE).trim();
    if (rawState === '') return 'empty state';
    if (context.user !== undefined && this.hasUser) {
      const user = this.cell(USER).trim();
      if (user !== context.user) return `job of another user (${user}) ignored`;
    }
    const { raw: stateText, state } = stateEntry(rawState);
    const pending = state === 'PENDING';
    const live = isLiveState(state);
    const reason = parseText(this.cell(REASON));
    const submittedAt = parseTimestamp(this.cell(SUBMIT));
    // For a pending job %S is the *expected* start, for a running one %e the *expected* end.
    const startedAt = pending ? undefined : parseTimestamp(this.cell(START));
    const endedAt = live ? undefined : parseTimestamp(this.cell(END));
    const elapsedSeconds = pending ? undefined : parseDuration(this.cell(USED));
    const nodes = parseNodes(this.cell(NODES));
    const name = parseText(this.cell(NAME));
    const pendingSeconds =
      pending && submittedAt !== undefined && context.remoteNow !== undefined
        ? secondsBetween(submittedAt, context.remoteNow)
        : undefined;
    const raw = ids.length === 1 ? this.cell(RAW).trim() : '';
    for (const id of ids) {
      // Ids are cut from the answer (or built on a piece of it): kept, they must not hold it.
      const jobId = ownText(id);
      // Field by field rather than a spread per optional field; the keys keep the spreads' order.
      const o: Draft = { jobId, state, rawState: stateText, source: 'squeue' };
      if (raw !== '' && raw !== id) o.jobIdRaw = ownText(raw);
      if (name !== undefined) o.name = name;
      if (reason !== undefined) o.reason = reason;
      if (submittedAt !== undefined) o.submittedAt = submittedAt;
      if (startedAt !== undefined) o.startedAt = startedAt;
      if (endedAt !== undefined) o.endedAt = endedAt;
      if (elapsedSeconds !== undefined) o.elapsedSeconds = elapsedSeconds;
      if (nodes !== undefined) o.nodes = nodes;
      if (pendingSeconds !== undefined) o.pendingSeconds = pendingSeconds;
      this.observations.push(o);
    }
    return undefined;
  }

  /** Field k of SQUEUE_FIELDS in the current row. */
  private cell(k: number): string {
    return this.cursor.field(this.columns[k] ?? -1);
  }
}

export function parseSqueue(lines: readonly string[], context: SqueueContext = {}): SqueueParse {
  const reader = new SqueueReader(context);
  for (const line of lines) reader.add(line);
  return { observations: reader.observations, diagnostics: reader.diagnostics };
}
