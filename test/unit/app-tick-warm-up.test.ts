import { afterEach, describe, expect, it } from 'vitest';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import { type TickDeps, tick } from '../../src/app/tick.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { TransportError } from '../../src/ports/transport.js';
import { ago, type Harness, harness, jobsWhere, launched, runTick } from '../fakes/sweep-fixture.js';
import { generateEd25519, startSshServer, type TestSshServer, unusedPort } from '../helpers/ssh-server.js';

/**
 * A tick brings the cluster connection up while it loads the manifest (issue #10): the two
 * waits overlap. Whether the warm-up succeeds or not, the tick's outcome is the one it had
 * without it: a connection that cannot be made is reported by the observe call, once.
 */

const open: SshTransport[] = [];
const servers: TestSshServer[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const s of servers.splice(0)) await s.close();
});

const clientKey = generateEd25519();

function sshTo(port: number, extra: { knownHosts?: string; sleep?: (ms: number) => Promise<void> } = {}) {
  const t = new SshTransport({
    host: '127.0.0.1',
    port,
    user: 'alice',
    privateKey: clientKey.privateKey,
    knownHosts: extra.knownHosts ?? '',
    connectRetries: 2,
    ...(extra.sleep !== undefined ? { sleep: extra.sleep } : {}),
  });
  open.push(t);
  return t;
}

function depsWith(h: Harness, scheduler: TickDeps['scheduler'], store: StateStore = h.store): TickDeps {
  return {
    store,
    scheduler,
    issues: h.issues,
    dispatcher: h.dispatcher,
    clock: h.clock,
    saveOptions: h.saveOptions,
  };
}

async function runningSweep(): Promise<Harness> {
  const h = harness();
  await launched(h);
  for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 300) });
  return h;
}

describe('tick: the connection comes up while the manifest loads', () => {
  it('asks the scheduler to prepare before it starts loading, then observes as before', async () => {
    const h = await runningSweep();
    const order: string[] = [];
    const store: StateStore = {
      load: async () => {
        order.push('load');
        return h.store.load();
      },
      save: (manifest, version) => h.store.save(manifest, version),
    };
    const scheduler: TickDeps['scheduler'] = {
      prepare: () => void order.push('prepare'),
      observe: (ids) => {
        order.push('observe');
        return h.scheduler.observe(ids);
      },
      readLogTails: (requests, max) => h.scheduler.readLogTails(requests, max),
      cancel: (ids, scope) => h.scheduler.cancel(ids, scope),
    };
    const result = await tick(depsWith(h, scheduler, store), { config: h.config, relaunchWorkflow: null });
    expect(order).toEqual(['prepare', 'load', 'observe']);
    expect(result.counts.running).toBe(jobsWhere(h).length);
  });

  it('a cluster that refuses the connection: one round of attempts, reported by observe, nothing failed', async () => {
    const h = await runningSweep();
    await runTick(h);
    const delays: number[] = [];
    const transport = sshTo(await unusedPort(), { sleep: async (ms) => void delays.push(ms) });
    const scheduler = new SlurmScheduler({ transport });
    const result = await tick(depsWith(h, scheduler), { config: h.config, relaunchWorkflow: null });
    expect(result.reasonCode).toBe('observation_failed');
    expect(result.observationErrors).toEqual([
      {
        kind: 'transport',
        source: 'transport',
        message: expect.stringContaining('gave up after 3 attempts'),
      },
    ]);
    // The warm-up's attempts were the tick's only ones: observe waited for them, tried no more.
    expect(delays).toHaveLength(2);
    expect(result.newlyFailed).toEqual([]);
    expect(result.counts.failed).toBe(0);
    const attempts = h.store.current()?.conditions.map((c) => latestAttempt(c));
    expect(attempts?.every((a) => a?.state === 'RUNNING' && a.staleSince !== null)).toBe(true);
  });

  it('a host key refused during the warm-up still fails the tick loudly, writing nothing', async () => {
    const h = await runningSweep();
    const before = h.store.current();
    const s = await startSshServer({ authorizedKey: clientKey });
    const impostor = await startSshServer({ authorizedKey: clientKey });
    servers.push(s, impostor);
    const wrongPin = impostor.knownHostsLine.replace(`]:${impostor.port} `, `]:${s.port} `);
    const scheduler = new SlurmScheduler({ transport: sshTo(s.port, { knownHosts: wrongPin }) });
    await expect(
      tick(depsWith(h, scheduler), { config: h.config, relaunchWorkflow: null }),
    ).rejects.toBeInstanceOf(TransportError);
    expect(h.store.current()).toEqual(before);
    expect(s.counts.connections).toBe(1);
  });
});
