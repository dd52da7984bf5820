// The local scheduler's slow cases, with real processes: the memory limit, the wall-time
// limit, and the concurrency queue. The fast ones are in test/unit/local-scheduler.test.ts.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { groupSurvives, isAlive, signalGroup } from '../../src/adapters/local/local-proc.js';
import { processIdentitySchema, stateRecordSchema } from '../../src/adapters/local/local-records.js';
import { LocalScheduler, type LocalSchedulerOptions } from '../../src/adapters/local/local-scheduler.js';
import { classify } from '../../src/core/root-cause.js';
import { isTerminal, type JobObservation } from '../../src/core/types.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUPERVISOR = [
  process.execPath,
  '--import',
  'tsx',
  join(REPO, 'src/adapters/local/local-supervisor-main.ts'),
] as const;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    killAll(join(dir, 'jobs'));
    rmSync(dir, { recursive: true, force: true });
  }
});

function make(options: Partial<LocalSchedulerOptions> = {}): { scheduler: LocalScheduler; stateDir: string } {
  const stateDir = mkdtempSync(join(tmpdir(), 'sweepwatch-local-int-'));
  dirs.push(stateDir);
  return {
    scheduler: new LocalScheduler({ stateDir, supervisorCommand: SUPERVISOR, killGraceMs: 500, ...options }),
    stateDir,
  };
}

/** Kills every supervisor and workload group this test started (found by their recorded identities). */
function killAll(jobsDir: string): void {
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
    for (const who of [supervisor.data, state.data?.supervisor]) {
      if (who !== undefined && isAlive(who)) process.kill(who.pid, 'SIGKILL');
    }
    const leader = state.data?.workload;
    if (leader !== undefined && groupSurvives(leader)) signalGroup(leader.pid, 'SIGKILL');
  }
}

async function settle(scheduler: LocalScheduler, ids: readonly string[], ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const { observations } = await scheduler.observe(ids);
    if (ids.every((id) => isTerminal(observations.get(id)?.state ?? 'PENDING'))) return observations;
    if (Date.now() > deadline)
      throw new Error(`jobs did not end: ${JSON.stringify([...observations.values()])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function recordedState(stateDir: string, id: string) {
  return stateRecordSchema.parse(JSON.parse(readFileSync(join(stateDir, 'jobs', id, 'state.json'), 'utf8')));
}

async function submit(
  scheduler: LocalScheduler,
  argv: string[],
  resources: { timeMinutes?: number; memMb?: number },
) {
  const r = await scheduler.submit({ name: 'sw-int-job', command: { kind: 'argv', argv }, resources });
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('LocalScheduler limits', () => {
  it('kills a group past its memory limit: OUT_OF_MEMORY, SIGKILL, peak RSS recorded, host_oom', async () => {
    const { scheduler, stateDir } = make();
    // 16 MiB of touched pages every 20 ms, up to 512 MiB (a bound in case the limit failed).
    const hog =
      'const a=[];const t=setInterval(()=>{a.push(Buffer.alloc(16<<20,1));if(a.length>=32)clearInterval(t)},20);' +
      'setTimeout(()=>{},60000)';
    const r = await submit(scheduler, [process.execPath, '-e', hog], { memMb: 64 });
    const o = (await settle(scheduler, [r.jobId])).get(r.jobId);
    expect(o).toMatchObject({ state: 'OUT_OF_MEMORY', reason: 'OutOfMemory', exit: { code: 0, signal: 9 } });
    expect(recordedState(stateDir, r.jobId).peakRssBytes).toBeGreaterThan(64 * 1024 * 1024);
    const log = readFileSync(r.stderrPath, 'utf8');
    expect(log).toMatch(/Exceeded job memory limit \(\d+\.\d MB > 64\.0 MB\)/);
    expect(classify({ log, schedulerState: o?.rawState ?? null, exitCode: '0:9' }).rootCause).toBe(
      'host_oom',
    );
  });

  it('ends a job past its wall time: TIMEOUT after SIGTERM, with Slurm’s banner', async () => {
    const { scheduler } = make();
    const r = await submit(scheduler, ['sleep', '30'], { timeMinutes: 0.05 });
    const o = (await settle(scheduler, [r.jobId])).get(r.jobId);
    expect(o).toMatchObject({ state: 'TIMEOUT', reason: 'TimeLimit', exit: { code: 0, signal: 15 } });
    expect(o?.elapsedSeconds).toBeGreaterThanOrEqual(2);
    expect(o?.elapsedSeconds).toBeLessThan(10);
    const log = readFileSync(r.stderrPath, 'utf8');
    expect(log).toMatch(/\*\*\* JOB \d+ ON \S+ CANCELLED AT \S+ DUE TO TIME LIMIT \*\*\*/);
    expect(classify({ log, schedulerState: 'TIMEOUT', exitCode: '0:15' }).rootCause).toBe('timeout');
  });
});

describe('LocalScheduler concurrency', () => {
  it('runs 2 of 4 at once; the others wait PENDING (Resources), seen alike by a later tick; all complete', async () => {
    const { scheduler, stateDir } = make({ concurrency: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await submit(scheduler, ['sleep', '2'], {})).jobId);
    expect(ids).toEqual(['1', '2', '3', '4']);

    const summary = (m: ReadonlyMap<string, JobObservation>) =>
      ids.map((id) => `${m.get(id)?.state}/${m.get(id)?.reason ?? '-'}`);
    let maxRunning = 0;
    let queued: string[] | undefined;
    const deadline = Date.now() + 20_000;
    while (queued === undefined && Date.now() < deadline) {
      const { observations } = await scheduler.observe(ids);
      maxRunning = Math.max(
        maxRunning,
        [...observations.values()].filter((o) => o.state === 'RUNNING').length,
      );
      const now = summary(observations);
      if (
        now.filter((s) => s === 'RUNNING/-').length === 2 &&
        now.filter((s) => s === 'PENDING/Resources').length === 2
      ) {
        queued = now;
        // Another process, minutes later in real use: it reads the same state directory.
        const later = new LocalScheduler({ stateDir, supervisorCommand: SUPERVISOR });
        expect(summary((await later.observe(ids)).observations)).toEqual(queued);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(queued).toEqual(['RUNNING/-', 'RUNNING/-', 'PENDING/Resources', 'PENDING/Resources']);

    const done = await settle(scheduler, ids);
    expect(ids.map((id) => done.get(id)?.state)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(maxRunning).toBeLessThanOrEqual(2);
    // First come, first served: 3 and 4 start only once 1 or 2 has ended.
    const t = (id: string, key: 'startedAt' | 'endedAt') => Date.parse(done.get(id)?.[key] ?? '');
    const firstEnd = Math.min(t('1', 'endedAt'), t('2', 'endedAt'));
    expect(Math.min(t('3', 'startedAt'), t('4', 'startedAt'))).toBeGreaterThanOrEqual(firstEnd);
  });
});
