/**
 * SSH faults during a real tick: a sweep pends on the real lab, and each tick goes through a
 * connection broken in one way (refused, wrong key, wrong host key, cut mid-observation, a
 * command that never answers, a jump host down). Each broken tick must keep every job at its
 * last known state (stale, never failed), act on nothing, say what broke, and retry only what
 * can heal, within bounds; the next healthy tick recovers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import type { SweepConfig } from '../../src/config/sweep-config.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import { crashOf, type Drive, drive, launchOn, settle, tickOn } from '../helpers/reliability/drive.js';
import { cancelsOutside, falseFailures, lostAttempts, spyOn } from '../helpers/reliability/invariants.js';
import { type LabProxy, startLabProxy } from '../helpers/reliability/lab-proxy.js';
import { type LabWorld, openLabWorld } from '../helpers/reliability/lab-world.js';
import { type ClassSpec, noProblems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';
import { generateEd25519, startSshServer, type TestSshServer, unusedPort } from '../helpers/ssh-server.js';

const rec = recorder(import.meta.url);
let world: LabWorld;
let config: SweepConfig;
let d: Drive;
let proxy: LabProxy;
let ids: string[];

const spec = (klass: string, against: string, expected: string): ClassSpec => ({
  area: 'SSH',
  klass,
  against,
  expected,
});

beforeAll(async () => {
  world = await openLabWorld('swssh');
  config = world.sweep({
    experiment: world.experimentId('ssh'),
    factors: { lr: [1, 2], seed: [1, 2] },
    command: ['sleep', '600'],
  });
  d = drive();
  const launched = await launchOn(d, world.slurm, config);
  expect(launched.reasonCode, launched.reason).toBe('launched');
  ids = launched.submitted.map((s) => s.jobId);
  const first = await tickOn(d, world.slurm, config);
  expect(first.reasonCode).not.toBe('observation_failed');
  proxy = await startLabProxy(world.transport);
});

afterAll(async () => {
  await proxy?.close();
  await world?.close([config.experiment]);
  writeReliabilityReport();
});

/**
 * One broken tick, then a healthy one. The broken tick must be blind (observation_failed: no
 * state changes, no action), name the failure, and keep every attempt; the healthy tick clears
 * every stale mark.
 */
async function brokenThenHealed(
  klass: ClassSpec,
  broken: () => Scheduler,
  message: RegExp,
  heal: () => Scheduler | Promise<Scheduler> = () => world.slurm,
): Promise<void> {
  const before = d.store.current();
  if (before === null) throw new Error('no manifest');
  const { scheduler, spy } = spyOn(broken());
  const outcome = await settle(() => tickOn(d, scheduler, config));
  const during = d.store.current();
  const problems = noProblems();
  problems.crash.push(...crashOf(outcome));
  if (outcome.ok) {
    const r = outcome.value;
    const said = r.observationErrors.map((e) => e.message).join('; ');
    if (r.reasonCode !== 'observation_failed') problems.crash.push(`tick decided ${r.reasonCode} blind`);
    if (!message.test(said)) problems.crash.push(`unclear error: ${said}`);
    if (!r.summaryMarkdown.includes('nothing was marked failed'))
      problems.crash.push('the summary does not say that nothing was marked failed');
  }
  const stale = during?.conditions.filter((c) => latestAttempt(c)?.staleSince === null) ?? [];
  if (outcome.ok && stale.length > 0) problems.lost.push(`${stale.length} attempts not flagged stale`);

  const healed = await tickOn(d, await heal(), config);
  const after = d.store.current();
  if (healed.reasonCode === 'observation_failed')
    problems.crash.push('the next healthy tick did not recover');
  if (after?.conditions.some((c) => latestAttempt(c)?.staleSince !== null))
    problems.crash.push('stale marks survived a healthy tick');
  const truth = await world.truth(ids);
  problems.lost.push(...lostAttempts(before, during), ...lostAttempts(before, after));
  problems.falseFailure.push(
    ...falseFailures(during, (id) => truth.get(id)),
    ...falseFailures(after, (id) => truth.get(id)),
  );
  problems.duplicate.push(...spy.submitted.map((n) => `submitted ${n} while observing`));
  problems.leak.push(...cancelsOutside(spy.cancelRequested, during));
  expect(rec.check(klass, problems)).toEqual(noProblems());
}

/** Backoff sleeps an SshTransport asked for, without waiting for them. */
function sleeps(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

describe('SSH faults during a tick on the real lab', () => {
  it('connection refused: retried 3 times with bounded backoff, then ssh_connect_failed; nothing failed', async () => {
    const port = await unusedPort();
    const backoff = sleeps();
    await brokenThenHealed(
      spec(
        'connection refused',
        'tick → an unused 127.0.0.1 port',
        'retried with backoff (≤ 3, capped), then a connect error; jobs kept',
      ),
      () =>
        world.scheduler(
          new SshTransport(
            world.sshOptions({
              port,
              connectRetries: 3,
              retryBaseDelayMs: 100,
              retryMaxDelayMs: 400,
              sleep: backoff.sleep,
            }),
          ),
        ),
      /could not connect to alice@127\.0\.0\.1:\d+.*gave up after 4 attempts/,
    );
    expect(backoff.delays).toHaveLength(3);
    for (const ms of backoff.delays) expect(ms).toBeLessThanOrEqual(400);
  });

  it('authentication failure: refused at once (no retry), named as such', async () => {
    const backoff = sleeps();
    await brokenThenHealed(
      spec('authentication failure', 'real lab sshd', 'ssh_auth_failed at once, no retry; jobs kept'),
      () =>
        world.scheduler(
          new SshTransport(
            world.sshOptions({ privateKey: generateEd25519().privateKey, sleep: backoff.sleep }),
          ),
        ),
      /authentication failed for alice@127\.0\.0\.1:2222/,
    );
    expect(backoff.delays).toEqual([]);
  });

  it('host-key mismatch: refused before authenticating, offering the key it saw', async () => {
    const backoff = sleeps();
    const wrongPin = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await brokenThenHealed(
      spec(
        'host-key mismatch',
        'real lab sshd',
        'ssh_host_key_rejected with the offered fingerprint; no retry',
      ),
      () =>
        world.scheduler(new SshTransport(world.sshOptions({ knownHosts: wrongPin, sleep: backoff.sleep }))),
      new RegExp(world.lab.ssh.hostKeySha256.replace(/[+/]/g, '\\$&')),
    );
    expect(backoff.delays).toEqual([]);
  });

  it('connection cut in the middle of the observation: jobs stay unobserved, not failed', async () => {
    proxy.mode = 'drop-mid-output';
    try {
      await brokenThenHealed(
        spec(
          'connection cut mid-observation',
          'in-process ssh2 proxy to the lab',
          'ssh_disconnected: every job kept stale; next tick recovers',
        ),
        () =>
          world.scheduler(
            new SshTransport({
              host: '127.0.0.1',
              port: proxy.server.port,
              user: 'alice',
              privateKey: proxy.clientKey.privateKey,
              knownHosts: proxy.server.knownHostsLine,
            }),
          ),
        /the connection was lost/,
      );
      expect(proxy.forwarded.length).toBeGreaterThan(0);
    } finally {
      proxy.mode = 'pass';
    }
  });

  it('a command that hangs past its timeout: killed at the deadline, never waited on forever', async () => {
    proxy.mode = 'hang';
    const started = Date.now();
    try {
      await brokenThenHealed(
        spec(
          'command hangs past its timeout',
          'in-process ssh2 proxy to the lab',
          'ssh_timeout at the per-call deadline; jobs kept',
        ),
        () =>
          world.scheduler(
            new SshTransport({
              host: '127.0.0.1',
              port: proxy.server.port,
              user: 'alice',
              privateKey: proxy.clientKey.privateKey,
              knownHosts: proxy.server.knownHostsLine,
            }),
            { timeoutMs: 2_000 },
          ),
        /did not finish within 2000 ms and was killed/,
      );
    } finally {
      proxy.mode = 'pass';
    }
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('a jump host down: the target is never reached, nothing failed; back up, the tick goes through it again', async () => {
    const jumpKey = generateEd25519();
    const hostKey = generateEd25519();
    let jump: TestSshServer = await startSshServer({ authorizedKey: jumpKey, hostKey });
    const port = jump.port;
    const viaJump = () =>
      world.scheduler(
        new SshTransport(
          world.sshOptions({
            connectRetries: 1,
            retryBaseDelayMs: 50,
            jumpHosts: [
              {
                host: '127.0.0.1',
                port,
                user: 'alice',
                privateKey: jumpKey.privateKey,
                knownHosts: jump.knownHostsLine,
              },
            ],
          }),
        ),
      );
    const through = await tickOn(d, viaJump(), config);
    expect(through.reasonCode).not.toBe('observation_failed');
    expect(jump.counts.forwards).toBeGreaterThan(0);
    await jump.close();
    try {
      await brokenThenHealed(
        spec(
          'jump host down',
          'real lab behind an in-process jump host',
          'ssh_connect_failed naming the jump host; jobs kept',
        ),
        viaJump,
        new RegExp(`could not connect to alice@127\\.0\\.0\\.1:${port}`),
        // Healed through the same jump host, back up on its port with its host key.
        async () => {
          jump = await startSshServer({ authorizedKey: jumpKey, hostKey, port });
          return viaJump();
        },
      );
      expect(jump.counts.forwards).toBeGreaterThan(0);
    } finally {
      await jump.close();
    }
  });
});
