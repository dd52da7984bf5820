/**
 * The sweep file's SkyPilot settings: read into the typed config, and refused at load, with
 * file, line and key path, when no job of the sweep could launch as written.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseSweepConfig } from '../../src/config/sweep-config.js';

const IMAGE = `docker:ghcr.io/acme/train@sha256:${'ab'.repeat(32)}`;

/** A valid SkyPilot sweep; each bad case changes one thing in it. */
const BASE = `experiment: llm
scheduler:
  type: skypilot
  task_yaml: sky/task.yaml
factors:
  lr: [0.1, 0.01]
template:
  command: [python, train.py, --lr, '{lr}']
  resources:
    memory: 16G
    skypilot: {image_id: '${IMAGE}', cloud: aws, use_spot: true, disk_size: 256}
`;

function issuesOf(text: string): string[] {
  try {
    parseSweepConfig(text, 'sweep.yml');
  } catch (error) {
    if (error instanceof ConfigError)
      return error.message
        .split('\n')
        .slice(1)
        .map((l) => l.trim());
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('a SkyPilot sweep file', () => {
  it('carries the sky command, the task YAML, the bare-VM switch and the resources', () => {
    const config = parseSweepConfig(
      BASE.replace('  task_yaml:', '  sky_command: [uv, run, sky]\n  allow_bare_vm: true\n  task_yaml:'),
      'sweep.yml',
    );
    expect(config.scheduler).toMatchObject({
      kind: 'skypilot',
      skyCommand: ['uv', 'run', 'sky'],
      taskYaml: 'sky/task.yaml',
      allowBareVm: true,
    });
    expect(config.template.resources.skypilot).toEqual({
      accelerators: null,
      cloud: 'aws',
      region: null,
      zone: null,
      instanceType: null,
      useSpot: true,
      diskSizeGb: 256,
      imageId: IMAGE,
      cpus: null,
      memory: null,
    });
  });

  it('takes a single sky program as a string, and defaults the rest', () => {
    const config = parseSweepConfig(
      BASE.replace('  task_yaml:', '  sky_command: /opt/sky/bin/sky\n  task_yaml:'),
      'sweep.yml',
    );
    expect(config.scheduler).toMatchObject({ skyCommand: ['/opt/sky/bin/sky'], allowBareVm: false });
  });

  it('needs no task_yaml when the command is the task YAML itself', () => {
    const text = BASE.replace('  task_yaml: sky/task.yaml\n', '').replace(
      "command: [python, train.py, --lr, '{lr}']",
      "command: sky/task.yaml\n  args: [--lr, '{lr}']",
    );
    expect(parseSweepConfig(text, 'sweep.yml').scheduler.taskYaml).toBeNull();
  });

  it('lets a VM image through only when bare VMs are allowed', () => {
    const vm = BASE.replace(`'${IMAGE}'`, 'ami-0123');
    expect(issuesOf(vm)).toEqual([
      "sweep.yml:11: template.resources.skypilot.image_id: is 'ami-0123', a VM image, not a container: pin one (docker:<image>@sha256:<digest>), or allow bare VMs explicitly (scheduler.allow_bare_vm: true)",
    ]);
    const allowed = vm.replace('  task_yaml:', '  allow_bare_vm: true\n  task_yaml:');
    expect(parseSweepConfig(allowed, 'sweep.yml').template.resources.skypilot?.imageId).toBe('ami-0123');
  });

  it.each([
    [
      'no task YAML to run',
      BASE.replace('  task_yaml: sky/task.yaml\n', ''),
      [
        'sweep.yml:2: scheduler.task_yaml: is needed: SkyPilot runs a task YAML; name one on the sky host whose run: is eval "$SWEEPWATCH_COMMAND", or make template.command a .yaml file',
      ],
    ],
    [
      'a placeholder in the task YAML',
      BASE.replace('sky/task.yaml', 'sky/{lr}.yaml'),
      [
        'sweep.yml:4: scheduler.task_yaml: one task YAML serves every condition, so it takes no {placeholders}; pass per-condition values in template.args or template.env',
      ],
    ],
    [
      'a relative task YAML under a per-condition workdir',
      BASE.replace('  resources:', '  workdir: /runs/{condition}\n  resources:'),
      [
        'sweep.yml:4: scheduler.task_yaml: is relative to template.workdir, which differs per condition; give an absolute path',
      ],
    ],
    [
      'memory said twice',
      BASE.replace('disk_size: 256}', "disk_size: 256, memory: '32+'}"),
      [
        'sweep.yml:11: template.resources.skypilot.memory: says again what template.resources.memory says; keep one',
      ],
    ],
    [
      'GPUs said twice',
      BASE.replace('memory: 16G', 'gpus: 2\n    memory: 16G').replace(
        'cloud: aws',
        "accelerators: 'A100:2', cloud: aws",
      ),
      [
        'sweep.yml:12: template.resources.skypilot.accelerators: says again what template.resources.gpus says; keep one',
      ],
    ],
    [
      'a command line as the sky command',
      BASE.replace('  task_yaml:', '  sky_command: uv run sky\n  task_yaml:'),
      [
        'sweep.yml:4: scheduler.sky_command: expected the sky program, or a command with arguments as a list like [uv, run, sky], got the string "uv run sky"',
      ],
    ],
    [
      'a misspelled key',
      BASE.replace('task_yaml:', 'task_yml:'),
      [
        expect.stringMatching(
          /^sweep\.yml:4: scheduler\.task_yml: unknown key \(did you mean "task_yaml"\?\); known keys: .*allow_bare_vm/,
        ),
      ],
    ],
  ])('refuses %s, naming the key', (_label, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });

  it('refuses the SkyPilot-only keys on another scheduler', () => {
    const slurm = BASE.replace('type: skypilot', 'type: slurm')
      .replace('  task_yaml:', '  allow_bare_vm: true\n  sky_command: sky\n  task_yaml:')
      .replace(/\n {4}skypilot: .*\n/, '\n');
    expect(issuesOf(slurm)).toEqual([
      'sweep.yml:4: scheduler.allow_bare_vm: applies to SkyPilot; the scheduler is slurm',
      'sweep.yml:5: scheduler.sky_command: applies to SkyPilot; the scheduler is slurm',
      'sweep.yml:6: scheduler.task_yaml: applies to SkyPilot; the scheduler is slurm',
    ]);
  });
});
