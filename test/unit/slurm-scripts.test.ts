/**
 * The remote scripts themselves, run by the local /bin/sh against fake Slurm commands (shell
 * stubs on PATH that record their argv and print canned REAL outputs). This checks the shell
 * side without a cluster: scoping flags, framing, the sacct-down fallback, the ownership check.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/adapters/local/local-transport.js';
import { SACCT_FIELDS } from '../../src/adapters/slurm/sacct-row.js';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';

const root = mkdtempSync(join(tmpdir(), 'sweepwatch-slurm-scripts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

interface Stub {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly code?: number;
}

/** A PATH with stub commands; each call's argv is appended to calls.log, fields split by 0x1e. */
function fakeCluster(stubs: Record<string, Stub>) {
  const dir = join(root, `c${counter++}`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const [name, stub] of Object.entries<Stub>({ id: { stdout: 'alice\n' }, ...stubs })) {
    writeFileSync(join(dir, `${name}.out`), stub.stdout ?? '');
    writeFileSync(join(dir, `${name}.err`), stub.stderr ?? '');
    writeFileSync(
      join(bin, name),
      `#!/bin/sh\n{ printf '%s' "${name}"; for a in "$@"; do printf '\\036%s' "$a"; done; echo; } >> '${log}'\ncat '${dir}/${name}.out'\ncat '${dir}/${name}.err' >&2\nexit ${stub.code ?? 0}\n`,
      { mode: 0o755 },
    );
  }
  const transport = new LocalTransport({ env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
  const scheduler = new SlurmScheduler({ transport });
  const calls = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\x1e'));
  return { scheduler, transport, calls, dir };
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm/${name}`, import.meta.url), 'utf8');
/** Job ids of the captured outcomes (the capture is re-run, so never hard-code them). */
const ids = JSON.parse(fixture('ids.json')) as Record<string, number>;
const [F, O, H] = [ids.failed, ids.oom, ids.held].map(String) as [string, string, string];
/** Rows of a captured sacct file in our field order (the capture has more fields). */
function sacctRows(file: string, wanted: readonly string[]): string {
  const [header = '', ...rows] = fixture(file).split('\n');
  const names = header.split('\x1f');
  return rows
    .filter((r) => r !== '')
    .map((r) => {
      const f = r.split('\x1f');
      return wanted.map((w) => f[names.indexOf(w)] ?? '').join('\x1f');
    })
    .join('\n');
}
/** Rows of the captured squeue -o file in our field order. */
function squeueRows(filter: (f: string[]) => boolean): string {
  const theirs = '%i %A %F %K %j %u %P %T %r %M %l %C %m %N %V %S %e'.split(' ');
  const ours = ['%i', '%A', '%T', '%r', '%V', '%S', '%e', '%M', '%N', '%u', '%j'];
  return fixture('squeue-all.txt')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\x1f'))
    .filter(filter)
    .map((f) => ours.map((c) => f[theirs.indexOf(c)] ?? '').join('\x1f'))
    .join('\n');
}

describe('observe script', () => {
  it('queries squeue and sacct once per chunk, scoped to the ids and the user', async () => {
    const { scheduler, transport, calls } = fakeCluster({
      squeue: { stdout: `${squeueRows((f) => [F, O, H].includes(f[1] ?? ''))}\n` },
      sacct: { stdout: `${sacctRows('sacct.txt', SACCT_FIELDS)}\n` },
    });
    const result = await scheduler.observe([F, O, H, '999999']);
    expect(transport.stats().execs).toBe(1);
    expect(result.errors).toEqual([]);
    expect(result.observations.get(F)).toMatchObject({
      state: 'FAILED',
      exit: { code: 1, signal: null },
      reason: 'NonZeroExitCode',
    });
    expect(result.observations.get(O)).toMatchObject({
      state: 'OUT_OF_MEMORY',
      exit: { code: 0, signal: 125 },
    });
    expect(result.observations.get(H)).toMatchObject({
      state: 'PENDING',
      reason: 'JobHeldUser',
      source: 'squeue',
    });
    expect(result.missing).toEqual(['999999']);
    const [sq, sa] = calls().filter((c) => c[0] !== 'id');
    expect(sq).toEqual(
      expect.arrayContaining(['--user=alice', `--jobs=${F},${O},${H},999999`, '--states=all', '--array']),
    );
    expect(sa).toEqual(
      expect.arrayContaining(['--user=alice', `--jobs=${F},${O},${H},999999`, '--duplicates', '--parsable2']),
    );
  });

  it('sacct down: sacct_unavailable, squeue + scontrol fallback, nothing turned into a failure', async () => {
    const { scheduler, calls } = fakeCluster({
      squeue: { stdout: `${squeueRows((f) => [F, H].includes(f[1] ?? ''))}\n` },
      sacct: {
        stderr:
          'sacct: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:127.0.0.1:6819: Connection refused\nsacct: error: Problem talking to the database: Connection refused\n',
        code: 1,
      },
      scontrol: { stdout: fixture('scontrol-show-job-failed.txt') },
    });
    const result = await scheduler.observe([F, H, '12345']);
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'sacct_unavailable', source: 'sacct' })]);
    expect(result.errors[0]?.message).toContain('sacct: error');
    expect(result.observations.get(F)).toMatchObject({
      state: 'FAILED',
      exit: { code: 1, signal: null },
      stdoutPath: `/home/alice/sc/sc-failed-${F}.out`,
      source: 'scontrol',
    });
    expect(result.observations.get(H)).toMatchObject({ state: 'PENDING', source: 'squeue' });
    // Not seen by squeue and sacct is down: it may have finished long ago. Keep its last state.
    expect(result.unobserved).toEqual(['12345']);
    expect(result.missing).toEqual([]);
    // scontrol only for the finished job squeue still holds, never for the pending one.
    const scontrolCalls = calls().filter((c) => c[0] === 'scontrol');
    expect(scontrolCalls).toEqual([['scontrol', '--oneliner', 'show', 'job', F]]);
  });

  it('squeue down: query_failed, sacct still answers, unseen ids are unobserved not missing', async () => {
    const { scheduler } = fakeCluster({
      squeue: {
        stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n',
        code: 1,
      },
      sacct: { stdout: `${sacctRows('sacct.txt', SACCT_FIELDS)}\n` },
    });
    const result = await scheduler.observe([F, '424242']);
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'query_failed', source: 'squeue' })]);
    expect(result.observations.get(F)?.state).toBe('FAILED');
    expect(result.unobserved).toEqual(['424242']);
  });

  it('a single unknown id (squeue exits 1) is missing, not an error', async () => {
    const { scheduler } = fakeCluster({
      squeue: { stderr: 'slurm_load_jobs error: Invalid job id specified\n', code: 1 },
      sacct: {},
    });
    const result = await scheduler.observe(['999999']);
    expect(result.errors).toEqual([]);
    expect(result.missing).toEqual(['999999']);
  });
});

describe('cancel script', () => {
  const squeueOwners = [
    ['40', '40', 'alice', 'PENDING', 'sw-a-1'],
    ['39', '39', 'bob', 'RUNNING', 'sw-a-2'],
    ['41', '41', 'alice', 'RUNNING', 'other-name'],
    ['32', '32', 'alice', 'FAILED', 'sw-a-3'],
    ['34_0', '35', 'alice', 'COMPLETED', 'sw-a-arr'],
    ['34_1', '36', 'alice', 'RUNNING', 'sw-a-arr'],
  ]
    .map((r) => r.join('\x1f'))
    .join('\n');

  it('cancels only in-scope jobs of the user, refusing the rest with reasons', async () => {
    const { scheduler, calls } = fakeCluster({ squeue: { stdout: `${squeueOwners}\n` }, scancel: {} });
    const result = await scheduler.cancel(['40', '39', '41', '32', '34', '77', '-u', '999'], {
      jobIds: ['40', '39', '41', '32', '34', '999'],
      namePrefix: 'sw-a-',
    });
    expect([...result.cancelled].sort()).toEqual(['34', '40']);
    const refusals = Object.fromEntries(result.refused.map((r) => [r.jobId, r.reason]));
    expect(refusals).toEqual({
      '39': 'other_user',
      '41': 'name_mismatch',
      '32': 'already_finished',
      '77': 'not_in_scope',
      '-u': 'invalid_id',
      '999': 'not_found',
    });
    const scancel = calls().filter((c) => c[0] === 'scancel');
    expect(scancel).toEqual([['scancel', '--user=alice', '40', '34']]);
  });

  it('maps per-id scancel errors and sends nothing when nothing is allowed', async () => {
    const { scheduler } = fakeCluster({
      squeue: { stdout: `${squeueOwners}\n` },
      scancel: {
        stderr: 'scancel: error: Kill job error on job id 40: Job/step already completing or completed\n',
        code: 1,
      },
    });
    const result = await scheduler.cancel(['40', '34'], { jobIds: ['40', '34'] });
    expect(result.cancelled).toEqual(['34']);
    expect(result.refused).toEqual([expect.objectContaining({ jobId: '40', reason: 'scheduler_error' })]);

    const other = fakeCluster({ squeue: { stdout: `${squeueOwners}\n` }, scancel: {} });
    const none = await other.scheduler.cancel(['39'], { jobIds: ['39'] });
    expect(none.cancelled).toEqual([]);
    expect(other.calls().some((c) => c[0] === 'scancel')).toBe(false);
  });
});

describe('log tails script', () => {
  it('reads exact tails of many files in one call; missing is not an error', async () => {
    const { scheduler, transport, dir } = fakeCluster({});
    const big = `${'x'.repeat(5000)}\nTraceback (most recent call last):\nValueError: bad shape\n`;
    const odd = join(dir, "it's a\nlog.err");
    writeFileSync(join(dir, 'a.out'), 'no trailing newline');
    writeFileSync(join(dir, 'a.err'), big);
    writeFileSync(join(dir, 'b.out'), '');
    writeFileSync(odd, '@@SW:fake:end:file:0:1:0\nline\n');
    const tails = await scheduler.readLogTails(
      [
        { jobId: '1', paths: [join(dir, 'a.out'), join(dir, 'a.err')] },
        { jobId: '2', paths: [join(dir, 'b.out'), join(dir, 'gone.err')] },
        { jobId: '3', paths: [odd, odd] },
      ],
      100,
    );
    expect(transport.stats().execs).toBe(1);
    const one = tails.get('1');
    expect(one?.truncated).toBe(true);
    expect(one?.text.startsWith('no trailing newline\n')).toBe(true);
    expect(one?.text.endsWith('ValueError: bad shape')).toBe(true);
    expect(one?.files.map((f) => f.size)).toEqual([19, big.length]);
    expect(tails.get('2')).toMatchObject({ text: '', truncated: false, missing: [join(dir, 'gone.err')] });
    expect(tails.get('3')).toMatchObject({ text: '@@SW:fake:end:file:0:1:0\nline', missing: [] });
  });
});

describe('preflight script', () => {
  it('reports versions, user, unknown partitions/accounts/QOS, unwritable dirs, accounting', async () => {
    const { scheduler, dir } = fakeCluster({
      sbatch: { stdout: 'slurm-wlm 22.05.8\n' },
      squeue: { stdout: 'slurm-wlm 22.05.8\n' },
      scancel: { stdout: 'slurm-wlm 22.05.8\n' },
      scontrol: { stdout: 'slurm-wlm 22.05.8\n' },
      sinfo: { stdout: 'debug\nmaint\n' },
      sacctmgr: { stdout: 'lab||normal,high\n' },
      sacct: { stderr: 'sacct: error: Problem talking to the database: Connection refused\n', code: 1 },
    });
    const report = await scheduler.preflight({
      partitions: ['debug', 'nosuch'],
      accounts: ['lab', 'other'],
      qos: ['normal', 'gold'],
      writableDirs: [dir, join(dir, 'absent')],
    });
    expect(report.user).toBe('alice');
    expect(report.versions.sbatch).toBe('slurm-wlm 22.05.8');
    expect(report.accountingAvailable).toBe(false);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.code, p.subject])).toEqual(
      expect.arrayContaining([
        ['accounting_unavailable', 'sacct'],
        ['partition_unknown', 'nosuch'],
        ['account_unknown', 'other'],
        ['qos_unknown', 'gold'],
        ['dir_not_writable', join(dir, 'absent')],
      ]),
    );
    expect(report.problems).toHaveLength(5);
  });
});
