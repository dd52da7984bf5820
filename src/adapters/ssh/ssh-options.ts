/**
 * SshTransport's options, their defaults, and their validation. Bad options are a config error
 * raised before any socket is opened.
 */
import { TransportError } from '../../ports/transport.js';
import { type BackoffPolicy, realSleep } from './backoff.js';
import {
  DEFAULT_EXEC_TIMEOUT_MS,
  DEFAULT_MAX_STDERR_BYTES,
  DEFAULT_MAX_STDOUT_BYTES,
} from './capped-output.js';
import { type HostKeyPins, parseHostKeyPins } from './host-key.js';

/** A bastion between us and the login node. Unset key fields fall back to the target's. */
export interface SshJumpHost {
  readonly host: string;
  readonly port?: number;
  readonly user: string;
  readonly privateKey?: string | Buffer;
  readonly passphrase?: string;
  /** Pins for this hop; defaults to the target's knownHosts (matched by host and port). */
  readonly knownHosts?: string;
}

export interface SshLogger {
  debug(message: string): void;
}

export interface SshTransportOptions {
  readonly host: string;
  /** Default 22. */
  readonly port?: number;
  readonly user: string;
  /** OpenSSH or PEM private key text. Never logged, never put in an error. */
  readonly privateKey: string | Buffer;
  readonly passphrase?: string;
  /** known_hosts lines and/or `SHA256:` fingerprints. Empty means every host is refused. */
  readonly knownHosts: string;
  /** Hops in order from us towards the target. */
  readonly jumpHosts?: readonly SshJumpHost[];
  /** Per-hop handshake + auth deadline. Default 20 s. */
  readonly readyTimeoutMs?: number;
  /** Default 15 s; 0 turns keepalive off. */
  readonly keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection is declared dead. Default 3. */
  readonly keepaliveCountMax?: number;
  /** Per-exec defaults, overridable in each exec call. */
  readonly execTimeoutMs?: number;
  readonly maxStdoutBytes?: number;
  readonly maxStderrBytes?: number;
  /** Extra connection attempts on transient network errors. Default 3. */
  readonly connectRetries?: number;
  /** Default 500 ms, doubling up to retryMaxDelayMs (default 8 s), with jitter. */
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly logger?: SshLogger;
}

/** A hop with every default applied; the last hop of a chain is the target. */
export interface ResolvedHop {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: string | Buffer;
  readonly passphrase: string | undefined;
  readonly pins: HostKeyPins;
}

export interface ResolvedOptions {
  readonly hops: readonly ResolvedHop[];
  readonly target: ResolvedHop;
  readonly readyTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  readonly execTimeoutMs: number;
  readonly maxStdoutBytes: number;
  readonly maxStderrBytes: number;
  readonly backoff: BackoffPolicy;
  readonly logger: SshLogger | undefined;
}

function configError(message: string): TransportError {
  return new TransportError('config', `ssh: ${message}`);
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw configError(`${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** A zero exec timeout would kill every command at once; it is a mistake, not "no timeout". */
export function positiveTimeout(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw configError(`${name} must be a positive number, got ${value}`);
  return value;
}

function resolveHop(
  hop: { host: string; port?: number; user: string },
  privateKey: string | Buffer | undefined,
  passphrase: string | undefined,
  knownHosts: string,
  label: string,
): ResolvedHop {
  const port = hop.port ?? 22;
  if (hop.host.trim() === '') throw configError(`${label}: host is empty`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw configError(`${label}: bad port ${port}`);
  if (hop.user.trim() === '') throw configError(`${label}: user is empty`);
  if (privateKey === undefined || privateKey.length === 0) throw configError(`${label}: privateKey is empty`);
  return { host: hop.host, port, user: hop.user, privateKey, passphrase, pins: parseHostKeyPins(knownHosts) };
}

export function resolveOptions(o: SshTransportOptions): ResolvedOptions {
  const jumps = (o.jumpHosts ?? []).map((j, i) =>
    resolveHop(
      j,
      j.privateKey ?? o.privateKey,
      j.privateKey === undefined ? o.passphrase : j.passphrase,
      j.knownHosts ?? o.knownHosts,
      `jump host ${i + 1}`,
    ),
  );
  const target = resolveHop(o, o.privateKey, o.passphrase, o.knownHosts, 'target');
  const retryBaseDelayMs = nonNegativeInt('retryBaseDelayMs', o.retryBaseDelayMs, 500);
  return {
    hops: [...jumps, target],
    target,
    readyTimeoutMs: nonNegativeInt('readyTimeoutMs', o.readyTimeoutMs, 20_000),
    keepaliveIntervalMs: nonNegativeInt('keepaliveIntervalMs', o.keepaliveIntervalMs, 15_000),
    keepaliveCountMax: nonNegativeInt('keepaliveCountMax', o.keepaliveCountMax, 3),
    execTimeoutMs: positiveTimeout('execTimeoutMs', o.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS),
    maxStdoutBytes: nonNegativeInt('maxStdoutBytes', o.maxStdoutBytes, DEFAULT_MAX_STDOUT_BYTES),
    maxStderrBytes: nonNegativeInt('maxStderrBytes', o.maxStderrBytes, DEFAULT_MAX_STDERR_BYTES),
    backoff: {
      retries: nonNegativeInt('connectRetries', o.connectRetries, 3),
      baseDelayMs: retryBaseDelayMs,
      maxDelayMs: Math.max(retryBaseDelayMs, nonNegativeInt('retryMaxDelayMs', o.retryMaxDelayMs, 8_000)),
      sleep: o.sleep ?? realSleep,
      random: o.random ?? Math.random,
    },
    logger: o.logger,
  };
}
