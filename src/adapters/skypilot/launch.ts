/**
 * `sky jobs launch` for one condition, as an argv (pure: building and reading, no I/O).
 *
 *   sky jobs launch -n <name> --env K=V … [--cpus N+] [--memory G+] [--gpus T:N] [<defaults>] [--workdir=D] -y -d <task.yaml>
 *
 * The flags exist in every CLI since 0.6 (sky/cli.py `_TASK_OPTIONS_WITH_NAME`,
 * `_EXTRA_RESOURCES_OPTIONS`; sky/client/cli/flags.py later). Resources say "at least" (`4+`),
 * as Slurm's do. What runs is the task YAML's `run:`; a condition whose command is not the
 * YAML itself reaches it as $SWEEPWATCH_COMMAND (its argv, shell-quoted), which the YAML runs
 * with `eval "$SWEEPWATCH_COMMAND"`. Slurm-only settings (partition, account, QOS, constraint,
 * arrays) are refused rather than dropped; the time limit has no SkyPilot equivalent and is
 * left to the sweep's policy. The sweep's SkyPilot resources (resource-defaults.ts) follow the
 * request's own; where both set cpus, memory or GPUs, the request's count wins.
 */
import type { SubmitRequest } from '../../ports/scheduler.js';
import { shellQuote } from '../ssh/shell-quote.js';
import { defaultAccelerators, defaultFlags, type SkyResourceDefaults } from './resource-defaults.js';
import type { Accelerator, TaskCheck } from './task-yaml.js';
import { stripAnsi } from './text-table.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** sky's check_cluster_name_is_valid: a letter, then letters, digits, `-_.`, ending alphanumeric. */
const SKY_NAME = /^[a-zA-Z](?:[-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const YAML_FILE = /\.ya?ml$/i;

export const COMMAND_ENV = 'SWEEPWATCH_COMMAND';

export interface TaskSource {
  /** The task YAML, as sky will be given it (relative to the workdir, if any). */
  readonly yaml: string;
  /** The condition's command for the YAML to run, when it is not the YAML itself. */
  readonly command?: string;
}

/** Which YAML runs the condition, and what command it is handed; a string is a refusal. */
export function taskSource(req: SubmitRequest, defaultYaml: string | undefined): TaskSource | string {
  const cmd = req.command;
  if (cmd.kind === 'script' && YAML_FILE.test(cmd.path)) {
    const args = cmd.args ?? [];
    return { yaml: anchor(cmd.path), ...(args.length > 0 ? { command: quote(args) } : {}) };
  }
  if (defaultYaml === undefined || defaultYaml === '') {
    return 'SkyPilot runs a task YAML: make the command a .yaml file or give the adapter a taskYaml';
  }
  const argv = cmd.kind === 'script' ? [cmd.path, ...(cmd.args ?? [])] : cmd.argv;
  if (argv.length === 0 || argv[0] === '') return 'empty command';
  return { yaml: anchor(defaultYaml), command: quote(argv) };
}

/** The arguments after the sky command; a string is the reason it was refused before sending. */
export function buildLaunchArgs(
  req: SubmitRequest,
  source: TaskSource,
  check: TaskCheck & { ok: true },
  defaults: SkyResourceDefaults = {},
): string[] | string {
  if (!SKY_NAME.test(req.name)) return `invalid SkyPilot job name '${req.name}'`;
  if (req.array !== undefined) return 'SkyPilot has no job arrays; submit one job per condition';
  const env: [string, string][] = Object.entries(req.env ?? {});
  for (const [key, value] of env) {
    if (!ENV_NAME.test(key)) return `invalid environment variable name '${key}'`;
    if (key.startsWith('SKYPILOT_')) return `environment variable '${key}' is reserved by SkyPilot; refused`;
    if (key === COMMAND_ENV) return `environment variable '${key}' is set by sweepwatch; refused`;
    if (value.includes('\0')) return `environment variable '${key}' contains a NUL byte`;
  }
  if (source.command !== undefined) env.push([COMMAND_ENV, source.command]);

  const r = req.resources ?? {};
  for (const [name, value] of [
    ['partition', r.partition],
    ['account', r.account],
    ['qos', r.qos],
    ['constraint', r.constraint],
  ] as const) {
    if (value !== undefined) return `${name} is a Slurm setting with no SkyPilot equivalent; remove it`;
  }
  const flags: string[] = [];
  const positive = (label: string, n: number | undefined): string | undefined =>
    n === undefined || (Number.isInteger(n) && n > 0)
      ? undefined
      : `${label} must be a positive integer (got ${n})`;
  const bad =
    positive('cpusPerTask', r.cpusPerTask) ?? positive('memMb', r.memMb) ?? positive('gpus', r.gpus);
  if (bad) return bad;
  if (r.cpusPerTask !== undefined) flags.push('--cpus', `${r.cpusPerTask}+`);
  // sky counts memory in GB; round up so the request is never below what was asked.
  if (r.memMb !== undefined) flags.push('--memory', `${Math.ceil(r.memMb / 1024)}+`);
  let gpusSet = false;
  if (r.gpus !== undefined) {
    // The defaults' accelerators replace the YAML's (the flag does), so their type counts.
    const accelerators = defaultAccelerators(defaults) ?? check.accelerators;
    const where =
      defaults.accelerators !== undefined ? 'template.resources.skypilot.accelerators' : check.file;
    const gpus = gpuFlag(r.gpus, accelerators, where);
    if ('refused' in gpus) return gpus.refused;
    if (gpus.value !== undefined) flags.push('--gpus', gpus.value);
    gpusSet = gpus.value !== undefined;
  }
  const extra = defaultFlags(defaults, {
    cpus: r.cpusPerTask !== undefined,
    memory: r.memMb !== undefined,
    gpus: gpusSet,
  });
  if (typeof extra === 'string') return extra;
  flags.push(...extra);
  if (req.workdir !== undefined) {
    if (req.workdir === '' || req.workdir.includes('\0')) return `invalid workdir '${req.workdir}'`;
    flags.push(`--workdir=${req.workdir}`);
  }
  return [
    'jobs',
    'launch',
    '-n',
    req.name,
    ...env.flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...flags,
    '-y',
    '-d',
    source.yaml,
  ];
}

/**
 * `--gpus` wants `TYPE:N`, the port carries only N: the type comes from the YAML. No flag when
 * the YAML already asks for N of each candidate; refused when there is no type or several.
 */
function gpuFlag(
  count: number,
  accelerators: readonly Accelerator[],
  where: string,
): { value?: string } | { refused: string } {
  const types = [...new Set(accelerators.map((a) => a.type))];
  if (accelerators.length > 0 && accelerators.every((a) => a.count === count)) return {};
  if (types.length === 1) return { value: `${types[0]}:${count}` };
  if (types.length === 0)
    return {
      refused: `gpus: ${count} needs an accelerator type: set resources.accelerators in ${where}`,
    };
  return {
    refused: `gpus: ${count} is ambiguous: ${where} lists ${types.join(', ')}; set the count there`,
  };
}

function anchor(path: string): string {
  // click would take a word starting with '-' for an option.
  return path.startsWith('-') ? `./${path}` : path;
}

function quote(argv: readonly string[]): string {
  return shellQuote(argv);
}

/**
 * The managed job id in launch output, per version: 0.6 prints `Job submitted with Job ID: 5`
 * and `Managed Job ID: 5`; 0.7+ `⚙︎ Job submitted, ID: 5` (and the hint `Managed Job ID: 5`);
 * a pool launch `Jobs submitted with IDs: 5,6`. The last one printed wins.
 */
export function parseLaunchJobId(stdout: string, stderr: string): string | undefined {
  const text = stripAnsi(`${stdout}\n${stderr}`);
  const patterns = [
    /Managed Job ID:\s*(\d+)/gi,
    /Job submitted(?:,| with Job) ID:\s*(\d+)/gi,
    /Jobs submitted with IDs:\s*(\d+)/gi,
  ];
  for (const p of patterns) {
    const all = [...text.matchAll(p)];
    const id = all[all.length - 1]?.[1];
    if (id !== undefined) return id;
  }
  return undefined;
}

/** The sky's own words for a refused launch: its error lines, else the tail of its output. */
export function launchRejection(stdout: string, stderr: string, code: number | null): string {
  const lines = stripAnsi(`${stderr}\n${stdout}`)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Traceback|^File "/.test(l));
  const errors = lines.filter((l) => /error|exception|failed|invalid|not found|unavailable|no such/i.test(l));
  const words = (errors.length > 0 ? errors : lines.slice(-5)).slice(-8).join('\n');
  return words !== '' ? words : `sky jobs launch exited ${code ?? 'on a signal'} without a message`;
}
