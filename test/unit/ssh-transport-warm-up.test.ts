import { describe, expect, it } from 'vitest';
import { sshClientHarness, until } from '../helpers/ssh-client-harness.js';
import { unusedPort } from '../helpers/ssh-server.js';
import { rejection } from '../helpers/transport-rejection.js';

/**
 * warmUp(): a tick starts connecting while it loads the manifest (issue #10). The connection it
 * brings up is the one the execs use; if it fails, nothing fails until the first exec, which
 * reports that very failure instead of starting a second round of attempts.
 */

const { server, transport } = sshClientHarness();

describe('SshTransport warm-up', () => {
  it('logs in ahead of the first exec, which then runs on that same connection', async () => {
    const s = await server();
    const t = transport({ port: s.port, knownHosts: s.knownHostsLine });
    t.warmUp();
    await until(() => s.counts.authOk === 1);
    expect(s.commands).toEqual([]);
    await expect(t.exec(['hostname'])).resolves.toMatchObject({ stdout: 'ran hostname', code: 0 });
    t.warmUp();
    await t.exec(['true']);
    expect(s.counts.connections).toBe(1);
    expect(t.stats().connections).toBe(1);
  });

  it('an exec started during the warm-up waits for it instead of opening its own', async () => {
    const s = await server();
    const t = transport({ port: s.port, knownHosts: s.knownHostsLine });
    t.warmUp();
    await Promise.all([t.exec(['a']), t.exec(['b'])]);
    expect(s.counts.connections).toBe(1);
  });

  it('a refused warm-up throws nothing; the first exec reports it, with no second round of attempts', async () => {
    const port = await unusedPort();
    const delays: number[] = [];
    const sleep = async (ms: number) => void delays.push(ms);
    const t = transport({ port, connectRetries: 2, sleep });
    t.warmUp();
    await until(() => delays.length === 2);
    await new Promise((r) => setTimeout(r, 50)); // the last attempt is refused too
    const error = await rejection(t.exec(['true']));
    expect(error.kind).toBe('connect');
    expect(error.message).toContain('gave up after 3 attempts');
    expect(delays).toHaveLength(2);
    // Only the warm-up's failure is handed on: the next exec tries again, as it always did.
    expect((await rejection(t.exec(['true']))).kind).toBe('connect');
    expect(delays).toHaveLength(4);
  });

  it('a host key refused during the warm-up is the first exec’s error, never passed off as an outage', async () => {
    const s = await server();
    const impostor = await server();
    const wrongPin = impostor.knownHostsLine.replace(`]:${impostor.port} `, `]:${s.port} `);
    const t = transport({ port: s.port, knownHosts: wrongPin });
    t.warmUp();
    const error = await rejection(t.exec(['true']));
    expect(error.kind).toBe('host_key');
    expect(error.message).toContain(`offered ${s.fingerprint}`);
    expect(s.counts.connections).toBe(1);
  });

  it('does nothing once closed', async () => {
    const s = await server();
    const t = transport({ port: s.port, knownHosts: s.knownHostsLine });
    await t.close();
    t.warmUp();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.counts.connections).toBe(0);
    expect((await rejection(t.exec(['true']))).kind).toBe('disconnected');
  });
});
