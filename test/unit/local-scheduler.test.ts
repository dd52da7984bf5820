// The local scheduler with real processes: each job is a real supervisor (from source, through
// tsx) and a real workload. Only the fast cases are here; time and memory limits and the
// concurrency queue are in test/int/local-scheduler.int.test.ts.
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { groupSurvives, isAlive, signalGroup } from '../../src/adapters/local/local-proc.js';
import { processIdentitySchema, stateRecordSchema } from '../../src/adapters/local/local-records.js';
import { LocalScheduler, type LocalSchedulerOptions } from '../../src/adapters/local/local-scheduler.js';
import type { JobObservation } from '../../src/core/types.js';
import { isTerminal } from '../../src/core/types.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUPERVISOR = [
  process.execPath,
  '--import',
  'tsx',
  join(REPO, 'src/adapters/local/local-supervisor-main.ts'),
] as const;

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    killAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-local-'));
  dirs.push(dir);
  return dir;
}

function make(options: Partial<LocalSchedulerOptions> = {}): { scheduler: LocalScheduler; stateDir: string } {
  const stateDir = options.stateDir ?? join(tempDir(), 'state');
  const scheduler = new LocalScheduler({
    supervisorCommand: SUPERVISOR,
    killGraceMs: 300,
    ...options,
    stateDir,
  });
  return { scheduler, stateDir };
}

/** Kills every supervisor and workload group this test started (only those: found by recorded identity). */
function killAll(dir: string): void {
  const jobsDir = join(dir, 'state', 'jobs');
  if (!existsSync(jobsDir)) return;
  for (const id of readdirSync(jobsDir)) {
    const read = (name: string): unknown => {
      try {
        return JSON.parse(readFileSync(join(jobsDir, id, name), 'utf8'));
      } catch {
        return undefined;
      }
    };
    const state = stateRecordSchema.safeParse(read('state.json'));
    const supervisor = processIdentitySchema.safeParse(read('supervisor.json'));
    for (const who of [supervisor.success ? supervisor.data : undefined, state.data?.supervisor]) {
      if (who !== undefined && isAlive(who)) process.kill(who.pid, 'SIGKILL');
    }
    const leader = state.data?.workload;
    if (leader !== undefined && groupSurvives(leader)) signalGroup(leader.pid, 'SIGKILL');
  }
}

/** A zombie is dead for our purposes: it runs nothing, it only waits to be reaped. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function observeOne(scheduler: LocalScheduler, id: string): Promise<JobObservation> {
  const result = await scheduler.observe([id]);
  const o = result.observations.get(id);
  if (o === undefined) throw new Error(`job ${id} not observed: ${JSON.stringify(result)}`);
  return o;
}

/** Waits until every job is terminal. */
async function settle(
  scheduler: LocalScheduler,
  ids: readonly string[],
): Promise<Map<string, JobObservation>> {
  return until(`jobs ${ids.join(',')} to end`, async () => {
    const { observations } = await scheduler.observe(ids);
    return ids.every((id) => {
      const o = observations.get(id);
      return o !== undefined && isTerminal(o.state);
    })
      ? new Map(observations)
      : undefined;
  });
}

async function submitArgv(scheduler: LocalScheduler, argv: string[], extra: { workdir?: string } = {}) {
  const r = await scheduler.submit({ name: 'sw-t-job', command: { kind: 'argv', argv }, ...extra });
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('LocalScheduler: outcomes', () => {
  it('exit 0 → COMPLETED, exit 3 → FAILED with code 3; a new instance (a later tick) sees the same', async () => {
    const { scheduler, stateDir } = make();
    const ok = await submitArgv(scheduler, ['sh', '-c', 'echo out; echo err >&2']);
    const bad = await submitArgv(scheduler, ['sh', '-c', 'exit 3']);
    expect([ok.jobId, bad.jobId]).toEqual(['1', '2']);
    const seen = await settle(scheduler, ['1', '2']);
    expect(seen.get('1')).toMatchObject({
      state: 'COMPLETED',
      rawState: 'COMPLETED',
      exit: { code: 0, signal: null },
      name: 'sw-t-job',
      stdoutPath: join(stateDir, 'jobs/1/stdout.log'),
      stderrPath: join(stateDir, 'jobs/1/stderr.log'),
      source: 'local',
    });
    expect(seen.get('1')?.startedAt).toBeDefined();
    expect(seen.get('1')?.endedAt).toBeDefined();
    expect(seen.get('1')?.elapsedSeconds).toBeGreaterThanOrEqual(0);
    expect(seen.get('2')).toMatchObject({
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      exit: { code: 3, signal: null },
    });
    expect(readFileSync(ok.stdoutPath, 'utf8')).toBe('out\n');
    expect(readFileSync(ok.stderrPath, 'utf8')).toBe('err\n');

    const later = new LocalScheduler({ stateDir, supervisorCommand: SUPERVISOR });
    expect((await later.observe(['1', '2'])).observations).toEqual(seen);
  });

  it('what the command leaves running in its group when it exits is killed, as Slurm ends a job', async () => {
    const { scheduler } = make();
    const workdir = tempDir();
    const r = await submitArgv(scheduler, ['sh', '-c', 'sleep 300 & echo $! > bg.pid'], { workdir });
    expect((await settle(scheduler, [r.jobId])).get(r.jobId)?.state).toBe('COMPLETED');
    expect(isRunning(Number(readFileSync(join(workdir, 'bg.pid'), 'utf8')))).toBe(false);
  });

  it('a command not found fails with 127 and a shell-like message; a missing workdir or log dir with 1', async () => {
    const { scheduler } = make();
    const missing = await submitArgv(scheduler, ['sweepwatch-no-such-command', '--x']);
    const noDir = await submitArgv(scheduler, ['true'], { workdir: join(tempDir(), 'gone') });
    const noLog = await scheduler.submit({
      name: 'sw-t-log',
      command: { kind: 'argv', argv: ['true'] },
      stdout: join(tempDir(), 'gone', 'out.log'),
    });
    if (!noLog.ok) throw new Error(noLog.message);
    const seen = await settle(scheduler, [missing.jobId, noDir.jobId, noLog.jobId]);
    expect(seen.get(noLog.jobId)).toMatchObject({ state: 'FAILED', exit: { code: 1, signal: null } });
    expect(seen.get(missing.jobId)).toMatchObject({ state: 'FAILED', exit: { code: 127, signal: null } });
    expect(readFileSync(missing.stderrPath, 'utf8')).toMatch(
      /sweepwatch-no-such-command: command not found\n$/,
    );
    expect(seen.get(noDir.jobId)).toMatchObject({ state: 'FAILED', exit: { code: 1, signal: null } });
    expect(readFileSync(noDir.stderrPath, 'utf8')).toMatch(/cd: .*gone: No such file or directory/);
  });

  it('passes the environment on top of its own, runs in the workdir, and expands log patterns there', async () => {
    const { scheduler } = make();
    const workdir = tempDir();
    // The submitting process's environment, which the job inherits through its supervisor.
    process.env.SWEEPWATCH_T_INHERITED = 'inherited';
    const r = await scheduler.submit({
      name: 'sw-t-env',
      command: {
        kind: 'argv',
        argv: ['sh', '-c', 'echo "$GREETING $SWEEPWATCH_JOB_ID $(pwd) $SWEEPWATCH_T_INHERITED"'],
      },
      env: { GREETING: 'a,b c' },
      workdir,
      stdout: 'logs-%x-%j.out',
    });
    delete process.env.SWEEPWATCH_T_INHERITED;
    if (!r.ok) throw new Error(r.message);
    expect(r.stdoutPath).toBe(join(workdir, 'logs-sw-t-env-1.out'));
    await settle(scheduler, [r.jobId]);
    expect(readFileSync(r.stdoutPath, 'utf8')).toBe(`a,b c 1 ${workdir} inherited\n`);
  });

  it('runs a script without the x bit through its #! line, relative to the workdir', async () => {
    const { scheduler } = make();
    const workdir = tempDir();
    writeFileSync(join(workdir, 'job.sh'), '#!/bin/sh\necho "script $1"\n');
    chmodSync(join(workdir, 'job.sh'), 0o644);
    const r = await scheduler.submit({
      name: 'sw-t-script',
      command: { kind: 'script', path: 'job.sh', args: ['arg'] },
      workdir,
    });
    if (!r.ok) throw new Error(r.message);
    expect((await settle(scheduler, [r.jobId])).get(r.jobId)?.state).toBe('COMPLETED');
    expect(readFileSync(r.stdoutPath, 'utf8')).toBe('script arg\n');
  });

  it('rejects what is knowable up front, without creating a job', async () => {
    const { scheduler } = make();
    const cases = [
      { name: 'sw-x', command: { kind: 'argv', argv: [] } },
      { name: 'sw-x', command: { kind: 'argv', argv: ['true'] }, resources: { memMb: -1 } },
      { name: 'sw-x', command: { kind: 'argv', argv: ['true'] }, resources: { timeMinutes: Number.NaN } },
      { name: 'sw-x', command: { kind: 'argv', argv: ['true'] }, array: '0-3' },
      { name: 'bad/name', command: { kind: 'argv', argv: ['true'] } },
      { name: 'sw-x', command: { kind: 'argv', argv: ['true'] }, env: { 'BAD-NAME': '1' } },
    ] as const;
    for (const request of cases) {
      const r = await scheduler.submit(request);
      expect(r).toMatchObject({ ok: false, rootCause: 'submission_rejected' });
    }
    expect(await scheduler.findByName('sw-')).toEqual([]);
  });

  it('refuses to submit when the supervisor cannot be started', async () => {
    const { scheduler } = make({ supervisorCommand: [join(tempDir(), 'no-such-node')] });
    const r = await scheduler.submit({ name: 'sw-x', command: { kind: 'argv', argv: ['true'] } });
    expect(r).toMatchObject({ ok: false, rootCause: 'submission_rejected' });
    expect((await scheduler.observe(['1'])).missing).toEqual(['1']);
  });
});

describe('LocalScheduler: cancel and lost supervisors', () => {
  it('cancel ends the whole process group, even members that ignore SIGTERM', async () => {
    const { scheduler } = make();
    const workdir = tempDir();
    writeFileSync(join(workdir, 'child.sh'), "trap '' TERM\nsleep 300 &\necho $! > grandchild.pid\nwait\n");
    const r = await submitArgv(
      scheduler,
      ['sh', '-c', "trap '' TERM; sh ./child.sh & echo $! > child.pid; wait"],
      {
        workdir,
      },
    );
    await until('the grandchild', () => (existsSync(join(workdir, 'grandchild.pid')) ? true : undefined));
    const running = await observeOne(scheduler, r.jobId);
    expect(running.state).toBe('RUNNING');
    const pids = ['child.pid', 'grandchild.pid'].map((f) => Number(readFileSync(join(workdir, f), 'utf8')));
    expect(pids.every(isRunning)).toBe(true);

    expect(await scheduler.cancel([r.jobId], { jobIds: [r.jobId], namePrefix: 'sw-t-' })).toEqual({
      cancelled: [r.jobId],
      refused: [],
    });
    const done = (await settle(scheduler, [r.jobId])).get(r.jobId);
    expect(done).toMatchObject({ state: 'CANCELLED', rawState: `CANCELLED by ${process.getuid?.()}` });
    expect(pids.filter(isRunning)).toEqual([]);
    expect(readFileSync(r.stderrPath, 'utf8')).toMatch(/\*\*\* JOB 1 ON \S+ CANCELLED AT \S+ \*\*\*/);
  });

  it('a pending job (reason Resources) cancelled never starts', async () => {
    const { scheduler } = make({ concurrency: 1 });
    const first = await submitArgv(scheduler, ['sleep', '300']);
    const second = await submitArgv(scheduler, ['sleep', '300']);
    await until('the queue', async () => {
      const { observations } = await scheduler.observe([first.jobId, second.jobId]);
      return observations.get(first.jobId)?.state === 'RUNNING' &&
        observations.get(second.jobId)?.reason === 'Resources'
        ? true
        : undefined;
    });
    expect(await observeOne(scheduler, second.jobId)).toMatchObject({
      state: 'PENDING',
      reason: 'Resources',
    });
    const scope = { jobIds: [first.jobId, second.jobId] };
    expect((await scheduler.cancel([second.jobId], scope)).cancelled).toEqual([second.jobId]);
    const pending = (await settle(scheduler, [second.jobId])).get(second.jobId);
    expect(pending?.state).toBe('CANCELLED');
    expect(pending?.startedAt).toBeUndefined();
    expect((await scheduler.cancel([first.jobId], scope)).cancelled).toEqual([first.jobId]);
    expect((await settle(scheduler, [first.jobId])).get(first.jobId)?.state).toBe('CANCELLED');
  });

  it('refuses ids out of scope, unknown, malformed, outside the prefix, or finished', async () => {
    const { scheduler } = make();
    const done = await submitArgv(scheduler, ['true']);
    await settle(scheduler, [done.jobId]);
    const result = await scheduler.cancel([done.jobId, '99', '7', 'x;rm', '1'], {
      jobIds: [done.jobId, '99', 'x;rm'],
      namePrefix: 'sw-t-',
    });
    expect(result.cancelled).toEqual([]);
    expect(result.refused.map((r) => [r.jobId, r.reason])).toEqual([
      ['1', 'already_finished'],
      ['99', 'not_found'],
      ['7', 'not_in_scope'],
      ['x;rm', 'invalid_id'],
    ]);
    const other = await scheduler.cancel(['1'], { jobIds: ['1'], namePrefix: 'sw-other-' });
    expect(other.refused.map((r) => r.reason)).toEqual(['name_mismatch']);
  });

  it('a supervisor killed with SIGKILL → NODE_FAIL "supervisor lost", and its orphaned workload is killed', async () => {
    const { scheduler, stateDir } = make();
    const r = await submitArgv(scheduler, ['sleep', '300']);
    await until('RUNNING', async () =>
      (await observeOne(scheduler, r.jobId)).state === 'RUNNING' ? true : undefined,
    );
    const state = stateRecordSchema.parse(
      JSON.parse(readFileSync(join(stateDir, 'jobs/1/state.json'), 'utf8')),
    );
    const supervisor = state.supervisor?.pid ?? 0;
    const leader = state.pgid ?? 0;
    process.kill(supervisor, 'SIGKILL');
    await until('the supervisor to die', () => (isRunning(supervisor) ? undefined : true));

    const later = new LocalScheduler({ stateDir, supervisorCommand: SUPERVISOR });
    expect(await observeOne(later, r.jobId)).toMatchObject({
      state: 'NODE_FAIL',
      rawState: 'NODE_FAIL',
      reason: 'supervisor lost',
    });
    await until('the orphaned workload to die', () => (isRunning(leader) ? undefined : true), 2_000);
    const refused = await later.cancel([r.jobId], { jobIds: [r.jobId] });
    expect(refused.refused.map((x) => x.reason)).toEqual(['already_finished']);
  });
});

describe('LocalScheduler: logs, adoption, preflight, observe edges', () => {
  it('reads log tails: last bytes, truncation, missing files', async () => {
    const { scheduler } = make();
    const r = await submitArgv(scheduler, ['sh', '-c', 'printf "0123456789\\n"; printf "oops\\n" >&2']);
    await settle(scheduler, [r.jobId]);
    const missing = join(tempDir(), 'nope.log');
    const tails = await scheduler.readLogTails(
      [{ jobId: r.jobId, paths: [r.stdoutPath, r.stderrPath, missing] }],
      5,
    );
    expect(tails.get(r.jobId)).toEqual({
      text: '6789\noops',
      truncated: true,
      missing: [missing],
      files: [
        { path: r.stdoutPath, missing: false, size: 11, truncated: true },
        { path: r.stderrPath, missing: false, size: 5, truncated: false },
        { path: missing, missing: true, size: 0, truncated: false },
      ],
    });
  });

  it('findByName returns the jobs under the prefix; observe reports unknown and malformed ids missing', async () => {
    const { scheduler } = make();
    const a = await scheduler.submit({ name: 'sw-a-1', command: { kind: 'argv', argv: ['true'] } });
    const b = await scheduler.submit({ name: 'sw-b-1', command: { kind: 'argv', argv: ['true'] } });
    expect(a.ok && b.ok).toBe(true);
    const found = await scheduler.findByName('sw-a-');
    expect(found.map((o) => [o.jobId, o.name])).toEqual([['1', 'sw-a-1']]);
    await expect(scheduler.findByName('')).rejects.toThrow(TypeError);
    const result = await scheduler.observe(['1', '42', '../1']);
    expect([...result.observations.keys()]).toEqual(['1']);
    expect(result.missing).toEqual(['42', '../1']);
    expect(result.diagnostics).toHaveLength(1);
    await settle(scheduler, ['1', '2']);
  });

  it('preflight: ok with node and user; an unwritable state dir and cluster-only settings are reported', async () => {
    const { scheduler } = make();
    const good = await scheduler.preflight({ writableDirs: [tempDir()] });
    expect(good).toMatchObject({ ok: true, versions: { node: process.version }, accountingAvailable: true });
    expect(good.user).toBeTruthy();

    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const bad = await make({ stateDir: join(file, 'state') }).scheduler.preflight({ partitions: ['gpu'] });
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => [p.code, p.severity])).toEqual([
      ['dir_not_writable', 'error'],
      ['partition_unknown', 'warning'],
    ]);
  });
});
