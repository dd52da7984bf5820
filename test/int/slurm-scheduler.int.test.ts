/**
 * SlurmScheduler against the REAL lab (Slurm 22.05 + OpenSSH on 127.0.0.1:2222) over SshTransport.
 * One file on purpose: the phases run in order, because the last two disturb the whole cluster
 * (the node goes DOWN, slurmdbd stops). Phase 1 submits every outcome at once, TIMEOUT first
 * (~90 s), and watches them all; the rest happens while it runs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import { classifyPendingReason } from '../../src/core/pending-reasons.js';
import { isFailedState, type JobObservation, type JobState } from '../../src/core/types.js';
import type { ObserveResult, SubmitRequest } from '../../src/ports/scheduler.js';
import { type LabInfo, readLab } from '../helpers/lab.js';

const lab: LabInfo = readLab();
const prefix = `swint-${randomBytes(3).toString('hex')}-`;
const dir = `/home/${lab.ssh.user}/${prefix.slice(0, -1)}`;
let transport: SshTransport;
let slurm: SlurmScheduler;
const mine: string[] = [];
/** The log paths submit() returned, per job id. */
const logs = new Map<string, { stdout: string; stderr: string }>();

function ssh(user: string, key: string, command: string) {
  const args = ['-p', String(lab.ssh.port), '-i', key, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes'];
  args.push(
    '-o',
    `UserKnownHostsFile=${lab.ssh.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'LogLevel=ERROR',
  );
  const r = spawnSync('ssh', [...args, `${user}@${lab.ssh.host}`, command], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { out: r.stdout.trim(), err: r.stderr.trim(), code: r.status };
}
const asBob = (command: string) => ssh(lab.otherUser.user, lab.otherUser.privateKeyPath, command);
const asRoot = (...argv: string[]) =>
  spawnSync(argv[0] ?? 'false', argv.slice(1), { encoding: 'utf8', timeout: 60_000 });

async function submit(name: string, argv: string[], extra: Partial<SubmitRequest> = {}): Promise<string> {
  const r = await slurm.submit({
    name: prefix + name,
    command: { kind: 'argv', argv },
    workdir: dir,
    ...extra,
  });
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  mine.push(r.jobId);
  logs.set(r.jobId, { stdout: r.stdoutPath, stderr: r.stderrPath });
  return r.jobId;
}
/** Options our SubmitRequest does not model (--hold, --begin, --requeue): plain sbatch. */
async function sbatch(name: string, ...opts: string[]): Promise<string> {
  const r = await transport.exec([
    'sbatch',
    '--parsable',
    `--job-name=${prefix}${name}`,
    `--chdir=${dir}`,
    ...opts,
  ]);
  const id = r.stdout.trim();
  if (r.code !== 0 || !/^\d+$/.test(id)) throw new Error(`${name}: ${r.stderr}`);
  mine.push(id);
  return id;
}

/** Observes until every id satisfies its predicate; returns the last observation of each. */
async function until(want: Record<string, (o: JobObservation) => boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last: ObserveResult | undefined;
  for (;;) {
    last = await slurm.observe(Object.keys(want));
    const pending = Object.entries(want).filter(([id, ok]) => {
      const o = last?.observations.get(id);
      return !o || !ok(o);
    });
    if (pending.length === 0) return last.observations;
    if (Date.now() > deadline) {
      const seen = pending.map(([id]) => `${id}=${last?.observations.get(id)?.state ?? 'none'}`);
      throw new Error(`timed out waiting for ${seen.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
const is = (state: JobState) => (o: JobObservation) => o.state === state;

beforeAll(async () => {
  transport = new SshTransport({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath),
    knownHosts: lab.ssh.knownHostsLine,
    execTimeoutMs: 60_000,
  });
  slurm = new SlurmScheduler({ transport });
  expect((await transport.exec(['mkdir', '-p', dir])).code).toBe(0);
});

afterAll(async () => {
  if (mine.length > 0) await slurm.cancel(mine, { jobIds: mine, namePrefix: prefix });
  await transport.exec(['rm', '-rf', dir]);
  await transport.close();
});

describe('phase 1: every outcome, observed and normalized', () => {
  const ids: Record<string, string> = {};

  it('preflight passes for the lab and names what is wrong', async () => {
    const ok = await slurm.preflight({
      partitions: ['debug'],
      accounts: [lab.account],
      qos: ['normal'],
      writableDirs: [dir],
    });
    expect(ok).toMatchObject({ ok: true, user: lab.ssh.user, accountingAvailable: true, problems: [] });
    expect(ok.versions.sbatch).toMatch(/22\.05/);
    const bad = await slurm.preflight({
      partitions: ['nosuch'],
      accounts: ['nobody'],
      writableDirs: ['/root'],
    });
    expect(bad.problems.map((p) => p.code).sort()).toEqual([
      'account_unknown',
      'dir_not_writable',
      'partition_unknown',
    ]);
  });

  it('submits every outcome (TIMEOUT first); a bad partition is rejected with the scheduler words', async () => {
    ids.timeout = await submit('timeout', ['sleep', '600'], { resources: { timeMinutes: 1 } });
    const oomPy =
      'chunks = []\nfor i in range(1, 51):\n    chunks.append(b"\\x01" * (10 * 1024 * 1024))\n    print(f"allocated {i * 10} MB", flush=True)\n';
    const arrayCmd =
      'echo "task $SLURM_ARRAY_TASK_ID"; if [ "$SLURM_ARRAY_TASK_ID" = 2 ]; then echo boom >&2; exit 3; fi';
    const requeueCmd =
      'n=$SLURM_RESTART_COUNT; echo "restart $n"; [ "$n" -gt 0 ] 2>/dev/null || sleep 300; echo finished';
    const [completed, failed, oom, cancelled, array, partdown, held, begin, requeue] = await Promise.all([
      submit('completed', ['sh', '-c', 'echo "greeting=$GREETING"'], { env: { GREETING: `a,b c 'q' $x` } }),
      submit('failed', ['python3', '-c', 'raise ValueError("bad shape: (2, 2)")']),
      submit('oom', ['python3', '-c', oomPy], { resources: { memMb: 50 } }),
      submit('cancelled', ['sleep', '600']),
      submit('array', ['sh', '-c', arrayCmd], { array: '0-3' }),
      submit('partdown', ['true'], { resources: { partition: lab.partitions.down } }),
      sbatch('held', '--hold', '--wrap=true'),
      sbatch('begin', '--begin=now+1hour', '--wrap=true'),
      sbatch('requeue', '--requeue', `--wrap=${requeueCmd}`),
    ]);
    Object.assign(ids, { completed, failed, oom, cancelled, array, partdown, held, begin, requeue });
    const rejected = await slurm.submit({
      name: `${prefix}rejected`,
      command: { kind: 'argv', argv: ['true'] },
      resources: { partition: 'nosuch' },
    });
    expect(rejected).toEqual({
      ok: false,
      rootCause: 'submission_rejected',
      message: expect.stringContaining('Batch job submission failed: Invalid partition name specified'),
    });
  });

  it('sees pending jobs with their reasons: legitimate waits and a problem', async () => {
    const o = await until(
      {
        [ids.held ?? '']: is('PENDING'),
        [ids.begin ?? '']: is('PENDING'),
        [ids.partdown ?? '']: is('PENDING'),
      },
      30_000,
    );
    const verdict = (id: string | undefined) => {
      const obs = o.get(id ?? '');
      return classifyPendingReason(obs?.reason, {
        heldPatienceSeconds: 3600,
        ...(obs?.pendingSeconds !== undefined ? { pendingSeconds: obs.pendingSeconds } : {}),
      });
    };
    expect(o.get(ids.held ?? '')).toMatchObject({
      reason: 'JobHeldUser',
      pendingSeconds: expect.any(Number),
    });
    expect(verdict(ids.held)).toMatchObject({ kind: 'wait', code: 'JobHeldUser' });
    expect(verdict(ids.begin)).toMatchObject({ kind: 'wait', code: 'BeginTime' });
    expect(verdict(ids.partdown)).toMatchObject({ kind: 'problem', code: 'PartitionDown' });
  });

  it("cancels its own job and refuses the other user's, which stays alive", async () => {
    const bob = asBob(`sbatch --parsable --job-name=${prefix}bob --wrap='sleep 120'`);
    expect(bob.code).toBe(0);
    try {
      await until({ [ids.cancelled ?? '']: is('RUNNING') }, 30_000);
      const result = await slurm.cancel([ids.cancelled ?? '', bob.out, '999999999'], {
        jobIds: [ids.cancelled ?? '', bob.out, '999999999'],
        namePrefix: prefix,
      });
      expect(result.cancelled).toEqual([ids.cancelled]);
      expect(result.refused).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ jobId: bob.out, reason: 'other_user' }),
          expect.objectContaining({ jobId: '999999999', reason: 'not_found' }),
        ]),
      );
      expect(asBob(`squeue -h -j ${bob.out} -o %T`).out).toMatch(/^(PENDING|RUNNING)$/);
    } finally {
      asBob(`scancel ${bob.out}`);
    }
  });

  it('requeues a job and counts the restart', async () => {
    await until({ [ids.requeue ?? '']: is('RUNNING') }, 30_000);
    expect((await transport.exec(['scontrol', 'requeue', ids.requeue ?? ''])).code).toBe(0);
  });

  it('observes every final state (COMPLETED, FAILED, OOM, CANCELLED, TIMEOUT, array, requeue)', async () => {
    const id = (k: string) => ids[k] ?? '';
    const array = id('array');
    const o = await until(
      {
        [id('completed')]: is('COMPLETED'),
        [id('failed')]: is('FAILED'),
        [id('oom')]: is('OUT_OF_MEMORY'),
        [id('cancelled')]: is('CANCELLED'),
        [id('timeout')]: is('TIMEOUT'),
        [`${array}_2`]: is('FAILED'),
        [`${array}_3`]: is('COMPLETED'),
        [id('requeue')]: (x) => x.state === 'COMPLETED' && x.restarts === 1,
      },
      170_000,
    );
    expect(o.get(id('completed'))).toMatchObject({
      exit: { code: 0, signal: null },
      source: expect.any(String),
    });
    expect(o.get(id('failed'))).toMatchObject({ exit: { code: 1, signal: null }, reason: 'NonZeroExitCode' });
    expect(o.get(id('oom'))).toMatchObject({ rawState: 'OUT_OF_MEMORY' });
    expect(o.get(id('cancelled'))?.rawState).toMatch(/^CANCELLED by \d+$/);
    expect(o.get(id('timeout'))).toMatchObject({ reason: 'TimeLimit', elapsedSeconds: expect.any(Number) });
    expect(o.get(`${array}_2`)).toMatchObject({
      exit: { code: 3, signal: null },
      jobIdRaw: expect.stringMatching(/^\d+$/),
    });
    const all = await slurm.observe([array]);
    expect([...all.observations.keys()].sort()).toEqual([0, 1, 2, 3].map((t) => `${array}_${t}`));
  });

  it('reads log tails (at the paths submit returned) in one round trip', async () => {
    const before = transport.stats().execs;
    const paths = (id: string | undefined) => {
      const p = logs.get(id ?? '');
      return p ? [p.stdout, p.stderr] : [];
    };
    const tails = await slurm.readLogTails(
      [
        { jobId: ids.failed ?? '', paths: paths(ids.failed) },
        { jobId: ids.oom ?? '', paths: [...paths(ids.oom), `${dir}/nope.err`] },
        { jobId: ids.completed ?? '', paths: paths(ids.completed) },
      ],
      4096,
    );
    expect(transport.stats().execs - before).toBe(1);
    expect(tails.get(ids.failed ?? '')?.text).toMatch(/Traceback[\s\S]*ValueError: bad shape/);
    expect(tails.get(ids.oom ?? '')).toMatchObject({
      missing: [`${dir}/nope.err`],
      text: expect.stringMatching(/allocated \d+ MB[\s\S]*oom-kill/),
    });
    // The condition's env arrived byte for byte, commas and quotes included.
    expect(tails.get(ids.completed ?? '')?.text).toBe(`greeting=a,b c 'q' $x`);
  });

  it('observes 1,000 ids (most unknown) in exactly one exec, and adopts by name', async () => {
    const many = [...Object.values(ids), ...Array.from({ length: 1000 }, (_, i) => String(900_000 + i))];
    const before = transport.stats().execs;
    const result = await slurm.observe(many);
    expect(transport.stats().execs - before).toBe(1);
    expect(result.errors).toEqual([]);
    expect(result.missing).toHaveLength(1000);
    expect(
      [...result.observations.values()]
        .filter((o) => isFailedState(o.state))
        .map((o) => o.state)
        .sort(),
    ).toEqual(['CANCELLED', 'FAILED', 'FAILED', 'OUT_OF_MEMORY', 'TIMEOUT']);
    const adopted = await slurm.findByName(prefix);
    expect(adopted.map((o) => o.jobId)).toEqual(
      expect.arrayContaining([ids.completed, ids.failed, ids.held]),
    );
    expect(adopted.every((o) => o.name?.startsWith(prefix))).toBe(true);
  });
});

describe('phase 2: NODE_FAIL', () => {
  it('a node set DOWN fails its running job as NODE_FAIL', async () => {
    const id = await sbatch('nodefail', '--no-requeue', '--wrap=sleep 300');
    await until({ [id]: is('RUNNING') }, 30_000);
    try {
      expect(
        asRoot('scontrol', 'update', `NodeName=${lab.nodeName}`, 'State=DOWN', 'Reason=sweepwatch-int')
          .status,
      ).toBe(0);
      const o = await until({ [id]: is('NODE_FAIL') }, 60_000);
      expect(o.get(id)).toMatchObject({ reason: 'NodeDown' });
    } finally {
      // With ReturnToService=2 the node usually returns by itself (RESUME is then refused).
      asRoot('scontrol', 'update', `NodeName=${lab.nodeName}`, 'State=RESUME');
      for (let i = 0; i < 150; i++) {
        const state = asRoot('sinfo', '-h', '-n', lab.nodeName, '-o', '%t').stdout.trim();
        if (/^(idle|mix|alloc)$/.test(state)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
});

describe('phase 3: accounting down', () => {
  it('sacct_unavailable, squeue/scontrol fallback, unseen jobs kept, nothing marked failed', async () => {
    const done = await submit('after-down', ['echo', 'ok']);
    const failed = await submit('failed-down', ['sh', '-c', 'exit 7']);
    await until({ [done]: is('COMPLETED'), [failed]: is('FAILED') }, 60_000);
    const pid = readFileSync('/run/slurm-lab/slurmdbd.pid', 'utf8').trim();
    try {
      expect(asRoot('kill', '-TERM', pid).status).toBe(0);
      for (let i = 0; i < 100 && asRoot('kill', '-0', pid).status === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      const result = await slurm.observe([done, failed, '999999999']);
      expect(result.errors).toEqual([
        expect.objectContaining({ kind: 'sacct_unavailable', source: 'sacct' }),
      ]);
      expect(result.observations.get(done)).toMatchObject({
        state: 'COMPLETED',
        source: 'scontrol',
        exit: { code: 0, signal: null },
      });
      expect(result.observations.get(failed)).toMatchObject({
        state: 'FAILED',
        source: 'scontrol',
        exit: { code: 7, signal: null },
      });
      // A job squeue does not hold may have ended past MinJobAge, and only accounting would know:
      // with sacct down it is unobserved (keep its last state), never failed, never missing.
      expect(result.unobserved).toEqual(['999999999']);
      expect(result.missing).toEqual([]);
    } finally {
      const up = asRoot('bash', resolve('scripts/lab/up.sh'));
      expect(up.status, up.stderr).toBe(0);
    }
    const back = await slurm.observe([done]);
    expect(back.errors).toEqual([]);
  });
});
