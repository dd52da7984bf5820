/**
 * How sweepwatch runs a command on the cluster. Commands are argv arrays, never shell strings:
 * the transport quotes every argument (see adapters/ssh/shell-quote.ts). A multi-command script
 * is a constant passed to `sh -c` (or on stdin) with all data as positional arguments.
 */

export interface ExecOptions {
  /** Fed to the command's stdin, then stdin is closed. */
  readonly stdin?: string | Uint8Array;
  /** The command is killed and TransportError('timeout') raised after this long. */
  readonly timeoutMs?: number;
  /** Per-stream caps; output past them is dropped and the stream marked truncated. */
  readonly maxStdoutBytes?: number;
  readonly maxStderrBytes?: number;
  /**
   * Takes stdout line by line as it arrives, instead of as one string at the end: a 100,000-job
   * observe answer is ~44 MB, which a kept stdout holds up to three times over (the chunks, the
   * chunks joined, the text). A transport that honours it delivers every line (as LineSplitter
   * cuts them, the cap applying as to a kept stdout) and returns stdout ''; one that does not
   * returns stdout as usual and delivers nothing. Call it through execByLine(), which makes the
   * two the same.
   */
  readonly onStdoutLine?: (line: string) => void;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code, or null when the command died of a signal. */
  readonly code: number | null;
  /** Signal name without SIG (`KILL`), or null. */
  readonly signal: string | null;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
}

/** Cumulative counters, read by tests and the benchmark. */
export interface TransportStats {
  /** Commands executed (one exec = one remote round trip). */
  readonly execs: number;
  readonly connections: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface Transport {
  /** Runs argv remotely. A non-zero exit is a result, not an error; errors are TransportError. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * Starts connecting now, without waiting, where connecting is worth starting early (SSH: a
   * tick connects while it loads the manifest). Never throws: a failed warm-up is the next
   * exec's failure, and that exec makes no second round of attempts of its own.
   */
  warmUp?(): void;
  /** Closes the connection; safe to call twice. */
  close(): Promise<void>;
  stats(): TransportStats;
}

export const TRANSPORT_ERROR_KINDS = [
  'connect',
  'auth',
  'host_key',
  'timeout',
  'disconnected',
  'remote',
  'config',
] as const;
export type TransportErrorKind = (typeof TRANSPORT_ERROR_KINDS)[number];

/**
 * Kinds that are monitoring hiccups: the network or the host is away for now, and the next tick
 * may well get through. The others (a refused host key, a refused key, bad options) will not fix
 * themselves and may be an attack: they fail the run loudly instead of passing as an outage.
 */
const TRANSIENT: ReadonlySet<TransportErrorKind> = new Set(['connect', 'timeout', 'disconnected', 'remote']);

/**
 * Every transport failure. It is a monitoring error, never a job failure.
 * Messages carry host, port, user and command name, and never a key or a passphrase.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    readonly context: Readonly<Record<string, string | number>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for an outage worth waiting out; false for a problem a person must fix. */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}
