/**
 * Resources every launch of the sweep asks for, on top of the task YAML (the sweep file's
 * `template.resources.skypilot`), as `sky jobs launch` flags. sky applies a flag to every
 * candidate of the YAML's `resources` (any_of/ordered included), replacing the YAML's value,
 * so what a flag sets is what every task of the launch gets.
 *
 * The flags exist in every CLI since 0.6 (sky/cli.py `_TASK_OPTIONS`, `_EXTRA_RESOURCES_OPTIONS`;
 * sky/client/cli/flags.py later). `--cloud/--region/--zone` are hidden since `--infra` came
 * (0.10) but still accepted; `--infra` itself would break every older sky.
 */
import { type Accelerator, readAccelerators } from './task-yaml.js';

export interface SkyResourceDefaults {
  /** `A100:8`, `A100`, `{A100:8, H100:8}` as text: the `--gpus` value. */
  readonly accelerators?: string;
  readonly cloud?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly instanceType?: string;
  readonly useSpot?: boolean;
  readonly diskSizeGb?: number;
  /** `docker:<image>` (a container) or a VM image id. */
  readonly imageId?: string;
  /** sky's own syntax: `4`, `4+`. */
  readonly cpus?: string;
  /** GB in sky's own syntax: `16`, `16+`. */
  readonly memory?: string;
}

/** The accelerators the defaults ask for, or null when they leave the YAML's alone. */
export function defaultAccelerators(d: SkyResourceDefaults): Accelerator[] | null {
  return d.accelerators === undefined ? null : readAccelerators(d.accelerators);
}

/**
 * The flags for the defaults, minus what the request itself sets (`taken`): a count in the
 * request is more specific (a relaunch escalates memory there), so it wins. A string is a
 * refusal: a value sky would misread.
 */
export function defaultFlags(
  d: SkyResourceDefaults,
  taken: { readonly cpus: boolean; readonly memory: boolean; readonly gpus: boolean },
): string[] | string {
  const flags: string[] = [];
  const text = (flag: string, label: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    // A leading '-' would be read as an option; sky has no value that starts with one.
    if (value === '' || value.startsWith('-') || value.includes('\0'))
      return `invalid SkyPilot ${label} '${value}'`;
    flags.push(flag, value);
    return undefined;
  };
  const bad =
    (taken.gpus ? undefined : text('--gpus', 'accelerators', d.accelerators)) ??
    (taken.cpus ? undefined : text('--cpus', 'cpus', d.cpus)) ??
    (taken.memory ? undefined : text('--memory', 'memory', d.memory)) ??
    text('--cloud', 'cloud', d.cloud) ??
    text('--region', 'region', d.region) ??
    text('--zone', 'zone', d.zone) ??
    text('--instance-type', 'instance_type', d.instanceType);
  if (bad !== undefined) return bad;
  if (d.useSpot !== undefined) flags.push(d.useSpot ? '--use-spot' : '--no-use-spot');
  if (d.diskSizeGb !== undefined) {
    if (!Number.isInteger(d.diskSizeGb) || d.diskSizeGb <= 0)
      return `disk_size must be a positive integer (got ${d.diskSizeGb})`;
    flags.push('--disk-size', String(d.diskSizeGb));
  }
  return text('--image-id', 'image_id', d.imageId) ?? flags;
}
