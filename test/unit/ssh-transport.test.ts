import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SshTransport, type SshTransportOptions } from '../../src/adapters/ssh/ssh-transport.js';
import { until } from '../helpers/ssh-client-harness.js';
import { generateEd25519, startSshServer, type TestSshServer } from '../helpers/ssh-server.js';
import { rejection } from '../helpers/transport-rejection.js';

const clientKey = generateEd25519();
let server: TestSshServer;
const open: SshTransport[] = [];

beforeEach(async () => {
  server = await startSshServer({ authorizedKey: clientKey });
});

afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  await server.close();
});

function transport(overrides: Partial<SshTransportOptions> = {}): SshTransport {
  const t = new SshTransport({
    host: server.host,
    port: server.port,
    user: 'alice',
    privateKey: clientKey.privateKey,
    knownHosts: server.knownHostsLine,
    connectRetries: 0,
    ...overrides,
  });
  open.push(t);
  return t;
}

describe('SshTransport exec', () => {
  it('sends argv as one quoted command line and returns stdout with exit code 0', async () => {
    server.onExec((io) => {
      io.stdout('hello\n');
      io.exit(0);
    });
    const result = await transport().exec(['printf', '%s', "it's $(here)"]);
    expect(server.commands).toEqual(["printf %s 'it'\\''s $(here)'"]);
    expect(result).toEqual({
      stdout: 'hello\n',
      stderr: '',
      code: 0,
      signal: null,
      stdoutTruncated: false,
      stderrTruncated: false,
    });
  });

  it('returns a non-zero exit as a result with stderr kept apart from stdout', async () => {
    server.onExec((io) => {
      io.stderr('sacct: error: bad\n');
      io.exit(3);
    });
    const result = await transport().exec(['sacct']);
    expect(result).toMatchObject({ stdout: '', stderr: 'sacct: error: bad\n', code: 3, signal: null });
  });

  it('reports a command killed by a signal as code null and the signal name without SIG', async () => {
    server.onExec((io) => io.killed('KILL'));
    const result = await transport().exec(['srun']);
    expect(result).toMatchObject({ code: null, signal: 'KILL' });
  });

  it('kills a command that outlives its timeout, reports it by name, and keeps the connection usable', async () => {
    server.onExec((io) => {
      // `sleep` never answers, like a wedged sacct.
      if (!io.command.startsWith('sleep')) io.exit(0);
    });
    const t = transport();
    const error = await rejection(t.exec(['sleep', '600'], { timeoutMs: 400 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain("'sleep'");
    expect(error.message).toContain('400 ms');
    expect(error.context).toMatchObject({ command: 'sleep', timeoutMs: 400 });
    await until(() => server.signals.includes('KILL'));
    await expect(t.exec(['true'])).resolves.toMatchObject({ code: 0 });
    expect(t.stats().connections).toBe(1);
  });

  it('still kills a command whose exec request was answered only after the timeout', async () => {
    await server.close();
    server = await startSshServer({ authorizedKey: clientKey, execAcceptDelayMs: 300, onExec: () => {} });
    const t = transport();
    await t.connect();
    const error = await rejection(t.exec(['sleep', '600'], { timeoutMs: 50 }));
    expect(error.kind).toBe('timeout');
    await until(() => server.signals.includes('KILL'));
  });

  it('keeps at most maxStdoutBytes, marks the output truncated, and still waits for the exit', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    server.onExec((io) => {
      for (let i = 0; i < 16; i++) io.stdout(chunk);
      io.stderr('e'.repeat(500));
      io.exit(0);
    });
    const t = transport({ maxStderrBytes: 100 });
    const result = await t.exec(['cat', 'big'], { maxStdoutBytes: 1000 });
    expect(result.stdout).toBe('x'.repeat(1000));
    expect(result.stderr).toBe('e'.repeat(100));
    expect(result).toMatchObject({ code: 0, stdoutTruncated: true, stderrTruncated: true });
    expect(t.stats().bytesIn).toBe(16 * 64 * 1024 + 500);
  });

  it('decodes UTF-8 even when a character is split across packets', async () => {
    const bytes = Buffer.from('é😀', 'utf8');
    server.onExec((io) => {
      for (const byte of bytes) io.stdout(Buffer.from([byte]));
      io.exit(0);
    });
    await expect(transport().exec(['cat'])).resolves.toMatchObject({ stdout: 'é😀' });
  });

  it('hands stdout over line by line as packets arrive when asked, keeping none of it, within the same cap', async () => {
    const bytes = Buffer.from('first é\nsecond 😀\n\nlast', 'utf8');
    server.onExec((io) => {
      for (const byte of bytes) io.stdout(Buffer.from([byte]));
      io.stderr('warn\n');
      io.exit(0);
    });
    const lines: string[] = [];
    const result = await transport().exec(['cat'], { onStdoutLine: (line) => lines.push(line) });
    expect(lines).toEqual(['first é', 'second 😀', '', 'last']);
    expect(result).toMatchObject({ stdout: '', stderr: 'warn\n', code: 0, stdoutTruncated: false });

    const capped: string[] = [];
    const cut = await transport().exec(['cat'], {
      maxStdoutBytes: 10,
      onStdoutLine: (line) => capped.push(line),
    });
    expect(capped).toEqual(['first é', 's']);
    expect(cut).toMatchObject({ stdout: '', stdoutTruncated: true });
  });

  it('feeds stdin and then closes it', async () => {
    server.onExec(async (io) => {
      io.stdout(await io.stdin());
      io.exit(0);
    });
    const t = transport();
    await expect(t.exec(['sh', '-s'], { stdin: 'echo hi\n' })).resolves.toMatchObject({
      stdout: 'echo hi\n',
    });
    const bytes = new Uint8Array([0xc3, 0xa9]);
    await expect(t.exec(['cat'], { stdin: bytes })).resolves.toMatchObject({ stdout: 'é' });
  });

  it('closes stdin even when none is given, so a command reading it does not hang', async () => {
    server.onExec(async (io) => {
      io.stdout(`${(await io.stdin()).length}`);
      io.exit(0);
    });
    await expect(transport().exec(['cat'], { timeoutMs: 2_000 })).resolves.toMatchObject({ stdout: '0' });
  });

  it('reuses one connection for every exec, sequential or concurrent', async () => {
    server.onExec((io) => {
      io.stdout(io.command);
      io.exit(0);
    });
    const t = transport();
    for (let i = 0; i < 5; i++) await t.exec(['echo', `${i}`]);
    const parallel = await Promise.all([5, 6, 7, 8, 9].map((i) => t.exec(['echo', `${i}`])));
    expect(parallel.map((r) => r.stdout)).toEqual(['echo 5', 'echo 6', 'echo 7', 'echo 8', 'echo 9']);
    expect(t.stats()).toMatchObject({ execs: 10, connections: 1 });
    expect(server.counts.connections).toBe(1);
  });

  it('rejects with disconnected when the connection drops mid-exec, and reconnects for the next exec', async () => {
    server.onExec((io) => {
      if (io.command === 'squeue') {
        io.stdout('partial');
        setTimeout(() => io.drop(), 20);
        return;
      }
      io.exit(0);
    });
    const t = transport();
    const error = await rejection(t.exec(['squeue']));
    expect(error.kind).toBe('disconnected');
    expect(error.message).toContain("'squeue'");
    expect(error.context).toMatchObject({ command: 'squeue', host: '127.0.0.1', user: 'alice' });
    await expect(t.exec(['true'])).resolves.toMatchObject({ code: 0 });
    expect(t.stats().connections).toBe(2);
  });

  it('counts bytes sent: the command line plus stdin', async () => {
    server.onExec(async (io) => {
      await io.stdin();
      io.exit(0);
    });
    const t = transport();
    await t.exec(['cat', 'a b'], { stdin: 'é' });
    expect(t.stats().bytesOut).toBe(Buffer.byteLength("cat 'a b'") + 2);
  });

  it('opens nothing until the first exec, and close() is safe twice', async () => {
    const t = transport();
    await t.close();
    await t.close();
    expect(server.counts.connections).toBe(0);
    expect((await rejection(t.exec(['true']))).kind).toBe('disconnected');
  });

  it('connect() opens the connection up front and the execs reuse it', async () => {
    server.onExec((io) => io.exit(0));
    const t = transport();
    await t.connect();
    expect(server.counts.authOk).toBe(1);
    await t.exec(['true']);
    expect(t.stats().connections).toBe(1);
  });

  it('refuses an argument with a NUL byte before anything is sent', async () => {
    const t = transport();
    const error = await rejection(t.exec(['echo', 'a\0b']));
    expect(error.kind).toBe('config');
    expect(server.counts.connections).toBe(0);
  });
});
