import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport, type SshTransportOptions } from '../../src/adapters/ssh/ssh-transport.js';
import { TransportError } from '../../src/ports/transport.js';
import { type LabInfo, readLab } from '../helpers/lab.js';

// The real lab: OpenSSH on 127.0.0.1:2222 in front of Slurm, on this same machine, so a file the
// remote side creates under /tmp is visible here too.
let lab: LabInfo;
let privateKey: Buffer;
const open: SshTransport[] = [];

beforeAll(() => {
  lab = readLab();
  privateKey = readFileSync(lab.ssh.privateKeyPath);
});

afterAll(async () => {
  for (const t of open.splice(0)) await t.close();
});

function labTransport(overrides: Partial<SshTransportOptions> = {}): SshTransport {
  const t = new SshTransport({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey,
    knownHosts: lab.ssh.knownHostsLine,
    connectRetries: 0,
    execTimeoutMs: 30_000,
    ...overrides,
  });
  open.push(t);
  return t;
}

const HOSTILE = ["'", '"', '\\', '$', '`', '(', ')', ';', '&', '|', '<', '>', '*', '?', '[', ']', '{', '}'];
const MORE = ['~', '!', '#', '=', ' ', '\t', '\n', '-', '--', '%s', '%', 'é', '😀', '\u202e', 'a', 'Z', '0'];

describe('SshTransport against the lab sshd', () => {
  it('runs squeue and sacct as alice with the pinned host key and returns their output', async () => {
    const t = labTransport();
    const squeue = await t.exec(['squeue']);
    expect(squeue).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(squeue.stdout).toMatch(
      /^\s*JOBID\s+PARTITION\s+NAME\s+USER\s+ST\s+TIME\s+NODES\s+NODELIST\(REASON\)\n/,
    );

    const header = await t.exec(['sacct', '-X', '-P', '--starttime', 'now-1hour', '-o', 'JobID,State']);
    expect(header).toMatchObject({ code: 0, stderr: '' });
    expect(header.stdout.split('\n')[0]).toBe('JobID|State');

    const rows = await t.exec(['sacct', '-X', '-P', '-n', '--starttime', 'now-1hour', '-o', 'JobID,State']);
    expect(rows.code).toBe(0);
    for (const line of rows.stdout.split('\n').filter((l) => l !== '')) {
      expect(line).toMatch(/^[0-9][0-9_[\]\-,+]*\|[A-Z_]+( by \d+)?$/);
    }
    expect(t.stats().connections).toBe(1);
  });

  it('accepts the lab host key pinned as a SHA256 fingerprint', async () => {
    const t = labTransport({ knownHosts: lab.ssh.hostKeySha256 });
    await expect(t.exec(['whoami'])).resolves.toMatchObject({ stdout: `${lab.ssh.user}\n`, code: 0 });
  });

  it('delivers hostile strings byte for byte and runs nothing they contain', async () => {
    const canary = `/tmp/pwned-${randomBytes(6).toString('hex')}`;
    const injections = [
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `; touch ${canary}`,
      `&& touch ${canary}`,
      `| touch ${canary}`,
      `\ntouch ${canary}\n`,
      `'; touch ${canary}; '`,
      `"; touch ${canary}; "`,
      `$(IFS=,;touch\${IFS}${canary})`,
    ];
    const hostile = fc
      .tuple(
        fc.oneof(
          fc.string({ unit: fc.constantFrom(...HOSTILE, ...MORE), maxLength: 16 }),
          fc.string({ unit: 'binary', maxLength: 16 }),
        ),
        fc.constantFrom(...injections),
        fc.string({ unit: fc.constantFrom(...HOSTILE, ...MORE), maxLength: 8 }),
      )
      .map(([before, injection, after]) => `${before}${injection}${after}`)
      .filter((s) => !s.includes('\0'));
    const t = labTransport();
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        const result = await t.exec(['printf', '%s', s]);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(Buffer.from(result.stdout)).toEqual(Buffer.from(s));
      }),
      { numRuns: 100 },
    );
    expect(t.stats()).toMatchObject({ connections: 1, execs: 100 });
    expect(existsSync(canary)).toBe(false);
    // And as alice on the remote side, in case its /tmp were not this one.
    await expect(t.exec(['test', '-e', canary])).resolves.toMatchObject({ code: 1 });
  });

  it('refuses the real sshd when the pinned fingerprint is wrong, naming the one it offered', async () => {
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const t = labTransport({ knownHosts: wrong, connectRetries: 2 });
    let error: unknown;
    try {
      await t.exec(['true']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: 'host_key' });
    expect((error as TransportError).message).toContain(`offered ${lab.ssh.hostKeySha256}`);
    expect((error as TransportError).message).toContain(`expected ${wrong}`);
  });

  it('hops through the real sshd to itself as a jump host', async () => {
    const t = labTransport({
      jumpHosts: [
        { host: lab.ssh.host, port: lab.ssh.port, user: lab.ssh.user, knownHosts: lab.ssh.knownHostsLine },
      ],
    });
    await expect(t.exec(['whoami'])).resolves.toMatchObject({ stdout: `${lab.ssh.user}\n`, code: 0 });
    await expect(t.exec(['squeue', '-h', '-u', lab.ssh.user])).resolves.toMatchObject({ code: 0 });
    expect(t.stats().connections).toBe(1);
  });

  it('kills a remote command that outlives its timeout and keeps the connection usable', async () => {
    const marker = `${900 + Math.floor(Math.random() * 99)}.${randomBytes(3).readUIntBE(0, 3)}`;
    const t = labTransport();
    const pending = t.exec(['sleep', marker], { timeoutMs: 700 });
    await expect(pending).rejects.toMatchObject({ kind: 'timeout' });
    // pgrep exits 1 once no such process is left.
    let alive = 0;
    for (let i = 0; i < 40; i++) {
      alive = (await t.exec(['pgrep', '-u', lab.ssh.user, '-f', `^sleep ${marker}$`])).code ?? -1;
      if (alive === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive).toBe(1);
    expect(t.stats().connections).toBe(1);
  });
});
