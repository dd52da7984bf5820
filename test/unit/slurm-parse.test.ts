/**
 * The Slurm parsers on REAL outputs captured from the lab (test/fixtures/slurm, see its README for
 * the commands, field lists and ids.json for which job is which outcome).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { secondsBetween } from '../../src/adapters/slurm/fields.js';
import {
  parseSacct,
  parseSacctRow,
  SacctReader,
  sacctObservation,
} from '../../src/adapters/slurm/sacct-parse.js';
import { parseScontrol } from '../../src/adapters/slurm/scontrol-parse.js';
import { parseSqueueJson } from '../../src/adapters/slurm/squeue-json.js';
import { parseSqueue } from '../../src/adapters/slurm/squeue-parse.js';
import type { JobObservation } from '../../src/core/types.js';

const dir = new URL('../fixtures/slurm/', import.meta.url);
const text = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const lines = (name: string) => text(name).split('\n');
const ids = JSON.parse(text('ids.json')) as Record<string, number> & { arrayTaskJobIds: number[] };
const id = (outcome: string) => String(ids[outcome]);
/** The array's tasks 0..3 and the raw (own) job id of each; the capture is re-run, ids vary. */
const task = (t: number) => `${ids.array}_${t}`;
const taskRaw = (t: number) => String(ids.arrayTaskJobIds[t]);

/** The fixtures' squeue -o field list (README). */
const FIXTURE_SQUEUE = '%i %A %F %K %j %u %P %T %r %M %l %C %m %N %V %S %e'.split(' ');
/** The fixtures' sacct files start with a header naming the --format fields. */
function sacctFixture(name: string, separator = '\x1f') {
  const [header = '', ...rows] = lines(name);
  return parseSacct(rows, header.split(separator), separator);
}
const byId = (list: readonly JobObservation[]) => new Map(list.map((o) => [o.jobId, o]));
const REMOTE_NOW = '2030-01-01T00:00:00';

describe('squeue -o (squeue-all.txt)', () => {
  const parsed = parseSqueue(lines('squeue-all.txt'), {
    fields: FIXTURE_SQUEUE,
    user: 'alice',
    remoteNow: REMOTE_NOW,
  });
  const obs = byId(parsed.observations);

  it('normalizes every finished outcome with its reason', () => {
    expect(obs.get(id('nodefail'))).toMatchObject({ state: 'NODE_FAIL', reason: 'NodeDown', nodes: 'vm' });
    // Captured right at the kill, the timed-out job may still be COMPLETING: reason TimeLimit either way.
    expect(obs.get(id('timeout'))).toMatchObject({
      state: expect.stringMatching(/^(TIMEOUT|COMPLETING)$/),
      reason: 'TimeLimit',
    });
    expect(obs.get(id('timeout'))?.elapsedSeconds).toBeGreaterThanOrEqual(60);
    expect(obs.get(id('failed'))).toMatchObject({ state: 'FAILED', reason: 'NonZeroExitCode' });
    expect(obs.get(id('oom'))).toMatchObject({ state: 'OUT_OF_MEMORY', reason: 'OutOfMemory' });
    expect(obs.get(id('completed'))).toMatchObject({
      state: 'COMPLETED',
      endedAt: expect.stringMatching(/^\d{4}-/),
    });
    expect(obs.get(id('rejectedMem'))).toMatchObject({ state: 'FAILED', reason: 'BadConstraints' });
  });

  it('keeps pending reasons, drops the expected start, measures the wait on the cluster clock', () => {
    const begin = obs.get(id('begin'));
    expect(begin).toMatchObject({ state: 'PENDING', reason: 'BeginTime' });
    expect(begin?.pendingSeconds).toBe(secondsBetween(begin?.submittedAt ?? '', REMOTE_NOW));
    expect(begin?.startedAt).toBeUndefined();
    expect(begin?.endedAt).toBeUndefined();
    expect(obs.get(id('held'))).toMatchObject({ state: 'PENDING', reason: 'JobHeldUser' });
    expect(obs.get(id('partitionDown'))).toMatchObject({ state: 'PENDING', reason: 'PartitionDown' });
    expect(obs.get(id('dependencyNeverSatisfied'))).toMatchObject({ reason: 'DependencyNeverSatisfied' });
  });

  it('reads array tasks with their own raw ids', () => {
    expect(obs.get(task(2))).toMatchObject({ state: 'FAILED', jobIdRaw: taskRaw(2), name: 'sc-array' });
    expect(obs.get(task(3))).toMatchObject({ state: 'COMPLETED' });
    expect(obs.get(task(3))?.jobIdRaw ?? task(3)).toBe(task(3) === taskRaw(3) ? task(3) : taskRaw(3));
  });

  it("skips another user's rows and says so", () => {
    const others = lines('squeue-all.txt').filter((l) => l !== '' && l.split('\x1f')[5] !== 'alice');
    expect(others.length).toBeGreaterThan(0);
    expect(obs.get(id('bob'))).toBeUndefined();
    expect(parsed.diagnostics.filter((d) => d.why.includes('another user'))).toHaveLength(others.length);
  });
});

describe('squeue -o mid-run (squeue-midrun.txt)', () => {
  const obs = byId(parseSqueue(lines('squeue-midrun.txt'), { fields: FIXTURE_SQUEUE }).observations);
  it('a running job has no end yet (squeue prints the expected one)', () => {
    const running = obs.get(id('timeout'));
    expect(running).toMatchObject({
      state: 'RUNNING',
      elapsedSeconds: expect.any(Number),
      startedAt: expect.any(String),
    });
    expect(running?.endedAt).toBeUndefined();
    expect(obs.get(id('requeue'))?.state).toMatch(/^(RUNNING|COMPLETING|PENDING)$/);
  });
});

describe('sacct --parsable2 (sacct.txt)', () => {
  const parsed = sacctFixture('sacct.txt');
  const obs = (outcome: string) => {
    const job = parsed.jobs.get(id(outcome));
    return job ? sacctObservation(job) : undefined;
  };

  it('reads final states and exit codes', () => {
    expect(parsed.diagnostics).toEqual([]);
    expect(obs('failed')).toMatchObject({ state: 'FAILED', exit: { code: 1, signal: null }, restarts: 0 });
    expect(obs('oom')).toMatchObject({ state: 'OUT_OF_MEMORY', exit: { code: 0, signal: 125 } });
    expect(obs('timeout')).toMatchObject({ state: 'TIMEOUT', exit: { code: 0, signal: null } });
    expect(obs('timeout')?.elapsedSeconds).toBeGreaterThanOrEqual(60);
    expect(obs('nodefail')).toMatchObject({ state: 'NODE_FAIL' });
    expect(obs('completed')).toMatchObject({
      state: 'COMPLETED',
      exit: { code: 0, signal: null },
      nodes: 'vm',
    });
  });

  it('keeps "CANCELLED by uid" raw', () => {
    expect(obs('cancelled')).toMatchObject({
      state: 'CANCELLED',
      rawState: expect.stringMatching(/^CANCELLED by \d+$/),
    });
  });

  it('reads array tasks and pending jobs', () => {
    const t2 = parsed.jobs.get(task(2));
    expect(t2 && sacctObservation(t2)).toMatchObject({
      state: 'FAILED',
      jobIdRaw: taskRaw(2),
      exit: { code: 3, signal: null },
    });
    const held = obs('held');
    expect(held).toMatchObject({ state: 'PENDING', submittedAt: expect.any(String) });
    expect(held?.startedAt).toBeUndefined();
    expect(held?.nodes).toBeUndefined();
  });
});

describe('sacct edge cases', () => {
  it('counts restarts from --duplicates and reports the current run', () => {
    const job = sacctFixture('sacct-duplicates.txt').jobs.get(id('requeue'));
    const runs = lines('sacct-duplicates.txt')
      .map((l) => l.split('\x1f'))
      .filter((f) => f[0] === id('requeue'));
    expect(runs.map((f) => f[6])).toEqual(['REQUEUED', 'COMPLETED']);
    expect(job && sacctObservation(job)).toMatchObject({
      state: 'COMPLETED',
      restarts: 1,
      submittedAt: runs[1]?.[10],
    });
  });

  it('a cancelled pending job: CANCELLED by uid, never started', () => {
    const jobs = sacctFixture('sacct-pending-cancelled.txt').jobs;
    for (const outcome of ['held', 'begin', 'partitionDown', 'dependencyNeverSatisfied']) {
      const job = jobs.get(id(outcome));
      expect(job && sacctObservation(job)).toMatchObject({
        state: 'CANCELLED',
        rawState: expect.stringMatching(/^CANCELLED by \d+$/),
      });
    }
  });

  it("with '|' a pipe in SubmitLine breaks one row: it is skipped and reported, the rest goes on", () => {
    const parsed = sacctFixture('sacct-pipe.txt', '|');
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]?.line).toContain('sc-wrap');
    expect(parsed.jobs.has(id('wrap'))).toBe(false);
    expect(parsed.jobs.get(id('failed'))?.base.rawState).toBe('FAILED');
  });

  it('the fixed-width default format is not parsable: every row is reported, nothing is guessed', () => {
    const parsed = parseSacct(lines('sacct-default.txt'));
    expect(parsed.jobs.size).toBe(0);
    expect(parsed.diagnostics.length).toBeGreaterThan(10);
  });

  it('an OOM hidden behind the job line (FAILED, or COMPLETED exit 0) is OUT_OF_MEMORY', () => {
    const row = (idText: string, state: string, exit: string) =>
      [
        idText,
        idText,
        idText.includes('.') ? 'batch' : 'x',
        state,
        exit,
        'None',
        '2026-11-26T04:54:27',
        '2026-11-26T04:54:28',
        '2026-11-26T04:54:28',
        '00:00:00',
        'vm',
      ].join('\x1f');
    for (const jobState of ['FAILED', 'COMPLETED']) {
      for (const step of ['77.batch', '77.extern', '77.0']) {
        const parsed = parseSacct([row('77', jobState, '0:0'), row(step, 'OUT_OF_MEMORY', '0:125')]);
        const job = parsed.jobs.get('77');
        expect(job && sacctObservation(job)).toMatchObject({
          state: 'OUT_OF_MEMORY',
          rawState: 'OUT_OF_MEMORY',
        });
      }
    }
    // A CANCELLED job whose batch step says CANCELLED stays CANCELLED.
    const parsed = parseSacct([row('78', 'CANCELLED by 1001', '0:0'), row('78.batch', 'CANCELLED', '0:15')]);
    const job = parsed.jobs.get('78');
    expect(job && sacctObservation(job).state).toBe('CANCELLED');
  });

  it('rows of a section whose sacct failed are taken back: new jobs, later runs and step OOMs alike', () => {
    const row = (idText: string, state: string, submit = '2026-11-26T04:54:27') =>
      [idText, idText, 'x', state, '0:0', 'None', submit, submit, submit, '00:00:00', 'vm'].join('\x1f');
    const reader = new SacctReader();
    reader.add(row('80', 'NODE_FAIL'));
    reader.add(row('81', 'FAILED'));
    reader.add(row('82', 'COMPLETED'));
    reader.add('garbage');
    const seen = () =>
      [...reader.jobs.values()].map((j) => ({ ...sacctObservation(j), runs: j.runs, oomStep: j.oomStep }));
    const committed = seen();
    reader.checkpoint();
    reader.add(row('80', 'RUNNING', '2026-11-26T05:00:00')); // a later run of 80
    reader.add(row('81.batch', 'OUT_OF_MEMORY')); // 81's step reveals an OOM
    reader.add(row('83', 'PENDING')); // a job read for the first time
    reader.add(row('83', 'PENDING', '2026-11-26T05:00:00')); // and its later run
    reader.add('more garbage');
    expect(seen()).not.toEqual(committed);
    reader.rollback();
    expect(seen()).toEqual(committed);
    expect(reader.diagnostics).toHaveLength(1);
    // A committed section stays, and the next section's rows go on from it.
    reader.checkpoint();
    reader.add(row('83', 'PENDING'));
    reader.commit();
    reader.checkpoint();
    reader.add(row('83', 'RUNNING', '2026-11-26T05:00:00'));
    reader.rollback();
    expect(reader.jobs.get('83')).toMatchObject({ runs: 1, base: { state: 'PENDING' } });
  });

  it('expands a pending array row and rejects garbage', () => {
    const parsed = parseSacct([
      [
        '43_[5-7%2]',
        '43',
        'arr',
        'PENDING',
        '0:0',
        'JobArrayTaskLimit',
        '2026-11-26T04:54:27',
        'Unknown',
        'Unknown',
        '00:00:00',
        'None assigned',
      ].join('\x1f'),
      'garbage',
      ['x;y', 'x', 'n', 'RUNNING', '0:0', 'None', '', '', '', '', ''].join('\x1f'),
    ]);
    expect([...parsed.jobs.keys()]).toEqual(['43_5', '43_6', '43_7']);
    expect(parsed.diagnostics.map((d) => d.why)).toEqual([
      expect.stringContaining('fields'),
      expect.stringContaining('job id'),
    ]);
    expect(typeof parseSacctRow(['1', '1', 'n', '', '0:0', '', '', '', '', '', ''].join('\x1f'))).toBe(
      'string',
    );
  });
});

describe('scontrol show job', () => {
  it.each([
    [
      'scontrol-show-job-failed.txt',
      'failed',
      { state: 'FAILED', exit: { code: 1, signal: null }, restarts: 0 },
    ],
    ['scontrol-show-job-oom.txt', 'oom', { state: 'OUT_OF_MEMORY', exit: { code: 0, signal: 125 } }],
    [
      'scontrol-show-job-timeout.txt',
      'timeout',
      { state: expect.stringMatching(/^(TIMEOUT|COMPLETING)$/), reason: 'TimeLimit' },
    ],
    ['scontrol-show-job-cancelled.txt', 'cancelled', { state: 'CANCELLED' }],
    ['scontrol-show-job-nodefail.txt', 'nodefail', { state: 'NODE_FAIL', reason: 'NodeDown' }],
    ['scontrol-show-job-requeue.txt', 'requeue', { restarts: 1 }],
    ['scontrol-show-job-running.txt', 'timeout', { state: 'RUNNING' }],
    [
      'scontrol-show-job-pending.txt',
      'dependencyNeverSatisfied',
      { state: 'PENDING', reason: 'DependencyNeverSatisfied' },
    ],
  ])('%s', (file, outcome, expected) => {
    const parsed = parseScontrol(lines(file), { user: 'alice' });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.observations).toHaveLength(1);
    expect(parsed.observations[0]).toMatchObject({ jobId: id(outcome), ...expected });
  });

  it('gives expanded log paths, which squeue and sacct 22.05 do not', () => {
    const [obs] = parseScontrol(lines('scontrol-show-job-failed.txt')).observations;
    expect(obs?.stdoutPath).toBe(`/home/alice/sc/sc-failed-${id('failed')}.out`);
    expect(obs?.stderrPath).toBe(`/home/alice/sc/sc-failed-${id('failed')}.err`);
  });

  it('--oneliner of an array lists every task under its display id', () => {
    const obs = byId(parseScontrol(lines('scontrol-show-job-oneliner.txt'), { user: 'alice' }).observations);
    expect([...obs.keys()].sort()).toEqual([0, 1, 2, 3].map(task));
    expect(obs.get(task(2))).toMatchObject({
      jobIdRaw: taskRaw(2),
      exit: { code: 3, signal: null },
      stdoutPath: `/home/alice/sc/sc-array-${task(2)}.out`,
    });
  });

  it("refuses another user's job", () => {
    const parsed = parseScontrol(lines('scontrol-show-job-failed.txt'), { user: 'bob' });
    expect(parsed.observations).toEqual([]);
    expect(parsed.diagnostics).toHaveLength(1);
  });
});

describe('squeue --json (squeue.json)', () => {
  it('decodes raw wait statuses, filters the user, expands log paths', () => {
    const parsed = parseSqueueJson(text('squeue.json'), { user: 'alice' });
    expect(parsed.diagnostics).toEqual([]);
    const obs = byId(parsed.observations);
    expect(obs.has(id('bob'))).toBe(false);
    expect(obs.get(id('failed'))).toMatchObject({ state: 'FAILED', exit: { code: 1, signal: null } });
    expect(obs.get(id('oom'))).toMatchObject({ state: 'OUT_OF_MEMORY', exit: { code: 0, signal: 125 } });
    // Captured while it was being killed: SIGTERM once finished, no exit yet while COMPLETING.
    const timeout = obs.get(id('timeout'));
    if (timeout?.state === 'TIMEOUT') expect(timeout.exit).toEqual({ code: 0, signal: 15 });
    else expect(timeout).toMatchObject({ state: 'COMPLETING', reason: 'TimeLimit' });
    expect(obs.get(id('requeue'))).toMatchObject({ restarts: 1 });
    expect(obs.get(task(2))).toMatchObject({
      jobIdRaw: taskRaw(2),
      exit: { code: 3, signal: null },
      stdoutPath: `/home/alice/sc/sc-array-${task(2)}.out`,
    });
    expect(obs.get(id('held'))).toMatchObject({ state: 'PENDING', reason: 'JobHeldUser' });
    expect(obs.get(id('held'))?.exit).toBeUndefined();
  });

  it('filters to the requested ids (22.05 ignores -j) and survives malformed jobs', () => {
    const parsed = parseSqueueJson(text('squeue.json'), {
      user: 'alice',
      jobIds: [id('array'), id('failed')],
    });
    expect([...byId(parsed.observations).keys()].sort()).toEqual(
      [id('failed'), ...[0, 1, 2, 3].map(task)].sort(),
    );
    const broken = parseSqueueJson(
      JSON.stringify({ jobs: [{ job_id: 'x' }, { job_id: 5, job_state: 'RUNNING' }] }),
    );
    expect(broken.observations.map((o) => o.jobId)).toEqual(['5']);
    expect(broken.diagnostics).toHaveLength(1);
    expect(parseSqueueJson('not json').diagnostics).toHaveLength(1);
  });
});
