/**
 * The checks submit can make up front; a failure is a `submission_rejected` and no job is
 * created. What can only be known when the job starts (the workdir exists, the command is on
 * PATH) is the supervisor's business and ends as a FAILED job, as it would under Slurm.
 * The rules follow the Slurm adapter's where both apply, so a sweep that passes here is not
 * refused when it moves to a cluster.
 */
import type { SubmitRequest } from '../../ports/scheduler.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names end up in file names (`%x`): no separators, patterns or blanks. */
const BAD_NAME = /[\s/%\\]/;
/** Variables the supervisor sets for the job itself. */
const RESERVED_ENV = /^SWEEPWATCH_JOB_/;

function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The reason the request is refused, or undefined when it may be submitted. */
export function rejectReason(req: SubmitRequest): string | undefined {
  if (req.name === '' || BAD_NAME.test(req.name) || hasControlChar(req.name)) {
    return `invalid job name '${req.name}'`;
  }
  if (req.array !== undefined) return 'job arrays are not supported by the local scheduler';
  const cmd = req.command;
  const words = cmd.kind === 'script' ? [cmd.path, ...(cmd.args ?? [])] : cmd.argv;
  if (words.length === 0 || words[0] === '')
    return cmd.kind === 'script' ? 'empty script path' : 'empty command';
  if (words.some((w) => w.includes('\0'))) return 'the command contains a NUL byte';
  for (const [key, value] of Object.entries(req.env ?? {})) {
    if (!ENV_NAME.test(key)) return `invalid environment variable name '${key}'`;
    if (RESERVED_ENV.test(key)) return `environment variable '${key}' is set by the local scheduler; refused`;
    if (value.includes('\0')) return `environment variable '${key}' contains a NUL byte`;
  }
  for (const path of [req.workdir, req.stdout, req.stderr]) {
    if (path !== undefined && (path === '' || path.includes('\0'))) return `invalid path '${path}'`;
  }
  const r = req.resources ?? {};
  // Fractional minutes are allowed here (a demo's 0.05 min); Slurm would want whole minutes.
  if (r.timeMinutes !== undefined && !(Number.isFinite(r.timeMinutes) && r.timeMinutes > 0)) {
    return `timeMinutes must be a positive number (got ${r.timeMinutes})`;
  }
  if (r.memMb !== undefined && !(Number.isFinite(r.memMb) && r.memMb > 0)) {
    return `memMb must be a positive number (got ${r.memMb})`;
  }
  for (const [label, n] of [
    ['cpusPerTask', r.cpusPerTask],
    ['gpus', r.gpus],
  ] as const) {
    if (n !== undefined && !(Number.isInteger(n) && n > 0))
      return `${label} must be a positive integer (got ${n})`;
  }
  return undefined;
}
