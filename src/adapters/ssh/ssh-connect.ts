/**
 * Brings up one SSH connection, possibly through jump hosts: each hop after the first rides a
 * `direct-tcpip` channel of the hop before it, and each verifies its own pinned host key.
 */

import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import ssh2 from 'ssh2';
import { TransportError } from '../../ports/transport.js';
import { hostKeyError, verifyHostKey } from './host-key.js';
import { connectError, type HopContext, type Secrets } from './ssh-errors.js';
import type { ResolvedHop } from './ssh-options.js';

export interface ChainSettings {
  readonly readyTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  readonly secrets: Secrets;
  readonly log: (message: string) => void;
}

const where = (h: HopContext): string => `${h.user}@${h.host}:${h.port}`;
const contextOf = (h: HopContext) => ({ host: h.host, port: h.port, user: h.user });

/** A live chain of clients; the last one talks to the target. */
export class SshConnection {
  private alive = true;
  private closing = false;
  private lostError: TransportError | undefined;
  private readonly lostListeners = new Set<(error: TransportError) => void>();
  /** One per hop, resolved when its socket has closed (for whatever reason). */
  private readonly socketsClosed: Promise<void>[];

  constructor(
    private readonly clients: readonly Client[],
    private readonly target: HopContext,
    secrets: Secrets,
  ) {
    this.socketsClosed = clients.map(
      (client) => new Promise<void>((resolve) => client.once('close', resolve)),
    );
    for (const client of clients) {
      let lastError = '';
      // ssh2 throws unhandled 'error' events; this listener is what keeps a dead socket from
      // crashing the process.
      client.on('error', (error: Error) => {
        lastError = secrets.scrub(error.message);
      });
      const onGone = () => this.markLost(lastError);
      client.once('end', onGone);
      client.once('close', onGone);
    }
  }

  get client(): Client {
    const last = this.clients.at(-1);
    if (last === undefined) throw new TransportError('config', 'ssh: empty connection chain');
    return last;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Calls `listener` once when any hop goes away; returns an unsubscribe function. */
  onLost(listener: (error: TransportError) => void): () => void {
    const lost = this.lostError;
    if (lost !== undefined) {
      queueMicrotask(() => listener(lost));
      return () => {};
    }
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private markLost(detail: string): void {
    if (!this.alive) return;
    this.alive = false;
    const why = this.closing
      ? 'the transport was closed'
      : `the connection was lost${detail ? ` (${detail})` : ''}`;
    const error = new TransportError('disconnected', `${where(this.target)}: ${why}`, contextOf(this.target));
    this.lostError = error;
    for (const listener of this.lostListeners) listener(error);
    this.lostListeners.clear();
    // One hop gone strands the rest of the chain; tear it down so no socket lingers.
    for (const client of this.clients) client.end();
  }

  /** Ends every hop, target first, and waits (at most a second) for their sockets to close. */
  async close(): Promise<void> {
    this.closing = true;
    for (const client of [...this.clients].reverse()) client.end();
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1_000);
    });
    await Promise.race([Promise.all(this.socketsClosed), giveUp]);
    clearTimeout(timer);
    this.markLost('');
  }
}

function connectHop(hop: ResolvedHop, sock: ClientChannel | undefined, s: ChainSettings): Promise<Client> {
  // Parse the key ourselves first so a bad key or passphrase is a config error, not a thrown
  // string from deep inside Client.connect.
  const parsed = ssh2.utils.parseKey(hop.privateKey, hop.passphrase);
  if (parsed instanceof Error) {
    const detail = s.secrets.scrub(parsed.message);
    return Promise.reject(
      new TransportError('config', `private key for ${where(hop)} cannot be used: ${detail}`, contextOf(hop)),
    );
  }
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let refusal: TransportError | undefined;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(refusal ?? connectError(error, hop, s.secrets));
    };
    // Stays attached for the client's whole life; after `ready` it is a no-op and the
    // SshConnection's own listener takes over.
    client.on('error', fail);
    client.once('close', () => fail(new Error('connection closed during the SSH handshake')));
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      s.log(`ssh: authenticated to ${where(hop)}`);
      resolve(client);
    });
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      privateKey: hop.privateKey,
      ...(hop.passphrase === undefined ? {} : { passphrase: hop.passphrase }),
      ...(sock === undefined ? {} : { sock }),
      readyTimeout: s.readyTimeoutMs,
      keepaliveInterval: s.keepaliveIntervalMs,
      keepaliveCountMax: s.keepaliveCountMax,
      // Without a hostVerifier ssh2 accepts any key, so one is always set and never lenient.
      hostVerifier: (key: Buffer): boolean => {
        const verdict = verifyHostKey(hop.pins, hop.host, hop.port, key);
        if (!verdict.ok) {
          refusal = hostKeyError(verdict, contextOf(hop));
          s.log(`ssh: ${refusal.message}`);
          return false;
        }
        s.log(`ssh: ${hop.host}:${hop.port} presented pinned host key ${verdict.offered}`);
        return true;
      },
    };
    try {
      client.connect(config);
      // ssh2 writes every SSH message to the socket on its own (exec request, stdin, EOF, window
      // adjusts), and with Nagle on, a small write waits for the ACK of the previous one, which
      // the server may delay 40 ms: on the lab (issue #10) the login took ~85 ms instead of ~45,
      // an exec with stdin ~45 ms instead of ~8, 4 MB of output ~60 ms instead of ~25. Only the
      // first hop has a TCP socket; later hops ride it.
      client.setNoDelay(true);
    } catch (error) {
      fail(error);
    }
  });
}

function forwardOut(via: Client, next: ResolvedHop, s: ChainSettings): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      via.forwardOut('127.0.0.1', 0, next.host, next.port, (error, channel) => {
        if (error) reject(connectError(error, next, s.secrets));
        else resolve(channel);
      });
    } catch (error) {
      reject(connectError(error, next, s.secrets));
    }
  });
}

/** Connects hop by hop; on any failure every hop already up is ended before rethrowing. */
export async function connectChain(hops: readonly ResolvedHop[], s: ChainSettings): Promise<SshConnection> {
  const clients: Client[] = [];
  try {
    for (const hop of hops) {
      const previous = clients.at(-1);
      const sock = previous === undefined ? undefined : await forwardOut(previous, hop, s);
      s.log(`ssh: connecting to ${where(hop)}${previous === undefined ? '' : ' through the previous hop'}`);
      clients.push(await connectHop(hop, sock, s));
    }
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    throw error;
  }
  const target = hops.at(-1);
  if (target === undefined) throw new TransportError('config', 'ssh: no hosts to connect to');
  return new SshConnection(clients, target, s.secrets);
}
