import { createServer, type Server, Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { sshClientHarness } from '../helpers/ssh-client-harness.js';
import { generateEd25519, unusedPort } from '../helpers/ssh-server.js';
import { rejection } from '../helpers/transport-rejection.js';

const { server, transport } = sshClientHarness();

/** A sleep that returns at once and remembers what it was asked to wait. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

describe('SshTransport connecting', () => {
  it('refuses a server whose host key is not the pinned one, naming the fingerprint it offered', async () => {
    const s = await server();
    const impostor = await server();
    const wrongPin = impostor.knownHostsLine.replace(`]:${impostor.port} `, `]:${s.port} `);
    const { sleep, delays } = recordingSleep();
    const t = transport({ port: s.port, knownHosts: wrongPin, connectRetries: 3, sleep });
    const error = await rejection(t.exec(['true']));
    expect(error.kind).toBe('host_key');
    expect(error.message).toContain(`offered ${s.fingerprint}`);
    expect(error.message).toContain(`expected ${impostor.fingerprint}`);
    expect(error.context).toMatchObject({ host: '127.0.0.1', port: s.port, user: 'alice' });
    // Refused before authenticating, and never retried.
    expect(s.counts.authOk + s.counts.authFailed).toBe(0);
    expect(delays).toEqual([]);
    expect(s.counts.connections).toBe(1);
  });

  it('refuses a server when no key is pinned for it, still naming what it offered', async () => {
    const s = await server();
    const error = await rejection(transport({ port: s.port, knownHosts: '' }).exec(['true']));
    expect(error.kind).toBe('host_key');
    expect(error.message).toContain('no host key is pinned');
    expect(error.message).toContain(s.fingerprint);
  });

  it('accepts the pinned key given as a SHA256 fingerprint', async () => {
    const s = await server();
    const t = transport({ port: s.port, knownHosts: s.fingerprint });
    await expect(t.exec(['true'])).resolves.toMatchObject({ code: 0 });
  });

  it('reports a rejected key as auth and does not retry it', async () => {
    const s = await server();
    const { sleep, delays } = recordingSleep();
    const stranger = generateEd25519();
    const t = transport({
      port: s.port,
      knownHosts: s.knownHostsLine,
      privateKey: stranger.privateKey,
      connectRetries: 3,
      sleep,
    });
    const error = await rejection(t.exec(['true']));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(`alice@127.0.0.1:${s.port}`);
    expect(delays).toEqual([]);
    expect(s.counts.connections).toBe(1);
  });

  it('retries a refused connection with exponential backoff and jitter, then reports connect', async () => {
    const port = await unusedPort();
    const { sleep, delays } = recordingSleep();
    const t = transport({
      port,
      connectRetries: 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 250,
      random: () => 0.5,
      sleep,
    });
    const error = await rejection(t.exec(['true']));
    expect(error.kind).toBe('connect');
    expect(error.message).toContain('gave up after 4 attempts');
    expect(error.context).toMatchObject({ code: 'ECONNREFUSED', port });
    // Nominal 100, 200, 250 (capped); equal jitter at 0.5 waits three quarters of each.
    expect(delays).toEqual([75, 150, 188]);
  });

  it('connects once the server comes up during the backoff', async () => {
    const port = await unusedPort();
    const hostKey = generateEd25519();
    const [type, blob] = hostKey.publicKey.split(' ');
    const delays: number[] = [];
    const sleep = async (ms: number) => {
      delays.push(ms);
      if (delays.length === 2) await server(port, hostKey);
    };
    const t = transport({
      port,
      knownHosts: `[127.0.0.1]:${port} ${type} ${blob}`,
      connectRetries: 3,
      sleep,
    });
    await expect(t.exec(['true'])).resolves.toMatchObject({ stdout: 'ran true', code: 0 });
    expect(delays).toHaveLength(2);
    expect(t.stats().connections).toBe(1);
  });

  it('treats a server that never completes the handshake as a transient connect failure', async () => {
    const silent: Server = createServer((socket: Socket) => socket.on('error', () => {}));
    const sockets: Socket[] = [];
    silent.on('connection', (socket: Socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const { sleep, delays } = recordingSleep();
    const t = transport({ port: address.port, readyTimeoutMs: 150, connectRetries: 1, sleep });
    try {
      const error = await rejection(t.exec(['true']));
      expect(error.kind).toBe('connect');
      expect(error.message).toContain('Timed out while waiting for handshake');
      expect(delays).toHaveLength(1);
      expect(sockets).toHaveLength(2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reaches the target through two jump hosts, each checked against its own pinned key', async () => {
    const [jump1, jump2, target] = [await server(), await server(), await server()];
    const t = transport({
      port: target.port,
      knownHosts: target.knownHostsLine,
      jumpHosts: [
        { host: '127.0.0.1', port: jump1.port, user: 'alice', knownHosts: jump1.knownHostsLine },
        { host: '127.0.0.1', port: jump2.port, user: 'alice', knownHosts: jump2.knownHostsLine },
      ],
    });
    await expect(t.exec(['hostname'])).resolves.toMatchObject({ stdout: 'ran hostname', code: 0 });
    await t.exec(['hostname']);
    expect([jump1.counts.forwards, jump2.counts.forwards, target.counts.forwards]).toEqual([1, 1, 0]);
    expect([jump1.commands, jump2.commands, target.commands]).toEqual([[], [], ['hostname', 'hostname']]);
    expect(t.stats().connections).toBe(1);
  });

  it('refuses a jump host whose key is not pinned, without reaching the target', async () => {
    const [jump1, jump2, target] = [await server(), await server(), await server()];
    const t = transport({
      port: target.port,
      knownHosts: target.knownHostsLine,
      jumpHosts: [
        { host: '127.0.0.1', port: jump1.port, user: 'alice', knownHosts: jump1.knownHostsLine },
        { host: '127.0.0.1', port: jump2.port, user: 'alice', knownHosts: jump1.fingerprint },
      ],
    });
    const error = await rejection(t.exec(['true']));
    expect(error.kind).toBe('host_key');
    expect(error.message).toContain(`127.0.0.1:${jump2.port}`);
    expect(error.message).toContain(jump2.fingerprint);
    expect(target.counts.connections).toBe(0);
  });

  it('turns Nagle off, so a command, its stdin and its EOF never wait on a delayed ACK', async () => {
    // With Nagle on, each exec with stdin stalled ~40 ms on loopback and 4 MB of output ~45 ms
    // more (window adjusts); see BENCHMARKS.md, issue #10.
    const s = await server();
    const noDelay = vi.spyOn(Socket.prototype, 'setNoDelay');
    try {
      const t = transport({ port: s.port, knownHosts: s.knownHostsLine });
      await t.exec(['cat'], { stdin: 'x' });
      expect(noDelay).toHaveBeenCalledWith(true);
      expect(noDelay).not.toHaveBeenCalledWith(false);
    } finally {
      noDelay.mockRestore();
    }
  });

  it('rejects impossible options as config errors before opening anything', () => {
    expect(() => transport({ port: 0 })).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(() => transport({ port: 22, user: '' })).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(() => transport({ port: 22, knownHosts: 'nonsense' })).toThrow(
      expect.objectContaining({ kind: 'config' }),
    );
    expect(() => transport({ port: 22, execTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ kind: 'config' }),
    );
  });
});
