/**
 * The Transport port over SSH: one connection per instance (per tick), opened lazily and reused
 * by every exec. Connecting is retried on transient network errors; commands never are.
 */
import {
  type ExecOptions,
  type ExecResult,
  type Transport,
  TransportError,
  type TransportStats,
} from '../../ports/transport.js';
import { withBackoff } from './backoff.js';
import { stdinBytes } from './capped-output.js';
import { shellQuote } from './shell-quote.js';
import { type ChainSettings, connectChain, type SshConnection } from './ssh-connect.js';
import { isTransient, Secrets } from './ssh-errors.js';
import { runExec } from './ssh-exec.js';
import {
  positiveTimeout,
  type ResolvedOptions,
  resolveOptions,
  type SshTransportOptions,
} from './ssh-options.js';

export type { SshJumpHost, SshLogger, SshTransportOptions } from './ssh-options.js';

export class SshTransport implements Transport {
  private readonly options: ResolvedOptions;
  private readonly secrets = new Secrets();
  private connection: Promise<SshConnection> | undefined;
  /** A warm-up nobody has waited for yet: the next exec (or connect) takes its outcome. */
  private warming: Promise<void> | undefined;
  private closed = false;
  private counters = { execs: 0, connections: 0, bytesIn: 0, bytesOut: 0 };

  /** Validates options (TransportError 'config') but opens nothing. */
  constructor(options: SshTransportOptions) {
    this.secrets.add(options.privateKey);
    this.secrets.add(options.passphrase);
    for (const hop of options.jumpHosts ?? []) {
      this.secrets.add(hop.privateKey);
      this.secrets.add(hop.passphrase);
    }
    this.options = resolveOptions(options);
  }

  /** Connects now instead of on the first exec; resolves once the target is authenticated. */
  async connect(): Promise<void> {
    await this.connected();
  }

  warmUp(): void {
    if (this.closed || this.connection !== undefined || this.warming !== undefined) return;
    const warming = this.liveConnection().then(() => undefined);
    // Reported by the next exec, which waits for this attempt (retries included) instead of
    // starting another: an outage costs a tick one round of attempts, warm-up or not.
    warming.catch(() => {});
    this.warming = warming;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { target } = this.options;
    const name = argv[0] ?? '';
    let command: string;
    try {
      command = shellQuote(argv);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new TransportError('config', `cannot run '${name}': ${detail}`, { command: name });
    }
    const stdin = options.stdin === undefined ? undefined : stdinBytes(options.stdin);
    const timeoutMs = positiveTimeout('timeoutMs', options.timeoutMs ?? this.options.execTimeoutMs);
    const conn = await this.connected();
    this.counters.execs++;
    this.counters.bytesOut += Buffer.byteLength(command) + (stdin?.length ?? 0);
    const started = Date.now();
    this.log(`ssh: exec '${name}' (${argv.length - 1} args)`);
    const result = await runExec(
      conn,
      {
        name,
        command,
        stdin,
        timeoutMs,
        maxStdoutBytes: options.maxStdoutBytes ?? this.options.maxStdoutBytes,
        maxStderrBytes: options.maxStderrBytes ?? this.options.maxStderrBytes,
        ...(options.onStdoutLine === undefined ? {} : { onStdoutLine: options.onStdoutLine }),
      },
      target,
      (bytes) => {
        this.counters.bytesIn += bytes;
      },
    );
    this.log(
      `ssh: '${name}' exited ${result.code ?? `on SIG${result.signal}`} after ${Date.now() - started} ms`,
    );
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connection;
    this.connection = undefined;
    if (pending === undefined) return;
    const conn = await pending.catch(() => undefined);
    await conn?.close();
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  /** The connection for a caller: a pending warm-up's outcome first (its error, if it failed). */
  private async connected(): Promise<SshConnection> {
    const warming = this.warming;
    this.warming = undefined;
    if (warming !== undefined) await warming;
    return this.liveConnection();
  }

  /**
   * The shared connection, (re)opened on demand. Concurrent first execs share one attempt; a
   * connection that dropped is replaced on the next exec, never mid-command.
   */
  private async liveConnection(): Promise<SshConnection> {
    if (this.closed) {
      const { host, port, user } = this.options.target;
      throw new TransportError('disconnected', `ssh transport to ${user}@${host}:${port} is closed`, {
        host,
        port,
        user,
      });
    }
    const current = this.connection;
    if (current !== undefined) {
      const conn = await current;
      if (conn.isAlive) return conn;
      if (this.connection === current) this.connection = undefined;
      return this.liveConnection();
    }
    const attempt = this.openWithRetries();
    this.connection = attempt;
    // A failed attempt must not poison later execs: the next one tries afresh.
    attempt.catch(() => {
      if (this.connection === attempt) this.connection = undefined;
    });
    return attempt;
  }

  private async openWithRetries(): Promise<SshConnection> {
    const o = this.options;
    const settings: ChainSettings = {
      readyTimeoutMs: o.readyTimeoutMs,
      keepaliveIntervalMs: o.keepaliveIntervalMs,
      keepaliveCountMax: o.keepaliveCountMax,
      secrets: this.secrets,
      log: (message) => this.log(message),
    };
    const attempts = o.backoff.retries + 1;
    try {
      const conn = await withBackoff(
        o.backoff,
        () => connectChain(o.hops, settings),
        isTransient,
        (n, delayMs, error) => {
          const detail = error instanceof Error ? error.message : String(error);
          this.log(`ssh: attempt ${n + 1}/${attempts} failed (${detail}); retrying in ${delayMs} ms`);
        },
      );
      this.counters.connections++;
      if (this.closed) {
        // close() ran while we were connecting; do not leak the socket.
        await conn.close();
        throw new TransportError('disconnected', 'ssh transport was closed while connecting');
      }
      return conn;
    } catch (error) {
      if (isTransient(error) && error instanceof TransportError) {
        throw new TransportError(
          'connect',
          `${error.message} (gave up after ${attempts} attempts)`,
          error.context,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  private log(message: string): void {
    this.options.logger?.debug(this.secrets.scrub(message));
  }
}
