/**
 * SkyPilotScheduler over the REAL lab SSH connection (OpenSSH on 127.0.0.1:2222, as alice),
 * against a STAND-IN `sky` (test/helpers/fake-sky/sky-standin.py): SkyPilot itself cannot run
 * here. The stand-in replays recorded outputs and logs every argv it gets, so the test checks
 * the exact commands sweepwatch sent, through the real remote shell scripts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkyPilotScheduler } from '../../src/adapters/skypilot/skypilot-scheduler.js';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import type { SubmitRequest } from '../../src/ports/scheduler.js';
import { queueJson, type RecordSpec, type Scenario } from '../helpers/fake-sky/records.js';
import { type LabInfo, readLab } from '../helpers/lab.js';

const lab: LabInfo = readLab();
const STANDIN = readFileSync(resolve(__dirname, '../helpers/fake-sky/sky-standin.py'), 'utf8');
const TABLE_0_10 = readFileSync(
  resolve(__dirname, '../fixtures/skypilot/queue-v0.10-all-verbose.txt'),
  'utf8',
);
const home = `/home/${lab.ssh.user}`;
const tag = randomBytes(3).toString('hex');
const root = `${home}/sweepwatch-standin-${tag}`;
const oldRoot = `${home}/sweepwatch-standin-old-${tag}`;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const PINNED = `resources:\n  image_id: docker:ghcr.io/acme/train@${DIGEST}\n  accelerators: A100:1\nrun: eval "$SWEEPWATCH_COMMAND"\n`;
const BARE = 'resources:\n  accelerators: A100:1\nrun: python train.py\n';
let transport: SshTransport;

async function sh(script: string, ...args: string[]): Promise<string> {
  const r = await transport.exec(['sh', '-c', script, 'sh', ...args]);
  if (r.code !== 0) throw new Error(`remote: ${r.stderr}`);
  return r.stdout;
}
const put = (path: string, text: string) =>
  transport.exec(['sh', '-c', 'cat > "$1"', 'sh', path], { stdin: text });

/** Installs the stand-in as <dir>/bin/sky with a scenario, and a clean argv log. */
async function install(dir: string, scenario: Scenario): Promise<string> {
  await sh('mkdir -p "$1/bin" && rm -f "$1/argv.jsonl" "$1/state.json"', dir);
  await put(`${dir}/bin/sky`, STANDIN);
  await sh('chmod +x "$1/bin/sky"', dir);
  await put(`${dir}/scenario.json`, JSON.stringify(scenario));
  return `${dir}/bin/sky`;
}
async function argvLog(dir: string): Promise<string[][]> {
  const text = await sh('cat "$1/argv.jsonl" 2>/dev/null || true', dir);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as string[]);
}

beforeAll(async () => {
  transport = new SshTransport({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath),
    knownHosts: lab.ssh.knownHostsLine,
    execTimeoutMs: 60_000,
  });
  await sh('mkdir -p "$1"', root);
  await put(`${root}/task.yaml`, PINNED);
  await put(`${root}/bare.yaml`, BARE);
});

afterAll(async () => {
  await transport.exec(['rm', '-rf', root, oldRoot]);
  await transport.close();
});

describe('one sweep through the stand-in sky (JSON queue, 0.13)', () => {
  const P = 'sw-itest-';
  const notebook: RecordSpec = { id: 99, name: 'my-notebook', status: 'RUNNING' };
  const setupFailure = 'To see the details, run: sky jobs logs --controller 102';
  const noResource =
    'sky.exceptions.ManagedJobReachedMaxRetriesError: Resources unavailable: failed to launch clusters after 3 retries.';
  const q = (...specs: [number, string, string, number?][]) =>
    queueJson([
      notebook,
      ...specs.map(([id, c, status, recoveries]) => ({
        id,
        name: P + c,
        status,
        ...(recoveries !== undefined ? { recoveries } : {}),
        ...(status === 'FAILED_SETUP' ? { failure: setupFailure } : {}),
        ...(status === 'FAILED_NO_RESOURCE' ? { failure: noResource } : {}),
      })),
    ]);
  const relaunched = {
    stdout: q(
      [101, 'c1', 'SUCCEEDED', 1],
      [102, 'c2', 'FAILED_SETUP'],
      [103, 'c3', 'FAILED_NO_RESOURCE'],
      [104, 'c2', 'RUNNING'],
      [105, 'c3', 'RUNNING'],
    ),
  };
  const launched = (id: number) => ({
    stdout: `Task from YAML spec: task.yaml\n⚙︎ Job submitted, ID: ${id}\n`,
  });
  const scenario: Scenario = {
    version: '0.13.0',
    rules: [
      { match: ['jobs', 'launch'], replies: [101, 102, 103, 104, 105].map(launched) },
      {
        match: ['jobs', 'queue'],
        replies: [
          { stdout: q([101, 'c1', 'RUNNING'], [102, 'c2', 'STARTING'], [103, 'c3', 'PENDING']) },
          { stdout: q([101, 'c1', 'RECOVERING', 1], [102, 'c2', 'FAILED_SETUP'], [103, 'c3', 'STARTING']) },
          {
            stdout: q(
              [101, 'c1', 'RUNNING', 1],
              [102, 'c2', 'FAILED_SETUP'],
              [103, 'c3', 'FAILED_NO_RESOURCE'],
            ),
          },
          // After the relaunch: observed once, then read by each of the two cancels' checks.
          relaunched,
          relaunched,
          relaunched,
          { stdout: q([104, 'c2', 'SUCCEEDED'], [105, 'c3', 'CANCELLED']) },
        ],
      },
      {
        match: ['jobs', 'logs', '--controller', '103'],
        replies: [{ stdout: `${noResource}\nFailed to provision all possible launchable resources.\n` }],
      },
      {
        match: ['jobs', 'logs', '102'],
        replies: [
          {
            stdout: 'Running setup.\nERROR: No matching distribution found for torch==9.9\n',
            code: 100,
          },
        ],
      },
      { match: ['jobs', 'cancel'], replies: [{ stdout: 'Job with ID 105 is scheduled to be cancelled.' }] },
    ],
  };
  let sky: string;
  let scheduler: SkyPilotScheduler;
  const request = (c: string, lr: string, resources: SubmitRequest['resources'] = {}): SubmitRequest => ({
    name: P + c,
    command: { kind: 'argv', argv: ['python', 'train.py', '--lr', lr] },
    env: { LR: lr },
    resources,
  });
  const launchArgv = (c: string, lr: string, flags: string[]) => [
    ...[
      'jobs',
      'launch',
      '-n',
      P + c,
      '--env',
      `LR=${lr}`,
      '--env',
      `SWEEPWATCH_COMMAND=python train.py --lr ${lr}`,
    ],
    ...flags,
    ...['-y', '-d', `${root}/task.yaml`],
  ];
  const QUEUE = ['jobs', 'queue', '--all', '-v', '-o', 'json'];

  beforeAll(async () => {
    sky = await install(root, scenario);
    scheduler = new SkyPilotScheduler({ transport, skyCommand: [sky], taskYaml: `${root}/task.yaml` });
  });

  it('preflight: sky found, version recorded, the task YAML pins its image', async () => {
    const report = await scheduler.preflight({ writableDirs: [root] });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, user: lab.ssh.user, versions: { sky: '0.13.0' } });
  });

  it('launches three conditions, recording the image digest', async () => {
    const r1 = await scheduler.submit(
      request('c1', '0.001', { cpusPerTask: 4, memMb: 16_384, timeMinutes: 90 }),
    );
    const r2 = await scheduler.submit(request('c2', '0.01', { gpus: 2 }));
    const r3 = await scheduler.submit(request('c3', '0.1', { gpus: 1 }));
    expect([r1, r2, r3]).toEqual(
      [101, 102, 103].map((id) => ({
        ok: true,
        jobId: String(id),
        stdoutPath: `sky-jobs-logs:${id}`,
        stderrPath: `sky-jobs-logs:${id}`,
        imageDigest: DIGEST,
      })),
    );
  });

  it('observes while running, through a preemption and two failures, one queue call each', async () => {
    const ids = ['101', '102', '103'];
    const execs = transport.stats().execs;
    const o1 = await scheduler.observe(ids);
    expect(transport.stats().execs - execs).toBe(1);
    expect(o1.errors).toEqual([]);
    expect(o1.observations.has('99')).toBe(false);
    expect([...o1.observations.values()].map((o) => [o.jobId, o.state, o.rawState])).toEqual([
      ['101', 'RUNNING', 'RUNNING'],
      ['102', 'PENDING', 'STARTING'],
      ['103', 'PENDING', 'PENDING'],
    ]);
    const o2 = await scheduler.observe(ids);
    expect(o2.observations.get('101')).toMatchObject({
      state: 'RUNNING',
      rawState: 'RECOVERING',
      restarts: 1,
    });
    expect(o2.observations.get('102')).toMatchObject({
      state: 'FAILED',
      rawState: 'FAILED_SETUP',
      reason: setupFailure,
    });
    const o3 = await scheduler.observe(ids);
    expect(o3.observations.get('101')).toMatchObject({ state: 'RUNNING', rawState: 'RUNNING', restarts: 1 });
    expect(o3.observations.get('103')).toMatchObject({ state: 'FAILED', rawState: 'FAILED_NO_RESOURCE' });
  });

  it('reads the failed jobs logs in one call: the job log, and the controller log for no-resource', async () => {
    const execs = transport.stats().execs;
    const tails = await scheduler.readLogTails(
      [
        { jobId: '102', paths: ['sky-jobs-logs:102'] },
        { jobId: '103', paths: ['sky-jobs-logs:103'] },
      ],
      4096,
    );
    expect(transport.stats().execs - execs).toBe(1);
    expect(tails.get('102')?.text).toContain('No matching distribution found for torch==9.9');
    expect(tails.get('102')?.missing).toEqual([]);
    expect(tails.get('103')?.text).toContain('Failed to provision all possible launchable resources.');
    expect(tails.get('103')?.files.map((f) => f.path)).toEqual(['sky-jobs-logs:103:controller']);
  });

  it('relaunches only the failed ones', async () => {
    expect(await scheduler.submit(request('c2', '0.01', { gpus: 2 }))).toMatchObject({
      ok: true,
      jobId: '104',
    });
    expect(await scheduler.submit(request('c3', '0.1', { gpus: 1 }))).toMatchObject({
      ok: true,
      jobId: '105',
    });
    const o = await scheduler.observe(['101', '104', '105']);
    expect([...o.observations.values()].map((x) => [x.jobId, x.state])).toEqual([
      ['101', 'COMPLETED'],
      ['104', 'RUNNING'],
      ['105', 'RUNNING'],
    ]);
  });

  it('cancels only inside the manifest: a foreign id is refused and never sent', async () => {
    const ours = ['101', '102', '103', '104', '105'];
    const r = await scheduler.cancel(['99', '105'], { jobIds: ours, namePrefix: P });
    expect(r.cancelled).toEqual(['105']);
    expect(r.refused).toEqual([{ jobId: '99', reason: 'not_in_scope', detail: 'not in this sweep' }]);
    // Even listed in scope, a job outside the sweep's name prefix is refused before any cancel.
    const r2 = await scheduler.cancel(['99'], { jobIds: [...ours, '99'], namePrefix: P });
    expect(r2.cancelled).toEqual([]);
    expect(r2.refused).toMatchObject([{ jobId: '99', reason: 'name_mismatch' }]);
    const done = await scheduler.observe(['104', '105']);
    expect(done.observations.get('104')?.state).toBe('COMPLETED');
    expect(done.observations.get('105')?.state).toBe('CANCELLED');
  });

  it('sent exactly these commands, and no cancel for a foreign job', async () => {
    expect(await argvLog(root)).toEqual([
      ['--version'],
      launchArgv('c1', '0.001', ['--cpus', '4+', '--memory', '16+']),
      launchArgv('c2', '0.01', ['--gpus', 'A100:2']),
      launchArgv('c3', '0.1', []),
      QUEUE,
      QUEUE,
      QUEUE,
      ['jobs', 'logs', '--no-follow', '102'],
      ['jobs', 'logs', '--no-follow', '--controller', '103'],
      launchArgv('c2', '0.01', ['--gpus', 'A100:2']),
      launchArgv('c3', '0.1', []),
      QUEUE,
      QUEUE,
      ['jobs', 'cancel', '-y', '105'],
      QUEUE,
      QUEUE,
    ]);
  });

  it('refuses a task without a pinned container image, naming the file and the key, before launching', async () => {
    const bare = new SkyPilotScheduler({ transport, skyCommand: [sky], taskYaml: `${root}/bare.yaml` });
    const report = await bare.preflight({});
    expect(report.ok).toBe(false);
    expect(report.problems).toMatchObject([
      { severity: 'error', subject: `${root}/bare.yaml: resources.image_id` },
    ]);
    const r = await bare.submit(request('c4', '1'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(new RegExp(`${root}/bare.yaml: resources.image_id is not set`));
    const allowed = new SkyPilotScheduler({
      transport,
      skyCommand: [sky],
      taskYaml: `${root}/bare.yaml`,
      allowBareVm: true,
    });
    expect((await allowed.preflight({})).ok).toBe(true);
    expect((await argvLog(root)).filter((a) => a[1] === 'launch')).toHaveLength(5);
  });
});

describe('an older sky without JSON (0.10): the table, found by the flag cascade', () => {
  it('falls back from -o json to the table once, then asks the table directly', async () => {
    const sky = await install(oldRoot, {
      version: '0.10.2',
      unknownOptions: ['-o'],
      rules: [{ match: ['jobs', 'queue'], replies: [{ stdout: TABLE_0_10 }] }],
    });
    const scheduler = new SkyPilotScheduler({ transport, skyCommand: [sky] });
    const first = await scheduler.observe(['10', '7', '9', '999']);
    expect(first.errors).toEqual([]);
    expect(first.missing).toEqual(['999']);
    expect(first.observations.get('10')).toMatchObject({
      state: 'RUNNING',
      restarts: 1,
      elapsedSeconds: 5400,
    });
    expect(first.observations.get('7')).toMatchObject({ state: 'FAILED', rawState: 'FAILED_SETUP' });
    expect(first.observations.get('9')).toMatchObject({
      state: 'RUNNING',
      restarts: 2,
      name: 'sw-demo-pipe0001',
    });
    await scheduler.observe(['10']);
    expect(await scheduler.version()).toEqual({ version: '0.10.2', queueDialect: 'all-verbose' });
    expect(await argvLog(oldRoot)).toEqual([
      ['--version'],
      ['jobs', 'queue', '--all', '-v', '-o', 'json'],
      ['jobs', 'queue', '--all', '-v'],
      ['jobs', 'queue', '--all', '-v'],
    ]);
  });
});
