/**
 * An in-process SSH server for transport tests: ephemeral 127.0.0.1 port, host key generated per
 * server, public-key auth against a generated client key, a per-test scriptable exec handler,
 * and `direct-tcpip` forwarding so several servers can be chained as jump hosts.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server as NetServer, connect as netConnect, type Socket } from 'node:net';
import type { Connection, ServerChannel } from 'ssh2';
import ssh2 from 'ssh2';

export interface KeyPair {
  /** OpenSSH private key text (encrypted when generated with a passphrase). */
  readonly privateKey: string;
  /** OpenSSH public key line: `ssh-ed25519 AAAA… comment`. */
  readonly publicKey: string;
}

export function generateEd25519(passphrase?: string): KeyPair {
  // ssh2 1.17's generator writes a key its own parser refuses ("Malformed OpenSSH private key")
  // about once in 500 (measured: 6 of 3,000); a test key must be one it can read back.
  for (;;) {
    const pair =
      passphrase === undefined
        ? ssh2.utils.generateKeyPairSync('ed25519')
        : ssh2.utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 4 });
    if (!(ssh2.utils.parseKey(pair.private, passphrase) instanceof Error)) {
      return { privateKey: pair.private, publicKey: pair.public };
    }
  }
}

/** What one exec on the server can do; the handler decides per command. */
export interface ExecIo {
  /** The command line exactly as the client sent it (already shell-quoted). */
  readonly command: string;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** Sends exit-status and closes the channel. */
  exit(code: number): void;
  /** Sends exit-signal (`KILL`, `TERM`, …) and closes the channel. */
  killed(signal: string): void;
  /** Destroys this client's TCP socket with no SSH goodbye, as a crashed network would. */
  drop(): void;
  /** Everything the client wrote to stdin, once it sends EOF. */
  stdin(): Promise<Buffer>;
}

export type ExecHandler = (io: ExecIo) => void | Promise<void>;

export interface TestSshServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly hostKey: KeyPair;
  /** `[127.0.0.1]:port ssh-ed25519 AAAA…`, ready for knownHosts. */
  readonly knownHostsLine: string;
  /** `SHA256:…` of the host key blob. */
  readonly fingerprint: string;
  /** TCP connections accepted, successful auths, failed auth attempts, forwards, exec commands. */
  readonly counts: { connections: number; authOk: number; authFailed: number; forwards: number };
  readonly commands: string[];
  /** Signal requests clients sent (names without SIG), in order. */
  readonly signals: string[];
  onExec(handler: ExecHandler): void;
  close(): Promise<void>;
}

export interface TestSshServerOptions {
  /** The only key allowed to log in (its public half is what matters). */
  readonly authorizedKey: KeyPair;
  readonly user?: string;
  readonly onExec?: ExecHandler;
  /** Default: an ephemeral port. */
  readonly port?: number;
  /** Default: a fresh ed25519 key. Pass one to pin it before the server exists. */
  readonly hostKey?: KeyPair;
  /** Delays the reply to every exec request, as a loaded login node would. */
  readonly execAcceptDelayMs?: number;
}

const defaultHandler: ExecHandler = (io) => {
  io.stderr(`not scripted: ${io.command}\n`);
  io.exit(127);
};

/** The raw public key blob of an OpenSSH public key line. */
export function publicKeyBlob(publicKey: string): Buffer {
  const parsed = ssh2.utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) throw new Error('no key parsed');
  return key.getPublicSSH();
}

export function fingerprintOfPublicKey(publicKey: string): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob(publicKey)).digest('base64').replace(/=+$/, '')}`;
}

function authorize(conn: Connection, options: TestSshServerOptions, counts: TestSshServer['counts']): void {
  const allowed = ssh2.utils.parseKey(options.authorizedKey.publicKey);
  if (allowed instanceof Error || Array.isArray(allowed)) throw new Error('bad authorized key');
  const allowedBlob = allowed.getPublicSSH();
  const user = options.user ?? 'alice';
  conn.on('authentication', (ctx) => {
    if (ctx.method !== 'publickey' || ctx.username !== user || !ctx.key.data.equals(allowedBlob)) {
      if (ctx.method !== 'none') counts.authFailed++;
      ctx.reject(['publickey']);
      return;
    }
    // Without a signature the client is only asking whether this key would do.
    if (ctx.signature === undefined || ctx.blob === undefined) {
      ctx.accept();
      return;
    }
    if (allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
      counts.authFailed++;
      ctx.reject(['publickey']);
      return;
    }
    counts.authOk++;
    ctx.accept();
  });
}

function makeIo(command: string, channel: ServerChannel, socket: Socket | undefined): ExecIo {
  const stdinChunks: Buffer[] = [];
  const stdinDone = new Promise<Buffer>((resolve) => {
    channel.on('data', (chunk: Buffer) => stdinChunks.push(chunk));
    channel.on('end', () => resolve(Buffer.concat(stdinChunks)));
  });
  // Writes may sit in the stream's buffer (under load, before the window opens) while
  // exit-status goes out at once: the exit waits for them, as a real sshd's would.
  const pending: Promise<void>[] = [];
  const write = (stream: NodeJS.WritableStream, data: string | Buffer): boolean => {
    pending.push(new Promise<void>((resolve) => stream.write(data, () => resolve())));
    return true;
  };
  const finish = (status: number | string): void => {
    void Promise.all(pending).then(() => {
      if (typeof status === 'number') channel.exit(status);
      else channel.exit(status);
      channel.end();
    });
  };
  return {
    command,
    stdout: (data) => write(channel, data),
    stderr: (data) => write(channel.stderr, data),
    exit: (code) => finish(code),
    killed: (signal) => finish(signal),
    drop: () => socket?.destroy(),
    stdin: () => stdinDone,
  };
}

export async function startSshServer(options: TestSshServerOptions): Promise<TestSshServer> {
  const hostKey = options.hostKey ?? generateEd25519();
  const counts = { connections: 0, authOk: 0, authFailed: 0, forwards: 0 };
  const commands: string[] = [];
  let handler = options.onExec ?? defaultHandler;
  // Sockets by remote port, so an exec can find (and drop) its own TCP connection.
  const sockets = new Map<number, Socket>();

  const signals: string[] = [];
  // ssh2's Server drops session requests that arrive after the client's EOF, and a client
  // always sends EOF on stdin first, so `signal` requests are only visible in its debug trace.
  const debug = (line: string): void => {
    const signal = /CHANNEL_REQUEST \(r:\d+, signal: (\w+)\)/.exec(line)?.[1];
    if (signal !== undefined) signals.push(signal);
  };
  const ssh = new ssh2.Server({ hostKeys: [hostKey.privateKey], debug }, (conn, info) => {
    const socket = sockets.get(info.port);
    conn.on('error', () => {
      // Clients that vanish mid-handshake are part of what these tests do.
    });
    authorize(conn, options, counts);
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, exec) => {
          commands.push(exec.command);
          const start = (): void => {
            const channel = accept();
            channel.on('error', () => {});
            void Promise.resolve(handler(makeIo(exec.command, channel, socket))).catch(() => {
              channel.stderr.write('handler failed\n');
              channel.exit(255);
              channel.end();
            });
          };
          if (options.execAcceptDelayMs === undefined) start();
          else setTimeout(start, options.execAcceptDelayMs);
        });
      });
      conn.on('tcpip', (accept, reject, forward) => {
        counts.forwards++;
        const upstream = netConnect(forward.destPort, forward.destIP);
        upstream.once('error', () => reject());
        upstream.once('connect', () => {
          const channel = accept();
          channel.on('error', () => upstream.destroy());
          upstream.removeAllListeners('error');
          upstream.on('error', () => channel.destroy());
          channel.pipe(upstream).pipe(channel);
        });
      });
    });
  });

  const tcp: NetServer = createServer((socket) => {
    counts.connections++;
    if (socket.remotePort !== undefined) sockets.set(socket.remotePort, socket);
    socket.on('close', () => {
      if (socket.remotePort !== undefined) sockets.delete(socket.remotePort);
    });
    socket.on('error', () => {});
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve) => tcp.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = tcp.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const port = address.port;
  const [type, blob] = hostKey.publicKey.split(' ');

  return {
    host: '127.0.0.1',
    port,
    hostKey,
    knownHostsLine: `[127.0.0.1]:${port} ${type} ${blob}`,
    fingerprint: fingerprintOfPublicKey(hostKey.publicKey),
    counts,
    commands,
    signals,
    onExec: (h) => {
      handler = h;
    },
    close: async () => {
      for (const socket of sockets.values()) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
