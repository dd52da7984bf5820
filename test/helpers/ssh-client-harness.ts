/**
 * The client side of the in-process ssh2 server tests: a client key, servers and transports
 * closed after each test, and the two waits those tests share. Call sshClientHarness() at the
 * top of a test file (it registers the afterEach). `rejection` is in transport-rejection.ts.
 */
import { afterEach } from 'vitest';
import { SshTransport, type SshTransportOptions } from '../../src/adapters/ssh/ssh-transport.js';
import { generateEd25519, type KeyPair, startSshServer, type TestSshServer } from './ssh-server.js';

export interface SshClientHarness {
  readonly clientKey: KeyPair;
  /** A server that accepts the client key and answers every exec with `ran <command>`. */
  server(port?: number, hostKey?: KeyPair): Promise<TestSshServer>;
  /** A transport as alice with the client key, no pinned host and no retries unless given. */
  transport(options: Partial<SshTransportOptions> & { port: number }): SshTransport;
}

export function sshClientHarness(): SshClientHarness {
  const clientKey = generateEd25519();
  const servers: TestSshServer[] = [];
  const open: SshTransport[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
    for (const s of servers.splice(0)) await s.close();
  });
  return {
    clientKey,
    async server(port, hostKey) {
      const s = await startSshServer({
        authorizedKey: clientKey,
        ...(port === undefined ? {} : { port }),
        ...(hostKey === undefined ? {} : { hostKey }),
        onExec: (io) => {
          io.stdout(`ran ${io.command}`);
          io.exit(0);
        },
      });
      servers.push(s);
      return s;
    },
    transport(options) {
      const t = new SshTransport({
        host: '127.0.0.1',
        user: 'alice',
        privateKey: clientKey.privateKey,
        knownHosts: '',
        connectRetries: 0,
        ...options,
      });
      open.push(t);
      return t;
    },
  };
}

/** Polls `condition` every 5 ms; fails after `ms`. */
export async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
