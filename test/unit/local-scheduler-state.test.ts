// The local scheduler's state directory without supervisors: id allocation under the lock,
// stale locks, the admission queue, lost-job detection, and how a script is executed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandArgv } from '../../src/adapters/local/local-command.js';
import { allocateJob } from '../../src/adapters/local/local-ids.js';
import { viewJob } from '../../src/adapters/local/local-job-view.js';
import { jobFiles, layoutOf, writeJsonAtomic } from '../../src/adapters/local/local-layout.js';
import { identify } from '../../src/adapters/local/local-proc.js';
import { enqueue, leaveQueue, tryAdmit } from '../../src/adapters/local/local-queue.js';
import type { JobRecord, ProcessIdentity } from '../../src/adapters/local/local-records.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-local-state-'));
  dirs.push(dir);
  return dir;
}

/** The identity of a process that has exited. */
function deadProcess(): ProcessIdentity {
  const r = spawnSync('true');
  return { pid: r.pid ?? 999_999, startTicks: '1' };
}

const me = identify(process.pid);

function job(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    version: 1,
    jobId: '1',
    name: 'sw-j',
    kind: 'argv',
    argv: ['true'],
    env: {},
    workdir: '/tmp',
    stdoutPath: '/tmp/o',
    stderrPath: '/tmp/e',
    limits: {},
    resources: {},
    submittedAt: new Date().toISOString(),
    uid: 0,
    user: 'u',
    concurrency: 1,
    pollMs: 200,
    killGraceMs: 0,
    ...overrides,
  };
}

describe('job ids', () => {
  it('are increasing integers, unique under concurrent allocation', async () => {
    const dir = stateDir();
    const ids = await Promise.all(Array.from({ length: 20 }, () => allocateJob(dir)));
    expect(ids.map((j) => Number(j.jobId)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(readdirSync(layoutOf(dir).jobsDir)).toHaveLength(20);
  });

  it('break a lock whose holder is dead, and survive a lost counter', async () => {
    const dir = stateDir();
    await allocateJob(dir);
    await allocateJob(dir);
    const layout = layoutOf(dir);
    writeFileSync(layout.lockFile, JSON.stringify({ token: 'x', holder: deadProcess() }));
    rmSync(layout.lastIdFile);
    expect((await allocateJob(dir)).jobId).toBe('3');
  });
});

describe('admission queue', () => {
  it('admits in id order up to the limit, and drops entries whose supervisor is dead', async () => {
    const dir = stateDir();
    enqueue(dir, '1', deadProcess());
    for (const id of ['2', '3', '4']) enqueue(dir, id, me);
    // Two free slots go to the first two live entries: the dead 1 no longer counts.
    expect(await tryAdmit(dir, '4', 2)).toBe(false);
    expect(await tryAdmit(dir, '3', 2)).toBe(true);
    expect(await tryAdmit(dir, '4', 2)).toBe(false); // 2 is ahead of it for the last slot
    expect(await tryAdmit(dir, '2', 2)).toBe(true);
    expect(readdirSync(layoutOf(dir).queueDir)).toEqual(['4']);
    expect(await tryAdmit(dir, '4', 2)).toBe(false); // full
    leaveQueue(dir, '3');
    expect(await tryAdmit(dir, '4', 2)).toBe(true);
  });
});

describe('lost jobs', () => {
  function record(dir: string, submittedAt: string, supervisor?: ProcessIdentity) {
    mkdirSync(jobFiles(dir, '1').dir, { recursive: true });
    writeJsonAtomic(jobFiles(dir, '1').job, job({ submittedAt }));
    writeJsonAtomic(jobFiles(dir, '1').state, {
      state: 'RUNNING',
      updatedAt: submittedAt,
      ...(supervisor ? { supervisor } : {}),
    });
  }
  const options = { now: new Date(), startGraceMs: 60_000 };

  it('a live supervisor → not lost; a dead one → lost', () => {
    const live = stateDir();
    record(live, new Date().toISOString(), me);
    expect(viewJob(live, '1', options)).toMatchObject({ kind: 'found', lost: false });
    const dead = stateDir();
    record(dead, new Date().toISOString(), deadProcess());
    expect(viewJob(dead, '1', options)).toMatchObject({ kind: 'found', lost: true });
  });

  it('no supervisor on record: lost only once the start grace has passed', () => {
    const fresh = stateDir();
    record(fresh, new Date().toISOString());
    expect(viewJob(fresh, '1', options)).toMatchObject({ lost: false });
    const old = stateDir();
    record(old, new Date(Date.now() - 120_000).toISOString());
    expect(viewJob(old, '1', options)).toMatchObject({ lost: true });
  });

  it('an unparsable record is unreadable, not a guess', () => {
    const dir = stateDir();
    mkdirSync(jobFiles(dir, '1').dir, { recursive: true });
    writeFileSync(jobFiles(dir, '1').job, '{"version": 1');
    expect(viewJob(dir, '1', options).kind).toBe('unreadable');
    expect(viewJob(dir, '2', options).kind).toBe('missing');
  });
});

describe('commandArgv', () => {
  it('runs a non-executable script through its #! line (one argument), or /bin/sh', () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'a.py'), '#!/usr/bin/env python3 -u\nprint(1)\n', { mode: 0o644 });
    writeFileSync(join(dir, 'b.sh'), 'echo hi\n', { mode: 0o644 });
    writeFileSync(join(dir, 'c.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    const script = (path: string) => job({ kind: 'script', argv: [path, 'x'], workdir: dir });
    expect(commandArgv(script('a.py'))).toEqual(['/usr/bin/env', 'python3 -u', join(dir, 'a.py'), 'x']);
    expect(commandArgv(script('b.sh'))).toEqual(['/bin/sh', join(dir, 'b.sh'), 'x']);
    expect(commandArgv(script('c.sh'))).toEqual([join(dir, 'c.sh'), 'x']);
    expect(commandArgv(job({ argv: ['python3', 'train.py'] }))).toEqual(['python3', 'train.py']);
  });
});
