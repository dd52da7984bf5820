/**
 * A Transport that answers the Slurm adapter's remote scripts from a simulated cluster, in
 * memory: the observe script (squeue + sacct per id chunk), the log-tails script (one tail -c
 * batch, or "missing") and the cancel script. It counts round trips and bytes as the SSH
 * transport does, and the time it spends making up its answers (`busyMs`), which the core
 * benchmark subtracts: that time stands for the cluster and the network, not for sweepwatch.
 */
import { markerPrefix } from '../../src/adapters/slurm/sections.js';
import { CappedOutput } from '../../src/adapters/ssh/capped-output.js';
import type { ExecOptions, ExecResult, Transport, TransportStats } from '../../src/ports/transport.js';
import { excerptFor, logTail } from './logs.js';
import { observeStdout } from './slurm-output.js';
import type { SimJob } from './sweep.js';

export const STATE_OF_FATE: Readonly<Record<string, string>> = {
  failed: 'FAILED',
  oom: 'OUT_OF_MEMORY',
  oom_step: 'OUT_OF_MEMORY',
  timeout: 'TIMEOUT',
  cancelled: 'CANCELLED',
  node_fail: 'NODE_FAIL',
  preempted: 'PREEMPTED',
};

/** Training lines before the end of a log: a few hours of output, several MB. */
const LOG_LINES = 40_000;
const LOG_SIZE = 6_000_000;

/**
 * A log file that exists on the simulated cluster: its stream, and what it ends with (stdout:
 * training output to the end; stderr: warnings, then a corpus excerpt of how its job ended).
 * The ending is worked out when the files are made, so a cluster read from a fixture needs no
 * corpus (the core suite's child runs bundled, away from test/fixtures).
 */
export interface SimLogFile {
  readonly stream: 'out' | 'err';
  readonly ending: string;
}

/** What the simulated cluster answers. */
export interface SimCluster {
  /** The observe script's stdout for these id chunks, in the pieces it arrives in. */
  observe(nonce: string, chunks: readonly string[]): Iterable<Buffer>;
  /** An existing log file, or undefined (the script reports it missing). */
  logFile(path: string): SimLogFile | undefined;
}

/** Log files of the jobs that have them (10 % of the failed ones). */
export function logFilesOf(jobs: readonly SimJob[]): Map<string, SimLogFile> {
  const files = new Map<string, SimLogFile>();
  for (const j of jobs) {
    if (!j.hasLogs) continue;
    const state = STATE_OF_FATE[j.fate] ?? 'FAILED';
    files.set(j.stdoutPath, { stream: 'out', ending: '' });
    files.set(j.stderrPath, { stream: 'err', ending: `${excerptFor(state, j.seed).log}\n` });
  }
  return files;
}

/** A cluster that prints its answers from the job table when asked. */
export function liveCluster(jobs: readonly SimJob[], clusterNow: string): SimCluster {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const files = logFilesOf(jobs);
  return {
    observe: (nonce, chunks) => [Buffer.from(observeStdout(nonce, chunks, byId, clusterNow))],
    logFile: (path) => files.get(path),
  };
}

export class SimTransport implements Transport {
  busyMs = 0;
  private counters = { execs: 0, connections: 0, bytesIn: 0, bytesOut: 0 };
  constructor(private readonly cluster: SimCluster) {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    this.counters.connections = 1;
    this.counters.execs++;
    const stdin = typeof options.stdin === 'string' ? options.stdin : '';
    this.counters.bytesOut +=
      argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0) + Buffer.byteLength(stdin);
    const [, , , name = '', nonce = ''] = argv;
    let pieces: Iterable<Buffer> = [Buffer.from(`${markerPrefix(nonce)}done\n`)];
    if (name === 'sweepwatch-observe') {
      const chunks = stdin.split('\n').filter((l) => l !== '');
      pieces = this.cluster.observe(nonce, chunks);
    } else if (name === 'sweepwatch-log-tails') {
      pieces = [Buffer.from(this.tails(nonce, Number(argv[5]), argv.slice(6)))];
    }
    this.busyMs += performance.now() - started;
    return this.receive(pieces, options);
  }

  /**
   * The answer as a transport takes it in: through the SSH transport's own CappedOutput, which
   * hands it over line by line when asked to (ExecOptions.onStdoutLine). Only making up the
   * pieces is the cluster's time; taking them in, and whatever the lines set off, is the tick's.
   */
  private receive(pieces: Iterable<Buffer>, options: ExecOptions): ExecResult {
    const stdout = new CappedOutput(options.maxStdoutBytes ?? Number.MAX_SAFE_INTEGER, options.onStdoutLine);
    const iterator = pieces[Symbol.iterator]();
    for (;;) {
      const started = performance.now();
      const next = iterator.next();
      this.busyMs += performance.now() - started;
      if (next.done === true) break;
      this.counters.bytesIn += next.value.length;
      stdout.push(next.value);
    }
    return {
      stdout: stdout.text(),
      stderr: '',
      code: 0,
      signal: null,
      stdoutTruncated: stdout.truncated,
      stderrTruncated: false,
    };
  }

  async close(): Promise<void> {}

  stats(): TransportStats {
    return { ...this.counters };
  }

  /**
   * The log-tails script's batch output (see LOG_TAILS_SCRIPT): the missing files first, then
   * every size before, each existing file's last `perFile` bytes followed by the separator line,
   * and every size after (the same: nothing grows here).
   */
  private tails(nonce: string, perFile: number, paths: readonly string[]): string {
    const M = markerPrefix(nonce);
    const out: string[] = [`${M}meta:user:alice`];
    const texts: string[] = [];
    paths.forEach((path, i) => {
      const file = this.cluster.logFile(path);
      if (file === undefined) {
        out.push(`${M}meta:missing.${i}:1`);
        return;
      }
      texts.push(logTail(file.stream === 'out' ? LOG_LINES : 200, file.ending, perFile));
    });
    const n = texts.length;
    if (n > 0) {
      const sizes = texts.map(() => String(LOG_SIZE));
      out.push(`${M}begin:before:${n}`, ...sizes, `${M}end:before:${n}:0`, `${M}begin:tails:${n}`);
      for (const text of texts) out.push(text, `${M}next`);
      out.push(`${M}end:tails:${n}:0`, `${M}meta:tails:batch`);
      out.push(`${M}begin:sizes:${n}`, ...sizes, `${M}end:sizes:${n}:0`);
    }
    out.push(`${M}done`);
    return `${out.join('\n')}\n`;
  }
}
