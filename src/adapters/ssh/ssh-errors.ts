/**
 * Turns ssh2's untyped errors into TransportErrors, decides which ones are worth another
 * connection attempt, and scrubs secrets from every message that leaves this adapter.
 */
import { TransportError } from '../../ports/transport.js';

export interface HopContext {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

/** Network conditions that can clear up on their own; nothing else is ever retried. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT_MESSAGES = ['Timed out while waiting for handshake', 'Connection lost before handshake'];
/** SSH_OPEN_CONNECT_FAILED: a jump host could not reach the next hop (refused, unreachable). */
const OPEN_CONNECT_FAILED = 2;

const transient = new WeakSet<TransportError>();

export function isTransient(error: unknown): boolean {
  return error instanceof TransportError && transient.has(error);
}

interface Ssh2ErrorFields {
  readonly message: string;
  readonly code?: unknown;
  readonly level?: unknown;
  readonly reason?: unknown;
}

function fields(error: unknown): Ssh2ErrorFields {
  if (error instanceof Error) return error as Error & Ssh2ErrorFields;
  return { message: String(error) };
}

/**
 * Secrets the adapter holds. Every message is passed through `scrub` before it is thrown or
 * logged: ssh2 does not put keys in its messages today, and this keeps it that way tomorrow.
 */
export class Secrets {
  private readonly values: string[] = [];

  add(secret: string | Buffer | undefined): void {
    if (secret === undefined) return;
    const text = typeof secret === 'string' ? secret : secret.toString('utf8');
    if (text.length === 0) return;
    this.values.push(text);
    // A PEM body leaks line by line as easily as whole, so each meaningful line is a secret too.
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= 16 && !trimmed.startsWith('-----')) this.values.push(trimmed);
    }
    this.values.sort((a, b) => b.length - a.length);
  }

  scrub(message: string): string {
    let out = message;
    for (const value of this.values) out = out.replaceAll(value, '[redacted]');
    return out;
  }
}

/** Classifies a failure while bringing up one hop. Existing TransportErrors pass through. */
export function connectError(error: unknown, hop: HopContext, secrets: Secrets): TransportError {
  if (error instanceof TransportError) return error;
  const f = fields(error);
  const where = `${hop.user}@${hop.host}:${hop.port}`;
  const detail = secrets.scrub(f.message);
  // The original error is kept for its stack only when its message had nothing to scrub.
  const cause = detail === f.message ? { cause: error } : {};
  const context = { host: hop.host, port: hop.port, user: hop.user };
  if (f.level === 'client-authentication') {
    return new TransportError(
      'auth',
      `authentication failed for ${where} (publickey): ${detail}`,
      context,
      cause,
    );
  }
  const code = typeof f.code === 'string' ? f.code : undefined;
  const isTransientError =
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    TRANSIENT_MESSAGES.some((m) => f.message.includes(m)) ||
    f.reason === OPEN_CONNECT_FAILED;
  const err = new TransportError(
    'connect',
    `could not connect to ${where}: ${detail}`,
    code === undefined ? context : { ...context, code },
    cause,
  );
  if (isTransientError) transient.add(err);
  return err;
}
