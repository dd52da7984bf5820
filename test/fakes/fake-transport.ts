/**
 * An in-memory Transport for unit tests: records every call, answers with a scripted handler,
 * counts execs like the real one. A handler that throws (e.g. a TransportError) makes exec throw.
 */
import type { ExecOptions, ExecResult, Transport, TransportStats } from '../../src/ports/transport.js';

export interface RecordedExec {
  readonly argv: readonly string[];
  readonly options: ExecOptions;
}

export type ExecHandler = (
  argv: readonly string[],
  options: ExecOptions,
) => Partial<ExecResult> | Promise<Partial<ExecResult>>;

export interface FakeTransport extends Transport {
  readonly calls: readonly RecordedExec[];
}

/** A complete ExecResult from the parts a test cares about. */
export function execResult(partial: Partial<ExecResult> = {}): ExecResult {
  return {
    stdout: '',
    stderr: '',
    code: 0,
    signal: null,
    stdoutTruncated: false,
    stderrTruncated: false,
    ...partial,
  };
}

export function createFakeTransport(handler: ExecHandler = () => ({})): FakeTransport {
  const calls: RecordedExec[] = [];
  let closed = false;
  let bytesIn = 0;
  let bytesOut = 0;
  const transport = {
    calls,
    async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
      if (closed) throw new Error('fake transport is closed');
      calls.push({ argv: [...argv], options });
      bytesOut += argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
      const result = execResult(await handler(argv, options));
      bytesIn += Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr);
      return result;
    },
    async close(): Promise<void> {
      closed = true;
    },
    stats(): TransportStats {
      return { execs: calls.length, connections: calls.length > 0 ? 1 : 0, bytesIn, bytesOut };
    },
  } satisfies FakeTransport;
  return transport;
}
