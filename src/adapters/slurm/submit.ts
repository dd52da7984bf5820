/**
 * submit(): one `sbatch --parsable` call, built as an argv (the transport quotes every word).
 *
 * The condition's environment: `sbatch --export=K=V,…` cannot carry a value with a comma (Slurm
 * splits on it), so instead sbatch itself runs under `env K=V … sbatch --export=ALL`: the job
 * inherits sbatch's environment, every value arrives byte for byte, and a batch script's own
 * #SBATCH lines still apply. Names that sbatch would read as its own input (SBATCH_*, SLURM_*)
 * are refused rather than silently changing the submission.
 */
import { SchedulerError, type SubmitRequest, type SubmitResult } from '../../ports/scheduler.js';
import { shellQuote } from '../ssh/shell-quote.js';
import { defaultLogPatterns, expandLogPattern } from './log-paths.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_ENV = /^(SBATCH_|SLURM_)/;
/** Job names end up in file names: no separators, patterns or blanks (control characters: below). */
const BAD_NAME = /[\s/%\\]/;

function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
const ARRAY_SPEC = /^[0-9][0-9,:%-]*$/;

export interface SbatchCall {
  readonly argv: string[];
  readonly stdoutPattern: string;
  readonly stderrPattern: string;
}

/** Checks the request and builds the argv; a string is the reason it was refused before sending. */
export function buildSbatchArgv(req: SubmitRequest): SbatchCall | string {
  if (req.name === '' || BAD_NAME.test(req.name) || hasControlChar(req.name))
    return `invalid job name '${req.name}'`;
  const env = Object.entries(req.env ?? {});
  for (const [key, value] of env) {
    if (!ENV_NAME.test(key)) return `invalid environment variable name '${key}'`;
    if (RESERVED_ENV.test(key)) return `environment variable '${key}' would change sbatch itself; refused`;
    if (value.includes('\0')) return `environment variable '${key}' contains a NUL byte`;
  }
  if (req.array !== undefined && !ARRAY_SPEC.test(req.array)) return `invalid array spec '${req.array}'`;
  const isArray = req.array !== undefined;
  const defaults = defaultLogPatterns(req.name, isArray);
  const stdoutPattern = req.stdout ?? defaults.stdout;
  const stderrPattern = req.stderr ?? defaults.stderr;

  // `--opt=value` everywhere: a value can then never be taken for another option.
  const opts: string[] = [
    '--parsable',
    `--job-name=${req.name}`,
    `--output=${stdoutPattern}`,
    `--error=${stderrPattern}`,
  ];
  if (req.workdir !== undefined) opts.push(`--chdir=${req.workdir}`);
  opts.push('--export=ALL');
  if (req.array !== undefined) opts.push(`--array=${req.array}`);
  const r = req.resources ?? {};
  const count = (label: string, n: number | undefined, flag: (n: number) => string): string | undefined => {
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n <= 0) return `${label} must be a positive integer (got ${n})`;
    opts.push(flag(n));
    return undefined;
  };
  const bad =
    count('timeMinutes', r.timeMinutes, (n) => `--time=${n}`) ??
    count('memMb', r.memMb, (n) => `--mem=${n}M`) ??
    count('cpusPerTask', r.cpusPerTask, (n) => `--cpus-per-task=${n}`) ??
    count('gpus', r.gpus, (n) => `--gres=gpu:${n}`);
  if (bad) return bad;
  for (const [flag, value] of [
    ['--partition', r.partition],
    ['--account', r.account],
    ['--qos', r.qos],
    ['--constraint', r.constraint],
  ] as const) {
    if (value === undefined) continue;
    if (value === '' || /\s/.test(value) || hasControlChar(value))
      return `invalid ${flag.slice(2)} '${value}'`;
    opts.push(`${flag}=${value}`);
  }

  const cmd = req.command;
  let tail: string[];
  if (cmd.kind === 'script') {
    if (cmd.path === '') return 'empty script path';
    // sbatch takes a word starting with '-' for an option: anchor such a relative path.
    tail = [cmd.path.startsWith('-') ? `./${cmd.path}` : cmd.path, ...(cmd.args ?? [])];
  } else {
    if (cmd.argv.length === 0) return 'empty command';
    try {
      tail = [`--wrap=${shellQuote(cmd.argv)}`];
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  const envPrefix = env.length > 0 ? ['env', ...env.map(([k, v]) => `${k}=${v}`)] : [];
  return { argv: [...envPrefix, 'sbatch', ...opts, ...tail], stdoutPattern, stderrPattern };
}

/** `123` or `123;cluster` on the last line of stdout. */
export function parseSbatchOutput(stdout: string): { jobId: string; cluster?: string } | undefined {
  const last = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  const m = last === undefined ? null : /^(\d+)(?:;(\S+))?$/.exec(last);
  if (!m?.[1]) return undefined;
  return m[2] ? { jobId: m[1], cluster: m[2] } : { jobId: m[1] };
}

/** The scheduler's own words: its `error:` lines (e.g. `Batch job submission failed: …`), else all of stderr. */
export function rejectionMessage(stderr: string, stdout: string, code: number | null): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const errors = lines.filter((l) => /error/i.test(l));
  const words = (errors.length > 0 ? errors : lines).join('\n');
  if (words !== '') return words;
  return stdout.trim() !== '' ? stdout.trim() : `sbatch exited ${code ?? 'on a signal'} without a message`;
}

/**
 * sbatch's words when it could not get an answer from slurmctld (Slurm's own error strings,
 * slurm_errno.c, and the socket errors under them). The controller may have queued the job
 * before the answer was lost, so these say nothing about the job: they are not rejections.
 */
const CONTROLLER_UNREACHABLE: readonly RegExp[] = [
  /unable to contact slurm controller/i, // connect, send, receive or shutdown failure
  /slurm_load_\w+(?: error)?: unable to contact/i,
  /socket timed out on send\/recv operation/i,
  /backup controller in standby mode/i,
  /zero bytes were transmitted or received/i,
  /communication (?:connection|send|receive|shutdown) failure/i,
  /message (?:send|receive) failure/i,
  /connection refused/i,
  /connection timed out/i,
  /connection reset by peer/i,
  /no route to host/i,
  /network is unreachable/i,
];

/** Whether sbatch failed to reach the controller (the job may or may not exist). */
export function controllerUnreachable(text: string): boolean {
  return CONTROLLER_UNREACHABLE.some((re) => re.test(text));
}

/**
 * A rejection (`submission_rejected`: the controller answered no) or the job id. Throws
 * SchedulerError when the outcome is unknown (the controller was unreachable, or sbatch died of
 * a signal): the attempt then stays in flight and adoption by name finds out whether it exists.
 */
export function submitResult(
  call: SbatchCall,
  req: SubmitRequest,
  out: { stdout: string; stderr: string; code: number | null },
  user?: string,
): SubmitResult {
  const parsed = out.code === 0 ? parseSbatchOutput(out.stdout) : undefined;
  if (!parsed && out.code !== 0) {
    const words = rejectionMessage(out.stderr, out.stdout, out.code);
    if (out.code === null || controllerUnreachable(`${out.stderr}\n${out.stdout}`)) {
      throw new SchedulerError(
        'sbatch',
        `sbatch for ${req.name} got no answer from the Slurm controller; the job may or may not exist (adopt by name): ${words}`,
      );
    }
  }
  if (!parsed) {
    const message =
      out.code === 0
        ? `sbatch printed no job id: ${rejectionMessage(out.stderr, out.stdout, out.code)}`
        : rejectionMessage(out.stderr, out.stdout, out.code);
    return { ok: false, rootCause: 'submission_rejected', message };
  }
  const facts = {
    jobId: parsed.jobId,
    name: req.name,
    isArray: req.array !== undefined,
    ...(user !== undefined ? { user } : {}),
    ...(req.workdir !== undefined ? { workdir: req.workdir } : {}),
  };
  return {
    ok: true,
    jobId: parsed.jobId,
    ...(parsed.cluster !== undefined ? { cluster: parsed.cluster } : {}),
    stdoutPath: expandLogPattern(call.stdoutPattern, facts),
    stderrPath: expandLogPattern(call.stderrPattern, facts),
  };
}
