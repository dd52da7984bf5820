/**
 * Cluster faults on the REAL lab: the node goes DOWN, and accounting (slurmdbd) stops. These
 * disturb every job on the cluster, so the `fault` project runs them alone, after the others.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { is, openSlurmSession, type SlurmSession } from '../helpers/slurm-session.js';

let s: SlurmSession;
beforeAll(async () => {
  s = await openSlurmSession('swfault');
});
afterAll(async () => {
  await s?.close();
});

describe('phase 2: NODE_FAIL', () => {
  it('a node set DOWN fails its running job as NODE_FAIL', async () => {
    const id = await s.sbatch('nodefail', '--no-requeue', '--wrap=sleep 300');
    await s.until({ [id]: is('RUNNING') }, 30_000);
    try {
      expect(
        s.asRoot('scontrol', 'update', `NodeName=${s.lab.nodeName}`, 'State=DOWN', 'Reason=sweepwatch-int')
          .status,
      ).toBe(0);
      const o = await s.until({ [id]: is('NODE_FAIL') }, 60_000);
      expect(o.get(id)).toMatchObject({ reason: 'NodeDown' });
    } finally {
      // With ReturnToService=2 the node usually returns by itself (RESUME is then refused).
      s.asRoot('scontrol', 'update', `NodeName=${s.lab.nodeName}`, 'State=RESUME');
      for (let i = 0; i < 150; i++) {
        const state = s.asRoot('sinfo', '-h', '-n', s.lab.nodeName, '-o', '%t').stdout.trim();
        if (/^(idle|mix|alloc)$/.test(state)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
});

describe('phase 3: accounting down', () => {
  it('sacct_unavailable, squeue/scontrol fallback, unseen jobs kept, nothing marked failed', async () => {
    const done = await s.submit('after-down', ['echo', 'ok']);
    const failed = await s.submit('failed-down', ['sh', '-c', 'exit 7']);
    await s.until({ [done]: is('COMPLETED'), [failed]: is('FAILED') }, 60_000);
    const pid = readFileSync('/run/slurm-lab/slurmdbd.pid', 'utf8').trim();
    try {
      expect(s.asRoot('kill', '-TERM', pid).status).toBe(0);
      for (let i = 0; i < 100 && s.asRoot('kill', '-0', pid).status === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      const result = await s.slurm.observe([done, failed, '999999999']);
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
      const up = s.asRoot('bash', resolve('scripts/lab/up.sh'));
      expect(up.status, up.stderr).toBe(0);
    }
    const back = await s.slurm.observe([done]);
    expect(back.errors).toEqual([]);
  });
});
