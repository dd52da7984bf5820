/**
 * SlurmScheduler over the in-memory fake transport: the argv it sends (constant scripts, data
 * only as arguments or stdin), the round trips it costs, and how it reads what comes back.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeJob } from '../../src/adapters/slurm/merge.js';
import { OBSERVE_SCRIPT } from '../../src/adapters/slurm/observe-script.js';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { buildSbatchArgv, parseSbatchOutput } from '../../src/adapters/slurm/submit.js';
import type { JobObservation } from '../../src/core/types.js';
import { SchedulerError, type SubmitRequest } from '../../src/ports/scheduler.js';
import { TransportError } from '../../src/ports/transport.js';
import { createFakeTransport } from '../fakes/fake-transport.js';

const NONCE = 'n0nce';
const US = '\x1f';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm/${name}`, import.meta.url), 'utf8');

/** What the observe script prints, for given squeue and sacct rows per chunk. */
function framed(
  chunks: { squeue?: string[]; sacct?: string[]; sacctRc?: number; sacctErr?: string }[],
  done = true,
) {
  const out = [`@@SW:${NONCE}:meta:user:alice`, `@@SW:${NONCE}:meta:now:2026-11-26T05:00:00`];
  const err: string[] = [];
  chunks.forEach((c, i) => {
    out.push(`@@SW:${NONCE}:begin:squeue:${i}`, ...(c.squeue ?? []), `@@SW:${NONCE}:end:squeue:${i}:0`);
    out.push(
      `@@SW:${NONCE}:begin:sacct:${i}`,
      ...(c.sacct ?? []),
      `@@SW:${NONCE}:end:sacct:${i}:${c.sacctRc ?? 0}`,
    );
    err.push(`@@SW:${NONCE}:begin:sacct:${i}`, ...(c.sacctErr ? [c.sacctErr] : []));
  });
  if (done) out.push(`@@SW:${NONCE}:done`);
  return { stdout: `${out.join('\n')}\n`, stderr: `${err.join('\n')}\n` };
}
const sq = (id: string, state: string, reason = 'None', submit = '2026-11-26T04:50:00') =>
  [id, id, state, reason, submit, 'N/A', 'N/A', '0:00', '', 'alice', `sw-${id}`].join(US);
const sa = (id: string, state: string, exit = '0:0') =>
  [
    id,
    id,
    id.includes('.') ? 'batch' : `sw-${id}`,
    state,
    exit,
    'None',
    '2026-11-26T04:50:00',
    '2026-11-26T04:50:01',
    'Unknown',
    '00:00:05',
    'vm',
  ].join(US);

function scheduler(handler: Parameters<typeof createFakeTransport>[0], chunkBytes?: number) {
  const transport = createFakeTransport(handler);
  return {
    transport,
    s: new SlurmScheduler({ transport, nonce: () => NONCE, ...(chunkBytes ? { chunkBytes } : {}) }),
  };
}

describe('observe', () => {
  it('costs one exec for any number of ids; the script is constant and the ids go on stdin', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => String(5000 + i));
    const { s, transport } = scheduler(() => framed([{}, {}, {}]), 2000);
    const result = await s.observe(ids);
    expect(transport.stats().execs).toBe(1);
    const call = transport.calls[0];
    expect(call?.argv.slice(0, 4)).toEqual(['sh', '-c', OBSERVE_SCRIPT, 'sweepwatch-observe']);
    expect(call?.argv.join(' ')).not.toContain('5000');
    const stdin = String(call?.options.stdin);
    expect(stdin.trim().split('\n')).toHaveLength(3);
    expect(stdin.trim().split('\n').join(',').split(',')).toEqual(ids);
    expect(result.missing).toHaveLength(1000);
  });

  it('does not exec for an empty id list, and never sends a malformed id', async () => {
    const { s, transport } = scheduler(() => framed([{}]));
    expect((await s.observe([])).observations.size).toBe(0);
    const result = await s.observe(['$(reboot)', '12']);
    expect(transport.stats().execs).toBe(1);
    expect(String(transport.calls[0]?.options.stdin)).toBe('12\n');
    expect(result.missing).toEqual(['$(reboot)', '12']);
    expect(result.diagnostics).toEqual([expect.objectContaining({ source: 'input' })]);
  });

  it('merges: squeue for live jobs, sacct for finished ones, squeue wins over a lagging sacct', async () => {
    const { s } = scheduler(() =>
      framed([
        {
          squeue: [
            sq('1', 'RUNNING'),
            sq('2', 'PENDING', 'Priority'),
            sq('3', 'COMPLETED'),
            sq('4', 'FAILED', 'NonZeroExitCode'),
          ],
          sacct: [
            sa('1', 'RUNNING'),
            sa('2', 'PENDING'),
            sa('3', 'RUNNING'),
            sa('4', 'FAILED', '0:125'),
            sa('4.batch', 'OUT_OF_MEMORY', '0:125'),
            sa('5', 'TIMEOUT'),
          ],
        },
      ]),
    );
    const { observations: o } = await s.observe(['1', '2', '3', '4', '5']);
    expect(o.get('1')).toMatchObject({ state: 'RUNNING', source: 'squeue', restarts: 0 });
    expect(o.get('2')).toMatchObject({ state: 'PENDING', reason: 'Priority', pendingSeconds: 600 });
    expect(o.get('3')).toMatchObject({ state: 'COMPLETED', source: 'squeue' });
    expect(o.get('4')).toMatchObject({
      state: 'OUT_OF_MEMORY',
      reason: 'NonZeroExitCode',
      exit: { code: 0, signal: 125 },
      source: 'sacct',
    });
    expect(o.get('5')).toMatchObject({ state: 'TIMEOUT', source: 'sacct' });
  });

  it('an array id returns one observation per task; an unknown state is UNKNOWN', async () => {
    const { s } = scheduler(() =>
      framed([{ squeue: [sq('43_[5-6]', 'PENDING', 'JobArrayTaskLimit'), sq('43_1', 'WEIRD_NEW')] }]),
    );
    const result = await s.observe(['43']);
    expect([...result.observations.keys()].sort()).toEqual(['43_1', '43_5', '43_6']);
    expect(result.observations.get('43_1')?.state).toBe('UNKNOWN');
    expect(result.missing).toEqual([]);
  });

  it('SSH down: one transport error for the tick, every job unobserved', async () => {
    const { s } = scheduler(() => {
      throw new TransportError('connect', 'ssh alice@127.0.0.1:2222: connection refused');
    });
    const result = await s.observe(['1', '2']);
    expect(result.errors).toEqual([
      { kind: 'transport', source: 'transport', message: expect.stringContaining('refused') },
    ]);
    expect(result.unobserved).toEqual(['1', '2']);
    expect(result.observations.size).toBe(0);
  });

  it('output cut short: incomplete_output, unseen jobs unobserved (not missing)', async () => {
    const full = framed([{ squeue: [sq('1', 'RUNNING')], sacct: [sa('1', 'RUNNING')] }], false);
    const { s } = scheduler(() => ({ ...full, stdoutTruncated: true }));
    const result = await s.observe(['1', '2']);
    expect(result.observations.get('1')?.state).toBe('RUNNING');
    expect(result.unobserved).toEqual(['2']);
    expect(result.errors.map((e) => e.kind)).toContain('incomplete_output');
  });

  it('a malformed row is skipped and reported; the rest goes on', async () => {
    const { s } = scheduler(() =>
      framed([{ squeue: ['garbage', sq('1', 'RUNNING')], sacct: [`1${US}broken`] }]),
    );
    const result = await s.observe(['1']);
    expect(result.observations.get('1')?.state).toBe('RUNNING');
    expect(result.diagnostics.map((d) => d.source)).toEqual(['squeue', 'sacct']);
  });
});

describe('mergeJob', () => {
  const o = (state: JobObservation['state'], extra: Partial<JobObservation> = {}): JobObservation => ({
    jobId: '9',
    state,
    rawState: state,
    ...extra,
  });
  it('COMPLETING stays COMPLETING even when sacct already has a final row (a requeue in flight)', () => {
    expect(mergeJob(o('COMPLETING'), o('NODE_FAIL'), undefined)?.state).toBe('COMPLETING');
  });
  it('borrows static facts but never a finished state into a live one', () => {
    const merged = mergeJob(
      o('RUNNING'),
      o('FAILED', { exit: { code: 1, signal: null }, name: 'n', restarts: 2 }),
      undefined,
    );
    expect(merged).toMatchObject({ state: 'RUNNING', name: 'n', restarts: 2 });
    expect(merged?.exit).toBeUndefined();
  });
});

describe('submit', () => {
  const base: SubmitRequest = {
    name: 'sw-abc-c1',
    command: { kind: 'script', path: 'train.sh', args: ['--lr', '0.1'] },
    workdir: '/home/alice/sc',
    resources: {
      timeMinutes: 30,
      memMb: 4096,
      cpusPerTask: 2,
      gpus: 1,
      partition: 'debug',
      account: 'lab',
      qos: 'normal',
      constraint: 'a100',
    },
    env: { LR: '0.1,0.2', MSG: 'it\'s "quoted" $HOME' },
  };

  it('builds an argv with every option as --opt=value, env via env(1) + --export=ALL', () => {
    const call = buildSbatchArgv(base);
    expect(typeof call).not.toBe('string');
    if (typeof call === 'string') return;
    expect(call.argv).toEqual([
      'env',
      'LR=0.1,0.2',
      `MSG=it's "quoted" $HOME`,
      'sbatch',
      '--parsable',
      '--job-name=sw-abc-c1',
      '--output=sw-abc-c1-%j.out',
      '--error=sw-abc-c1-%j.err',
      '--chdir=/home/alice/sc',
      '--export=ALL',
      '--time=30',
      '--mem=4096M',
      '--cpus-per-task=2',
      '--gres=gpu:1',
      '--partition=debug',
      '--account=lab',
      '--qos=normal',
      '--constraint=a100',
      'train.sh',
      '--lr',
      '0.1',
    ]);
  });

  it('wraps an argv command with shell quoting and arrays use %A_%a', () => {
    const call = buildSbatchArgv({
      name: 'sw-x',
      command: { kind: 'argv', argv: ['python3', '-c', 'print("a b")'] },
      array: '0-9%2',
    });
    if (typeof call === 'string') throw new Error(call);
    expect(call.argv).toContain(`--wrap=python3 -c 'print("a b")'`);
    expect(call.argv).toContain('--array=0-9%2');
    expect(call.stdoutPattern).toBe('sw-x-%A_%a.out');
  });

  it.each<[Partial<SubmitRequest>, string]>([
    [{ name: 'a b' }, 'job name'],
    [{ name: 'x/../y' }, 'job name'],
    [{ env: { 'BAD-NAME': '1' } }, 'variable name'],
    [{ env: { SLURM_CONF: '/x' } }, 'sbatch itself'],
    [{ resources: { memMb: 0 } }, 'memMb'],
    [{ resources: { partition: 'a b' } }, 'partition'],
    [{ array: '1;2' }, 'array'],
  ])('refuses %j before sending', (patch, why) => {
    expect(buildSbatchArgv({ ...base, ...patch })).toEqual(expect.stringContaining(why));
  });

  it('returns the job id and the expanded log paths', async () => {
    const { s } = scheduler(() => ({ stdout: '4242\n' }));
    expect(await s.submit(base)).toEqual({
      ok: true,
      jobId: '4242',
      stdoutPath: '/home/alice/sc/sw-abc-c1-4242.out',
      stderrPath: '/home/alice/sc/sw-abc-c1-4242.err',
    });
    expect(parseSbatchOutput('77;lab\n')).toEqual({ jobId: '77', cluster: 'lab' });
  });

  it.each(['rejected-partition.stderr.txt', 'rejected-mem.stderr.txt'])(
    'a rejection keeps the scheduler words (%s)',
    async (file) => {
      const stderr = fixture(file);
      const { s } = scheduler(() => ({ stderr, code: 1 }));
      const result = await s.submit(base);
      expect(result).toEqual({ ok: false, rootCause: 'submission_rejected', message: stderr.trim() });
    },
  );

  // What sbatch prints when slurmctld did not answer: the job may or may not have been queued.
  const UNREACHABLE = [
    'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)',
    'sbatch: error: Batch job submission failed: Unable to contact slurm controller (send failure)',
    'sbatch: error: Batch job submission failed: Unable to contact slurm controller (receive failure)',
    'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation',
    'sbatch: error: Batch job submission failed: Slurm backup controller in standby mode',
    'sbatch: error: slurm_load_partitions: Unable to contact slurm controller (connect failure)',
    'sbatch: error: Batch job submission failed: Zero Bytes were transmitted or received',
    'sbatch: error: Batch job submission failed: Communication connection failure',
    'sbatch: error: _open_persist_conn: failed to open persistent connection to ctld:6817: Connection refused',
    'sbatch: error: slurm_send_recv_msg: connect to ctld:6817: Connection timed out',
  ];
  it.each(UNREACHABLE)('controller unreachable is no rejection: SchedulerError (%s)', async (stderr) => {
    const { s } = scheduler(() => ({ stderr: `${stderr}\n`, code: 1 }));
    const error = await s.submit(base).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchedulerError);
    expect(error).toMatchObject({ source: 'sbatch', message: expect.stringContaining(stderr) });
  });

  it('sbatch killed by a signal: outcome unknown, SchedulerError', async () => {
    const { s } = scheduler(() => ({ code: null, signal: 'KILL' }));
    await expect(s.submit(base)).rejects.toBeInstanceOf(SchedulerError);
  });

  it('SSH dropped during sbatch: the TransportError propagates (outcome unknown), no rejection', async () => {
    const { s } = scheduler(() => {
      throw new TransportError('disconnected', "'sbatch' on alice@login:22: connection lost");
    });
    await expect(s.submit(base)).rejects.toBeInstanceOf(TransportError);
  });

  // Real refusals: the controller answered no, so the job does not exist.
  it.each([
    fixture('rejected-partition.stderr.txt'),
    fixture('rejected-mem.stderr.txt'),
    'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified',
    'sbatch: error: Batch job submission failed: Invalid qos specification',
    "sbatch: error: QOSMaxSubmitJobPerUserLimit\nsbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)",
    'sbatch: error: Batch job submission failed: Requested node configuration is not available',
    'sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)',
    'sbatch: error: Invalid generic resource (gres) specification',
  ])('a rejection stays submission_rejected (%s)', async (stderr) => {
    const { s } = scheduler(() => ({ stderr, code: 1 }));
    expect(await s.submit(base)).toEqual({
      ok: false,
      rootCause: 'submission_rejected',
      message: stderr.trim(),
    });
  });

  it('a refusal before sending costs no exec', async () => {
    const { s, transport } = scheduler(() => ({ stdout: '1\n' }));
    const result = await s.submit({ ...base, name: '' });
    expect(result.ok).toBe(false);
    expect(transport.stats().execs).toBe(0);
  });
});

describe('findByName', () => {
  it('keeps only the prefix, merges squeue and sacct, refuses partial answers', async () => {
    const out = (sacctRc: number) => {
      const f = framed([
        { squeue: [sq('1', 'RUNNING'), sq('2', 'RUNNING')], sacct: [sa('3', 'COMPLETED')], sacctRc },
      ]);
      return { ...f, stdout: f.stdout.replaceAll('sw-2', 'other-2') };
    };
    const { s } = scheduler(() => out(0));
    const found = await s.findByName('sw-');
    expect(found.map((o) => o.jobId).sort()).toEqual(['1', '3']);
    await expect(s.findByName('')).rejects.toThrow(TypeError);
    const broken = scheduler(() => out(1));
    await expect(broken.s.findByName('sw-')).rejects.toThrow(/sacct/);
  });
});
