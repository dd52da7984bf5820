/**
 * An in-process ssh2 server in front of the real lab: every command it receives runs on the lab
 * (as sshd would run it, `sh -c <command line>`) and the answer goes back, unless the test has
 * told it to misbehave: cut the connection half-way through the output, or never answer at all.
 * Faults then hit real Slurm output, not a hand-written imitation of it.
 */
import type { Transport } from '../../../src/ports/transport.js';
import { generateEd25519, type KeyPair, startSshServer, type TestSshServer } from '../ssh-server.js';

export type ProxyMode = 'pass' | 'drop-mid-output' | 'hang';

export interface LabProxy {
  readonly server: TestSshServer;
  /** The key the proxy accepts (for user alice). */
  readonly clientKey: KeyPair;
  mode: ProxyMode;
  /** Commands that reached the lab through the proxy. */
  readonly forwarded: string[];
  close(): Promise<void>;
}

export async function startLabProxy(
  lab: Transport,
  options: { port?: number; hostKey?: KeyPair; clientKey?: KeyPair } = {},
): Promise<LabProxy> {
  const clientKey = options.clientKey ?? generateEd25519();
  const proxy: { mode: ProxyMode; forwarded: string[] } = { mode: 'pass', forwarded: [] };
  const server = await startSshServer({
    authorizedKey: clientKey,
    user: 'alice',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.hostKey !== undefined ? { hostKey: options.hostKey } : {}),
    onExec: async (io) => {
      const stdin = await io.stdin();
      // A login node that stopped answering: the command neither ends nor prints.
      if (proxy.mode === 'hang') return;
      proxy.forwarded.push(io.command);
      const r = await lab.exec(['sh', '-c', io.command], { stdin });
      if (proxy.mode === 'drop-mid-output') {
        io.stdout(r.stdout.slice(0, Math.floor(r.stdout.length / 2)));
        setTimeout(() => io.drop(), 20);
        return;
      }
      io.stdout(r.stdout);
      io.stderr(r.stderr);
      io.exit(r.code ?? 255);
    },
  });
  return Object.assign(proxy, {
    server,
    clientKey,
    close: () => server.close(),
  });
}
