import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQueueJson } from '../../src/adapters/skypilot/queue-json.js';
import { parseQueueTable } from '../../src/adapters/skypilot/queue-table.js';
import { type SkyJob, toObservation } from '../../src/adapters/skypilot/sky-job.js';
import { headerColumns, sliceRow, stripAnsi } from '../../src/adapters/skypilot/text-table.js';

const fixture = (name: string) => readFileSync(resolve(__dirname, '../fixtures/skypilot', name), 'utf8');
const byId = (jobs: readonly SkyJob[]) => new Map(jobs.map((j) => [j.jobId, j]));

/** The statuses every layout's fixture carries, by job id (0.6 has SUBMITTED at 13 and PENDING at 16). */
const STATUSES: Record<string, string> = {
  '14': 'RUNNING',
  '12': 'STARTING',
  '11': 'RECOVERING',
  '10': 'RUNNING',
  '9': 'RUNNING',
  '8': 'CANCELLING',
  '7': 'FAILED_SETUP',
  '6': 'FAILED_NO_RESOURCE',
  '5': 'FAILED_PRECHECKS',
  '4': 'FAILED_CONTROLLER',
  '3': 'FAILED',
  '2': 'CANCELLED',
  '1': 'SUCCEEDED',
};

const layouts = [
  ['0.6 `--all` (colours kept)', 'queue-v0.6-all.ansi.txt', 'table'],
  ['0.10 `--all -v`', 'queue-v0.10-all-verbose.txt', 'table'],
  ['0.13 `--all -v` (table)', 'queue-v0.13-all-verbose.txt', 'table'],
  ['newest `--all -v` (PROGRESS)', 'queue-newest-all-verbose.txt', 'table'],
  ['0.13 `--all -v -o json`', 'queue-v0.13-all-verbose.json', 'json'],
] as const;

describe.each(layouts)('queue layout %s', (_label, file, format) => {
  const parsed = format === 'json' ? parseQueueJson(fixture(file)) : parseQueueTable(fixture(file));
  const jobs = byId(parsed.jobs);

  it('reads every job, nothing skipped, nothing partial', () => {
    expect(parsed.failure).toBeUndefined();
    expect(parsed.partial).toBe(false);
    expect(parsed.diagnostics).toEqual([]);
    for (const [id, status] of Object.entries(STATUSES))
      expect(jobs.get(id)?.status, `job ${id}`).toBe(status);
    expect(jobs.get('13')?.status).toBe(file.includes('v0.6') ? 'SUBMITTED' : 'PENDING');
  });

  it('aggregates the pipeline (↳ rows) into one job: current task, summed recoveries', () => {
    const pipe = jobs.get('9');
    expect(pipe).toMatchObject({ name: 'sw-demo-pipe0001', status: 'RUNNING', recoveries: 2, tasks: 2 });
    expect(pipe?.jobDurationSeconds).toBe(88_700);
  });

  it('reads recoveries, durations, names and failure reasons without ANSI', () => {
    expect(jobs.get('11')).toMatchObject({
      name: 'sw-demo-c2e3f4a5',
      recoveries: 1,
      jobDurationSeconds: 1800,
    });
    expect(jobs.get('10')?.jobDurationSeconds).toBe(5400);
    expect(jobs.get('1')?.recoveries).toBe(3);
    expect(jobs.get('14')?.name).toBe('my-notebook');
    expect(jobs.get('6')?.failureReason).toBe(
      'sky.exceptions.ManagedJobReachedMaxRetriesError: Resources unavailable: failed to launch clusters after 3 retries.',
    );
    // A failure reason with a newline continues on the next line of the table.
    expect(jobs.get('5')?.failureReason).toBe(
      '[sky.exceptions.ResourcesUnavailableError] Catalog does not contain any instances satisfying the request:\n' +
        'Failed to acquire resources in all zones in us-east-1.',
    );
    expect(jobs.get('7')?.failureReason).toBe('To see the details, run: sky jobs logs --controller 7');
    expect(jobs.get('2')?.failureReason).toBeUndefined();
  });

  it('turns a job into an observation keeping the raw status', () => {
    const o = toObservation(jobs.get('11') as SkyJob, { source: 'test', remoteEpoch: 1_777_636_800 });
    expect(o).toMatchObject({
      jobId: '11',
      state: 'RUNNING',
      rawState: 'RECOVERING',
      reason: 'RECOVERING',
      restarts: 1,
    });
    const failed = toObservation(jobs.get('4') as SkyJob, { source: 'test' });
    expect(failed.state).toBe('FAILED');
    expect(failed.rawState).toBe('FAILED_CONTROLLER');
    expect(failed.reason).toMatch(/^Unexpected error occurred: \[RuntimeError\]/);
    expect(failed.stdoutPath).toBe('sky-jobs-logs:4');
  });
});

describe('JSON specifics', () => {
  const jobs = byId(parseQueueJson(fixture('queue-v0.13-all-verbose.json')).jobs);

  it('keeps exact timestamps and measures pending time on the remote clock', () => {
    const running = toObservation(jobs.get('10') as SkyJob, { source: 'json', remoteEpoch: 1_777_636_800 });
    expect(running.submittedAt).toBe('2026-05-01T09:56:56.250Z');
    expect(running.nodes).toBe('sw-demo-c3f4a5b6-10');
    const starting = toObservation(jobs.get('12') as SkyJob, { source: 'json', remoteEpoch: 1_777_636_800 });
    expect(starting).toMatchObject({ state: 'PENDING', reason: 'STARTING', pendingSeconds: 8 });
    const done = toObservation(jobs.get('1') as SkyJob, { source: 'json' });
    expect(done.endedAt).toBeDefined();
  });

  it('skips records without an id or status, and finds the array amid other output', () => {
    const text = `warning: something\n[\n {"job_id": 3, "task_id": 0, "status": "RUNNING", "job_name": "a"},\n {"job_id": "x"},\n 7\n]\ntrailing\n`;
    const parsed = parseQueueJson(text);
    expect(parsed.jobs.map((j) => j.jobId)).toEqual(['3']);
    expect(parsed.diagnostics).toHaveLength(2);
  });

  it('reports output with no array as no queue', () => {
    expect(parseQueueJson('Error: the API server is down').failure).toMatch(/API server/);
  });
});

describe('table specifics', () => {
  it('reads the newest PROGRESS layout with WINDING_DOWN and the worker cluster', () => {
    const jobs = byId(parseQueueTable(fixture('queue-newest-all-verbose.txt')).jobs);
    expect(jobs.get('15')).toMatchObject({ status: 'WINDING_DOWN', name: 'sw-demo-batch0001' });
    expect(jobs.get('10')?.cluster).toBe('sw-demo-c3f4a5b6-10');
  });

  it('gives pending time from the relative SUBMITTED column, as a lower bound', () => {
    const jobs = byId(parseQueueTable(fixture('queue-v0.10-all-verbose.txt')).jobs);
    expect(jobs.get('12')?.submittedAgoSeconds).toBe(0);
    expect(jobs.get('10')?.submittedAgoSeconds).toBe(7200);
    expect(toObservation(jobs.get('13') as SkyJob, { source: 't' }).pendingSeconds).toBeUndefined();
  });

  it('strips colours: 0.6 on a terminal reads like 0.6 off one', () => {
    const raw = fixture('queue-v0.6-all.ansi.txt');
    expect(raw).toContain('\x1b[');
    expect(parseQueueTable(raw).jobs).toEqual(parseQueueTable(stripAnsi(raw)).jobs);
  });

  it('skips malformed rows with a diagnostic and keeps the rest', () => {
    const text = [
      'ID  TASK  NAME   STATUS',
      '1   -     sw-a   RUNNING',
      'xx  -     junk   RUNNING',
      '2   -     sw-b',
      '',
      ' ↳  0     stray  RUNNING',
      '3   -     sw-c   FAILED',
    ].join('\n');
    const parsed = parseQueueTable(text);
    expect(parsed.jobs.map((j) => [j.jobId, j.status])).toEqual([
      ['1', 'RUNNING'],
      ['3', 'FAILED'],
    ]);
    expect(parsed.diagnostics.map((d) => d.why)).toEqual([
      'not a queue row (no job id in the ID column); skipped',
      'task row (↳) without its job row; skipped',
      'queue row without a status; skipped',
    ]);
  });

  it('flags a cut queue (latest 50 only) as partial', () => {
    const text = `${fixture('queue-v0.10-all-verbose.txt')}Only showing the latest 50 managed jobs(use --all to show all managed jobs) \n`;
    expect(parseQueueTable(text).partial).toBe(true);
  });

  it('reports the CLI message when there is no table (controller down, exit 0)', () => {
    const parsed = parseQueueTable(fixture('queue-connection-failure-v0.13.txt'));
    expect(parsed.jobs).toEqual([]);
    expect(parsed.failure).toMatch(/^Failed to query managed jobs due to connection issues/);
  });

  it('reads an empty queue (header only) as no jobs, not a failure', () => {
    const parsed = parseQueueTable('Managed jobs\nNo in-progress managed jobs.\nID  TASK  NAME  STATUS  \n');
    expect(parsed).toMatchObject({ jobs: [], partial: false });
    expect(parsed.failure).toBeUndefined();
  });

  it('slices by terminal cells, so wide characters do not shift later columns', () => {
    const columns = headerColumns('ID  NAME      STATUS');
    expect(sliceRow('1   实验名称  RUNNING', columns)).toEqual(['1', '实验名称', 'RUNNING']);
  });
});
