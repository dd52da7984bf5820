/**
 * The text form of `sky jobs queue` (every version; the only form before 0.12). What the CLI
 * prints (sky/cli.py, later sky/client/cli/command.py `jobs_queue`, and `format_job_table` in
 * sky/jobs/utils.py):
 *
 *   Fetching managed job statuses...
 *   Managed jobs
 *   In progress tasks: 1 RUNNING, 1 STARTING        (or: No in-progress managed jobs.)
 *   ID  TASK  NAME  …  #RECOVERIES  STATUS  …       (the header: columns vary by version)
 *   7   -     sw-x  …  1            RUNNING …       (a single-task job)
 *   9         pipe  …  2            RUNNING (task: 1)   (a pipeline's aggregate row …)
 *    ↳  0     prep  …  0            SUCCEEDED       (… and one `↳` row per task)
 *                                                   (a blank row closes a pipeline)
 *   Only showing the latest 50 managed jobs(use --limit …)   (when cut)
 *
 * When the controller is down the CLI prints its message instead of a table and still exits 0:
 * no header means no queue. Colours are stripped first (click drops them off a terminal, but a
 * forced colour or a failure reason stored with ANSI codes may carry them).
 */
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip } from '../slurm/fields.js';
import { parseSkyDuration } from './durations.js';
import { present, type QueueParse, type SkyJob } from './sky-job.js';
import { skyStatusWord } from './states.js';
import { findHeader, headerColumns, sliceRow, stripAnsi } from './text-table.js';

const REQUIRED = ['ID', 'NAME', 'STATUS'] as const;
const PREAMBLE =
  /^(Fetching managed job statuses|Managed jobs|In progress tasks:|No in-progress managed jobs)/;
const PARTIAL = /^Only showing the latest \d+/i;

interface Row {
  readonly cells: string[];
  readonly line: string;
}

interface JobRows {
  readonly main: Row;
  readonly tasks: Row[];
}

export function parseQueueTable(text: string): QueueParse {
  const lines = stripAnsi(text).replace(/\r\n?/g, '\n').split('\n');
  const h = findHeader(lines, REQUIRED);
  if (h < 0) {
    const words = lines.map((l) => l.trim()).filter((l) => l !== '' && !PREAMBLE.test(l));
    return { jobs: [], diagnostics: [], failure: clip(words.join(' ') || 'no output'), partial: false };
  }
  const columns = headerColumns(lines[h] ?? '');
  const index = new Map(columns.map((c, i) => [c.name, i]));
  const idAt = index.get('ID') ?? 0;
  const diagnostics: ObserveDiagnostic[] = [];
  const skip = (line: string, why: string) => diagnostics.push({ source: 'sky', line: clip(line), why });
  const groups: JobRows[] = [];
  let last: Row | undefined;
  let partial = false;

  for (const line of lines.slice(h + 1)) {
    if (line.trim() === '') {
      last = undefined;
      continue;
    }
    if (PARTIAL.test(line.trim())) {
      partial = true;
      last = undefined;
      continue;
    }
    const cells = sliceRow(line, columns);
    const id = cells[idAt] ?? '';
    if (/^\d+$/.test(id)) {
      last = { cells, line };
      groups.push({ main: last, tasks: [] });
    } else if (id === '↳') {
      const group = groups[groups.length - 1];
      if (!group || last === undefined) {
        skip(line, 'task row (↳) without its job row; skipped');
        continue;
      }
      last = { cells, line };
      group.tasks.push(last);
    } else if (id === '' && last !== undefined) {
      // A multi-line cell (a failure reason with a newline) continues on this line.
      const prev = last;
      cells.forEach((c, i) => {
        if (c !== '') prev.cells[i] = prev.cells[i] === '' ? c : `${prev.cells[i]}\n${c}`;
      });
    } else {
      skip(line, 'not a queue row (no job id in the ID column); skipped');
      last = undefined;
    }
  }

  const cell = (row: Row, name: string): string | undefined => {
    const i = index.get(name);
    return i === undefined ? undefined : present(row.cells[i]);
  };
  const jobs: SkyJob[] = [];
  for (const { main, tasks } of groups) {
    const status = cell(main, 'STATUS');
    if (status === undefined) {
      skip(main.line, 'queue row without a status; skipped');
      continue;
    }
    jobs.push(toJob(main, tasks, status, cell, diagnostics));
  }
  return { jobs, diagnostics, partial };
}

function toJob(
  main: Row,
  tasks: readonly Row[],
  status: string,
  cell: (row: Row, name: string) => string | undefined,
  diagnostics: ObserveDiagnostic[],
): SkyJob {
  const id = cell(main, 'ID') ?? '';
  const word = skyStatusWord(status);
  // The aggregate row says `RUNNING (task: 1)`: that task's row has its cluster and failure.
  const current = /\(task:\s*(\d+)\)/.exec(status)?.[1];
  const task =
    tasks.find((t) => cell(t, 'TASK') === current) ??
    tasks.find(
      (t) => cell(t, 'STATUS') !== undefined && skyStatusWord(cell(t, 'STATUS') ?? '') !== 'SUCCEEDED',
    );
  const recoveriesText = cell(main, '#RECOVERIES');
  const recoveries =
    recoveriesText !== undefined && /^\d+$/.test(recoveriesText) ? Number(recoveriesText) : undefined;
  if (recoveriesText !== undefined && recoveries === undefined) {
    diagnostics.push({
      source: 'sky',
      line: clip(main.line),
      why: `#RECOVERIES '${clip(recoveriesText, 40)}' is not a count; ignored`,
    });
  }
  const durationText = cell(main, 'JOB DURATION');
  const duration = durationText === undefined ? undefined : parseSkyDuration(durationText);
  const submittedText = cell(main, 'SUBMITTED');
  const submittedAgo = submittedText === undefined ? undefined : parseSkyDuration(submittedText);
  // 0.6–0.8: FAILURE holds the failure reason; later DETAILS holds details or `Failure: <reason>`.
  const failureCell = cell(main, 'FAILURE') ?? (task ? cell(task, 'FAILURE') : undefined);
  const detailsCell = cell(main, 'DETAILS') ?? (task ? cell(task, 'DETAILS') : undefined);
  const failureReason =
    failureCell ?? (detailsCell?.startsWith('Failure: ') ? detailsCell.slice(9) : undefined);
  const details = detailsCell !== undefined && !detailsCell.startsWith('Failure: ') ? detailsCell : undefined;
  const where = task ?? main;
  const cluster = cell(where, 'WORKER_CLUSTER') ?? cell(where, 'INFRA');
  const name = cell(main, 'NAME');
  const user = cell(main, 'USER');
  return {
    jobId: id,
    status: word,
    tasks: Math.max(1, tasks.length),
    ...(name !== undefined ? { name } : {}),
    ...(recoveries !== undefined ? { recoveries } : {}),
    ...(duration !== undefined ? { jobDurationSeconds: duration } : {}),
    ...(submittedAgo !== undefined ? { submittedAgoSeconds: submittedAgo } : {}),
    ...(failureReason !== undefined ? { failureReason } : {}),
    ...(details !== undefined ? { details } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(user !== undefined ? { user } : {}),
  };
}
