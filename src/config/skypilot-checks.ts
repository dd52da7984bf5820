/**
 * What a SkyPilot sweep needs that the schema cannot say, checked when the file is loaded so a
 * sweep that could not launch a single job never reaches the cluster:
 * - a task YAML for sky to run: `scheduler.task_yaml`, or a command that is a .yaml itself;
 * - one that every condition can share (no placeholders; a relative path needs a fixed workdir,
 *   since sky is started there and preflight must find the same file);
 * - a container image when the sweep pins one (`template.resources.skypilot.image_id`), unless
 *   bare VMs are allowed: a VM image drifts with the cloud and makes failures incomparable
 *   (a task YAML's own image is checked at preflight, where the file can be read);
 * - each resource said once: `cpus`, `memory` and GPUs exist generically and in the skypilot
 *   block, and two values for one flag would leave the reader guessing which one applies.
 * On another scheduler, the SkyPilot-only keys are refused rather than ignored.
 */
import { clip } from './config-error.js';
import type { SemanticProblem } from './sweep-checks.js';
import type { SweepConfig } from './sweep-config.js';

const YAML_FILE = /\.ya?ml$/i;

export function skypilotProblems(config: SweepConfig): SemanticProblem[] {
  const { scheduler, template } = config;
  const problems: SemanticProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (scheduler.kind !== 'skypilot') {
    const set = { sky_command: scheduler.skyCommand, task_yaml: scheduler.taskYaml };
    for (const [key, value] of Object.entries(set))
      if (value !== null) add(['scheduler', key], `applies to SkyPilot; the scheduler is ${scheduler.kind}`);
    if (scheduler.allowBareVm)
      add(['scheduler', 'allow_bare_vm'], `applies to SkyPilot; the scheduler is ${scheduler.kind}`);
    return problems;
  }

  const commandIsYaml = template.command.kind === 'script' && YAML_FILE.test(template.command.path);
  const yaml = scheduler.taskYaml;
  if (yaml === null && !commandIsYaml) {
    add(
      ['scheduler', 'task_yaml'],
      'is needed: SkyPilot runs a task YAML; name one on the sky host whose run: is eval "$SWEEPWATCH_COMMAND", ' +
        'or make template.command a .yaml file',
    );
  }
  if (yaml?.includes('{') === true) {
    add(
      ['scheduler', 'task_yaml'],
      'one task YAML serves every condition, so it takes no {placeholders}; pass per-condition values in template.args or template.env',
    );
  } else if (yaml !== null && !yaml.startsWith('/') && template.workdir?.includes('{') === true) {
    add(
      ['scheduler', 'task_yaml'],
      'is relative to template.workdir, which differs per condition; give an absolute path',
    );
  }

  const r = template.resources;
  const sky = r.skypilot;
  if (sky === null) return problems;
  const image = sky.imageId;
  if (image !== null && !/^docker:./.test(image) && !scheduler.allowBareVm) {
    add(
      ['template', 'resources', 'skypilot', 'image_id'],
      `is '${clip(image)}', a VM image, not a container: pin one (docker:<image>@sha256:<digest>), ` +
        'or allow bare VMs explicitly (scheduler.allow_bare_vm: true)',
    );
  }
  const twice = [
    ['cpus', sky.cpus, r.cpus, 'cpus'],
    ['memory', sky.memory, r.memoryMb, 'memory'],
    ['accelerators', sky.accelerators, r.gpus, 'gpus'],
  ] as const;
  for (const [key, own, generic, name] of twice) {
    if (own !== null && generic !== null)
      add(
        ['template', 'resources', 'skypilot', key],
        `says again what template.resources.${name} says; keep one`,
      );
  }
  return problems;
}
