/**
 * The Transport port for running on the cluster's own login node: argv goes straight to
 * spawn (no shell, so nothing to quote), with the SSH transport's timeout, caps, stdin and stats.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  type ExecOptions,
  type ExecResult,
  type Transport,
  TransportError,
  type TransportStats,
} from '../../ports/transport.js';
import {
  CappedOutput,
  DEFAULT_EXEC_TIMEOUT_MS,
  DEFAULT_MAX_STDERR_BYTES,
  DEFAULT_MAX_STDOUT_BYTES,
  stdinBytes,
} from '../ssh/capped-output.js';
import { shellQuote } from '../ssh/shell-quote.js';

export interface LocalTransportOptions {
  readonly execTimeoutMs?: number;
  readonly maxStdoutBytes?: number;
  readonly maxStderrBytes?: number;
  readonly cwd?: string;
  /** Defaults to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Exit codes a POSIX shell reports for these spawn failures, so callers see what SSH gives. */
const SPAWN_FAILURE_CODES: Readonly<Record<string, number>> = { ENOENT: 127, EACCES: 126 };

export class LocalTransport implements Transport {
  private readonly running = new Set<ChildProcess>();
  private closed = false;
  private counters = { execs: 0, connections: 0, bytesIn: 0, bytesOut: 0 };

  constructor(private readonly options: LocalTransportOptions = {}) {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const name = argv[0] ?? '';
    if (this.closed) throw new TransportError('disconnected', 'local transport is closed', { command: name });
    let commandLine: string;
    try {
      // Not used to run anything: it validates argv (empty, NUL bytes) exactly as SSH does.
      commandLine = shellQuote(argv);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new TransportError('config', `cannot run '${name}': ${detail}`, { command: name });
    }
    const timeoutMs = options.timeoutMs ?? this.options.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TransportError('config', `timeoutMs must be a positive number, got ${timeoutMs}`, {
        command: name,
      });
    }
    const stdin = options.stdin === undefined ? undefined : stdinBytes(options.stdin);
    this.counters.execs++;
    this.counters.bytesOut += Buffer.byteLength(commandLine) + (stdin?.length ?? 0);
    const stdout = new CappedOutput(
      options.maxStdoutBytes ?? this.options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT_BYTES,
      options.onStdoutLine,
    );
    const stderr = new CappedOutput(
      options.maxStderrBytes ?? this.options.maxStderrBytes ?? DEFAULT_MAX_STDERR_BYTES,
    );

    return new Promise<ExecResult>((resolve, reject) => {
      // detached: the child leads its own process group, so a timeout can kill everything it
      // started (an `sh -c` pipeline, srun helpers), not just the direct child.
      const child = spawn(name, argv.slice(1), {
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(this.options.cwd === undefined ? {} : { cwd: this.options.cwd }),
        ...(this.options.env === undefined ? {} : { env: this.options.env }),
      });
      this.running.add(child);
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.running.delete(child);
        outcome();
      };
      const timer = setTimeout(() => {
        killGroup(child);
        settle(() =>
          reject(
            new TransportError('timeout', `'${name}' did not finish within ${timeoutMs} ms and was killed`, {
              command: name,
              timeoutMs,
            }),
          ),
        );
      }, timeoutMs);

      child.stdout.on('data', (chunk: Buffer) => {
        this.counters.bytesIn += chunk.length;
        stdout.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        this.counters.bytesIn += chunk.length;
        stderr.push(chunk);
      });
      // A command that exits without reading stdin makes our write fail with EPIPE; that is
      // the command's business, and its exit status still tells the story.
      child.stdin.on('error', () => {});
      child.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code === undefined ? undefined : SPAWN_FAILURE_CODES[error.code];
        if (code === undefined) {
          settle(() =>
            reject(
              new TransportError('remote', `could not start '${name}': ${error.message}`, { command: name }),
            ),
          );
          return;
        }
        settle(() =>
          resolve({
            stdout: '',
            stderr: `${name}: ${error.code === 'ENOENT' ? 'command not found' : 'permission denied'}\n`,
            code,
            signal: null,
            stdoutTruncated: false,
            stderrTruncated: false,
          }),
        );
      });
      // 'close', not 'exit': only then are both pipes drained.
      child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.closed && signal !== null) {
          settle(() =>
            reject(new TransportError('disconnected', `'${name}' was killed by close()`, { command: name })),
          );
          return;
        }
        settle(() =>
          resolve({
            stdout: stdout.text(),
            stderr: stderr.text(),
            code,
            signal: signal === null ? null : signal.replace(/^SIG/, ''),
            stdoutTruncated: stdout.truncated,
            stderrTruncated: stderr.truncated,
          }),
        );
      });
      child.stdin.end(stdin);
    });
  }

  /** Kills whatever is still running; later execs are refused. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.running) killGroup(child);
  }

  stats(): TransportStats {
    return { ...this.counters };
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone (or never formed); fall back to the child itself.
    child.kill('SIGKILL');
  }
}
