/**
 * SlurmScheduler against the REAL lab (Slurm 22.05 + OpenSSH on 127.0.0.1:2222) over SshTransport.
 * Every outcome is submitted at once, TIMEOUT first (~90 s), and watched together; the phases
 * that disturb the whole cluster (node DOWN, slurmdbd stopped) live in test/fault/, which runs
 * alone after this project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyPendingReason } from '../../src/core/pending-reasons.js';
import { isFailedState } from '../../src/core/types.js';
import { is, openSlurmSession, type SlurmSession } from '../helpers/slurm-session.js';

let s: SlurmSession;
beforeAll(async () => {
  s = await openSlurmSession('swint');
});
afterAll(async () => {
  await s?.close();
});

describe('phase 1: every outcome, observed and normalized', () => {
  const ids: Record<string, string> = {};

  it('preflight passes for the lab and names what is wrong', async () => {
    const ok = await s.slurm.preflight({
      partitions: ['debug'],
      accounts: [s.lab.account],
      qos: ['normal'],
      writableDirs: [s.dir],
    });
    expect(ok).toMatchObject({ ok: true, user: s.lab.ssh.user, accountingAvailable: true, problems: [] });
    expect(ok.versions.sbatch).toMatch(/22\.05/);
    const bad = await s.slurm.preflight({
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
    ids.timeout = await s.submit('timeout', ['sleep', '600'], { resources: { timeMinutes: 1 } });
    const oomPy =
      'chunks = []\nfor i in range(1, 51):\n    chunks.append(b"\\x01" * (10 * 1024 * 1024))\n    print(f"allocated {i * 10} MB", flush=True)\n';
    const arrayCmd =
      'echo "task $SLURM_ARRAY_TASK_ID"; if [ "$SLURM_ARRAY_TASK_ID" = 2 ]; then echo boom >&2; exit 3; fi';
    const requeueCmd =
      'n=$SLURM_RESTART_COUNT; echo "restart $n"; [ "$n" -gt 0 ] 2>/dev/null || sleep 300; echo finished';
    const [completed, failed, oom, cancelled, array, partdown, held, begin, requeue] = await Promise.all([
      s.submit('completed', ['sh', '-c', 'echo "greeting=$GREETING"'], { env: { GREETING: `a,b c 'q' $x` } }),
      s.submit('failed', ['python3', '-c', 'raise ValueError("bad shape: (2, 2)")']),
      s.submit('oom', ['python3', '-c', oomPy], { resources: { memMb: 50 } }),
      s.submit('cancelled', ['sleep', '600']),
      s.submit('array', ['sh', '-c', arrayCmd], { array: '0-3' }),
      s.submit('partdown', ['true'], { resources: { partition: s.lab.partitions.down } }),
      s.sbatch('held', '--hold', '--wrap=true'),
      s.sbatch('begin', '--begin=now+1hour', '--wrap=true'),
      s.sbatch('requeue', '--requeue', `--wrap=${requeueCmd}`),
    ]);
    Object.assign(ids, { completed, failed, oom, cancelled, array, partdown, held, begin, requeue });
    const rejected = await s.slurm.submit({
      name: `${s.prefix}rejected`,
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
    const o = await s.until(
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
    const bob = s.asBob(`sbatch --parsable --job-name=${s.prefix}bob --wrap='sleep 120'`);
    expect(bob.code).toBe(0);
    try {
      await s.until({ [ids.cancelled ?? '']: is('RUNNING') }, 30_000);
      const result = await s.slurm.cancel([ids.cancelled ?? '', bob.out, '999999999'], {
        jobIds: [ids.cancelled ?? '', bob.out, '999999999'],
        namePrefix: s.prefix,
      });
      expect(result.cancelled).toEqual([ids.cancelled]);
      expect(result.refused).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ jobId: bob.out, reason: 'other_user' }),
          expect.objectContaining({ jobId: '999999999', reason: 'not_found' }),
        ]),
      );
      expect(s.asBob(`squeue -h -j ${bob.out} -o %T`).out).toMatch(/^(PENDING|RUNNING)$/);
    } finally {
      s.asBob(`scancel ${bob.out}`);
    }
  });

  it('requeues a job and counts the restart', async () => {
    await s.until({ [ids.requeue ?? '']: is('RUNNING') }, 30_000);
    expect((await s.transport.exec(['scontrol', 'requeue', ids.requeue ?? ''])).code).toBe(0);
  });

  it('observes every final state (COMPLETED, FAILED, OOM, CANCELLED, TIMEOUT, array, requeue)', async () => {
    const id = (k: string) => ids[k] ?? '';
    const array = id('array');
    const o = await s.until(
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
    const all = await s.slurm.observe([array]);
    expect([...all.observations.keys()].sort()).toEqual([0, 1, 2, 3].map((t) => `${array}_${t}`));
  });

  it('reads log tails (at the paths submit returned) in one round trip', async () => {
    const before = s.transport.stats().execs;
    const paths = (id: string | undefined) => {
      const p = s.logs.get(id ?? '');
      return p ? [p.stdout, p.stderr] : [];
    };
    const tails = await s.slurm.readLogTails(
      [
        { jobId: ids.failed ?? '', paths: paths(ids.failed) },
        { jobId: ids.oom ?? '', paths: [...paths(ids.oom), `${s.dir}/nope.err`] },
        { jobId: ids.completed ?? '', paths: paths(ids.completed) },
      ],
      4096,
    );
    expect(s.transport.stats().execs - before).toBe(1);
    expect(tails.get(ids.failed ?? '')?.text).toMatch(/Traceback[\s\S]*ValueError: bad shape/);
    expect(tails.get(ids.oom ?? '')).toMatchObject({
      missing: [`${s.dir}/nope.err`],
      text: expect.stringMatching(/allocated \d+ MB[\s\S]*oom-kill/),
    });
    // The condition's env arrived byte for byte, commas and quotes included.
    expect(tails.get(ids.completed ?? '')?.text).toBe(`greeting=a,b c 'q' $x`);
  });

  it('observes 1,000 ids (most unknown) in exactly one exec, and adopts by name', async () => {
    const many = [...Object.values(ids), ...Array.from({ length: 1000 }, (_, i) => String(900_000 + i))];
    const before = s.transport.stats().execs;
    const result = await s.slurm.observe(many);
    expect(s.transport.stats().execs - before).toBe(1);
    expect(result.errors).toEqual([]);
    expect(result.missing).toHaveLength(1000);
    expect(
      [...result.observations.values()]
        .filter((o) => isFailedState(o.state))
        .map((o) => o.state)
        .sort(),
    ).toEqual(['CANCELLED', 'FAILED', 'FAILED', 'OUT_OF_MEMORY', 'TIMEOUT']);
    const adopted = await s.slurm.findByName(s.prefix);
    expect(adopted.map((o) => o.jobId)).toEqual(
      expect.arrayContaining([ids.completed, ids.failed, ids.held]),
    );
    expect(adopted.every((o) => o.name?.startsWith(s.prefix))).toBe(true);
  });
});
