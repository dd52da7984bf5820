import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport, type SshTransportOptions } from '../../src/adapters/ssh/ssh-transport.js';
import { TransportError } from '../../src/ports/transport.js';
import { generateEd25519, startSshServer, type TestSshServer, unusedPort } from '../helpers/ssh-server.js';

const passphrase = `correct horse battery staple ${Math.random().toString(36).slice(2)}`;
const clientKey = generateEd25519(passphrase);
const plainKey = generateEd25519();
/** Everything that must never leave the adapter: the passphrase, and the key whole or by line. */
const secrets = [
  passphrase,
  clientKey.privateKey,
  plainKey.privateKey,
  ...[clientKey.privateKey, plainKey.privateKey].flatMap((k) =>
    k.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----')),
  ),
];

let server: TestSshServer;
const logged: string[] = [];
const reports: string[] = [];

beforeAll(async () => {
  server = await startSshServer({
    authorizedKey: clientKey,
    onExec: (io) => {
      if (io.command === 'hang') return;
      if (io.command === 'drop') {
        io.drop();
        return;
      }
      io.stdout('ok');
      io.exit(0);
    },
  });
});

afterAll(async () => {
  await server.close();
});

function options(overrides: Partial<SshTransportOptions> = {}): SshTransportOptions {
  return {
    host: server.host,
    port: server.port,
    user: 'alice',
    privateKey: clientKey.privateKey,
    passphrase,
    knownHosts: server.knownHostsLine,
    connectRetries: 0,
    logger: { debug: (message) => logged.push(message) },
    ...overrides,
  };
}

/** Runs one exec and records everything a user could see of its failure. */
async function failure(
  opts: SshTransportOptions,
  argv: string[],
  timeoutMs = 5_000,
): Promise<TransportError> {
  const t = new SshTransport(opts);
  try {
    await t.exec(argv, { timeoutMs });
  } catch (error) {
    reports.push(String(error), inspect(error, { depth: 8 }), JSON.stringify(error));
    if (error instanceof TransportError) return error;
    throw error;
  } finally {
    await t.close();
  }
  throw new Error('expected the exec to fail');
}

describe('secrets never leave the SSH transport', () => {
  it('reports a wrong passphrase as a config error without echoing it', async () => {
    expect((await failure(options({ passphrase: `${passphrase}-wrong` }), ['true'])).kind).toBe('config');
  });

  it('reports a missing passphrase as a config error', async () => {
    const { passphrase: _unused, ...withoutPassphrase } = options();
    expect((await failure(withoutPassphrase, ['true'])).kind).toBe('config');
  });

  it('reports a host key mismatch without key material', async () => {
    const other = generateEd25519();
    expect((await failure(options({ knownHosts: other.publicKey }), ['true'])).kind).toBe('host_key');
  });

  it('reports a rejected key as auth without key material, also when the key is a Buffer', async () => {
    const asBuffer = Buffer.from(plainKey.privateKey);
    expect((await failure(options({ privateKey: asBuffer }), ['true'])).kind).toBe('auth');
  });

  it('reports timeouts, drops and refused connections without key material', async () => {
    expect((await failure(options(), ['hang'], 100)).kind).toBe('timeout');
    expect((await failure(options(), ['drop'])).kind).toBe('disconnected');
    const port = await unusedPort();
    const refused = options({ port, connectRetries: 1, sleep: async () => {} });
    expect((await failure(refused, ['true'])).kind).toBe('connect');
  });

  it('logs a successful session without key material', async () => {
    const t = new SshTransport(options());
    await expect(t.exec(['echo', 'x'])).resolves.toMatchObject({ stdout: 'ok' });
    await t.close();
  });

  it('found no secret in any error report or log line above', () => {
    // Guards the guard: the reports and logs above really were collected.
    expect(reports.length).toBeGreaterThanOrEqual(7 * 3);
    expect(logged.some((line) => line.includes('authenticated'))).toBe(true);
    for (const text of [...reports, ...logged]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
