/**
 * The one sweep both backends run, and what each of its conditions does: 2 models × 2
 * environments × 2 seeds. The tiny model in the pinned environment trains; the stale
 * environment lacks a module (a Python traceback ending in ModuleNotFoundError); the huge model
 * runs out of GPU memory (a CUDA OOM line). Slurm runs the job script for real; the SkyPilot
 * stand-in replays the same lines as `sky jobs logs` prints them. Every job first waits for a
 * `go` file in its working directory, so the first tick sees them all alive on both backends.
 */
import { shellQuote } from '../../../src/adapters/ssh/shell-quote.js';
import { parseSweepConfig, type SweepConfig } from '../../../src/config/sweep-config.js';
import type { Assignment } from '../../../src/core/conditions.js';
import type { Scheduler } from '../../../src/ports/scheduler.js';

export const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "train.py", line 3, in <module>',
  '    import timm',
  "ModuleNotFoundError: No module named 'timm'",
];
export const CUDA_OOM =
  'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free.';

export type Fate = 'succeeded' | 'env_import' | 'gpu_oom';

export function fateOf(values: Assignment): Fate {
  if (values.env === 'stale') return 'env_import';
  return values.model === 'huge' ? 'gpu_oom' : 'succeeded';
}

/** What the job prints: stdout lines, then stderr lines (Slurm keeps them in two files). */
export function outputOf(values: Assignment): { stdout: string[]; stderr: string[] } {
  const first = `model=${values.model} env=${values.env} seed=${values.seed}: epoch 1/1`;
  const fate = fateOf(values);
  if (fate === 'env_import') return { stdout: [first], stderr: TRACEBACK };
  if (fate === 'gpu_oom') return { stdout: [first], stderr: [CUDA_OOM] };
  return { stdout: [first, 'eval loss=0.412'], stderr: [] };
}

// No braces anywhere: the sweep file would read them as placeholders.
const JOB_SCRIPT = `n=0
while [ ! -e go ] && [ "$n" -lt 900 ]; do sleep 0.2; n=$((n + 1)); done
echo "model=$1 env=$2 seed=$3: epoch 1/1"
if [ "$2" = stale ]; then
  printf '%s\\n' ${shellQuote(TRACEBACK)} >&2
  exit 1
fi
if [ "$1" = huge ]; then
  echo ${shellQuote([CUDA_OOM])} >&2
  exit 1
fi
echo 'eval loss=0.412'
`;

export interface SweepSpec {
  readonly experiment: string;
  /** The `scheduler:` value. */
  readonly scheduler: string;
  readonly workdir: string;
  /** The `template.resources:` value. */
  readonly resources: string;
}

export function sweepConfig(spec: SweepSpec): SweepConfig {
  return parseSweepConfig(
    `experiment: ${spec.experiment}
scheduler: ${spec.scheduler}
factors:
  model: [tiny, huge]
  env: [pinned, stale]
  seed: [1, 2]
template:
  command: [sh, -c, ${JSON.stringify(JOB_SCRIPT)}, job, '{model}', '{env}', '{seed}']
  workdir: ${spec.workdir}
  log_dir: ${spec.workdir}/logs
  resources: ${spec.resources}
`,
    `${spec.experiment}.yml`,
  );
}

/** One backend, set up on the lab host for one run of the suite. */
export interface BackendWorld {
  readonly config: SweepConfig;
  /** Built by the real registry from the sweep file, as the Action and the CLI build it. */
  readonly scheduler: Scheduler;
  /** Lets every job run to its end; resolves once the scheduler reports each one terminal. */
  finish(jobIds: readonly string[]): Promise<void>;
  /** The command line each job was started with, by job id, as the cluster holds it. */
  commands(jobIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** A job of the same user outside the sweep, alive and never sent a cancel. */
  bystanderUntouched(): Promise<boolean>;
  close(jobIds: readonly string[]): Promise<void>;
}

export interface Backend {
  readonly name: string;
  open(tag: string): Promise<BackendWorld>;
}
