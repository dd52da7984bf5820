/**
 * The sweep file's SkyPilot settings reach `sky jobs launch` (through the scheduler registry,
 * as the Action and the CLI build it), sky's refusals keep their root cause, and log lines lose
 * the per-process prefix that would make identical failures look different.
 */
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/adapters/schedulers.js';
import { buildLaunchArgs, taskSource } from '../../src/adapters/skypilot/launch.js';
import { stripSkyLogPrefixes } from '../../src/adapters/skypilot/log-prefix.js';
import { skyOptionsOf } from '../../src/adapters/skypilot/sweep-options.js';
import { checkTaskYaml, type TaskCheck } from '../../src/adapters/skypilot/task-yaml.js';
import { parseSweepConfig } from '../../src/config/sweep-config.js';
import type { SubmitRequest } from '../../src/ports/scheduler.js';
import { createFakeTransport, type ExecHandler } from '../fakes/fake-transport.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = `docker:ghcr.io/acme/train@${DIGEST}`;
/** The marker of a remote script's output: its nonce is the argument after the script's name. */
const marker = (argv: readonly string[]) => `@@SW:${argv[4] ?? ''}:`;

/** What the adapter's remote scripts print: framed sections, then `done`. */
function framed(
  argv: readonly string[],
  sections: [string, string, string, number][],
  meta: Record<string, string> = {},
) {
  const M = marker(argv);
  const out = [`${M}meta:user:alice`];
  for (const [k, v] of Object.entries(meta)) out.push(`${M}meta:${k}:${v}`);
  for (const [source, key, text, rc] of sections)
    out.push(`${M}begin:${source}:${key}`, text, `${M}end:${source}:${key}:${rc}`);
  return `${[...out, `${M}done`].join('\n')}\n`;
}

const sweep = (scheduler: string, workdir = '/work/llm') =>
  parseSweepConfig(
    `experiment: llm
scheduler: ${scheduler}
factors: {lr: [0.1]}
template:
  command: [python, train.py, --lr, '{lr}']
  workdir: ${workdir}
  resources:
    memory: 16G
    skypilot: {image_id: '${IMAGE}', cloud: aws, region: us-east-1, use_spot: true, disk_size: 256}
`,
    'sweep.yml',
  );

describe('from the sweep file to the SkyPilot scheduler', () => {
  it('carries the sweep settings, and a fixed workdir for preflight to read the task YAML where sky will', () => {
    const config = sweep('{type: skypilot, task_yaml: sky/task.yaml, sky_command: [uv, run, sky]}');
    expect(skyOptionsOf(config)).toEqual({
      skyCommand: ['uv', 'run', 'sky'],
      taskYaml: 'sky/task.yaml',
      workdir: '/work/llm',
      allowBareVm: false,
      resources: { cloud: 'aws', region: 'us-east-1', useSpot: true, diskSizeGb: 256, imageId: IMAGE },
    });
    const perCondition = sweep('{type: skypilot, task_yaml: /opt/task.yaml, allow_bare_vm: true}', '/w/{lr}');
    expect(skyOptionsOf(perCondition)).toEqual({
      taskYaml: '/opt/task.yaml',
      allowBareVm: true,
      resources: expect.objectContaining({ imageId: IMAGE }),
    });
  });

  it('checks the task YAML at preflight in the workdir every launch starts sky in, once', async () => {
    const yaml = 'resources:\n  accelerators: A100:1\nrun: eval "$SWEEPWATCH_COMMAND"\n';
    const transport = createFakeTransport((argv) =>
      argv[3] === 'sweepwatch-sky-task'
        ? { stdout: framed(argv, [['yaml', '0', yaml, 0]], { digest: 'e'.repeat(64), size: '70' }) }
        : argv[3] === 'sweepwatch-sky-launch'
          ? { stdout: framed(argv, [['launch', '0', '⚙︎ Job submitted, ID: 3', 0]]) }
          : { stdout: framed(argv, [['version', '0', 'skypilot, version 0.13.0', 0]], { found: '1' }) },
    );
    const config = sweep('{type: skypilot, task_yaml: sky/task.yaml}');
    const scheduler = createScheduler('skypilot', { transport, config });
    expect((await scheduler.preflight({})).problems).toEqual([]);
    const submitted = await scheduler.submit({
      name: 'sw-llm-00000001',
      command: { kind: 'argv', argv: ['x'] },
      workdir: '/work/llm',
    });
    expect(submitted).toMatchObject({ ok: true, jobId: '3', imageDigest: DIGEST });
    const reads = transport.calls.filter((c) => c.argv[3] === 'sweepwatch-sky-task');
    expect(reads.map((c) => c.argv.slice(5, 7))).toEqual([['/work/llm', 'sky/task.yaml']]);
  });

  it('launches with the sweep resources, the task YAML, and records the pinned image digest', async () => {
    // The task YAML pins no image of its own: the sweep's image_id applies to every launch.
    const yaml = 'resources:\n  accelerators: A100:1\nrun: eval "$SWEEPWATCH_COMMAND"\n';
    const handler: ExecHandler = (argv) =>
      argv[3] === 'sweepwatch-sky-task'
        ? { stdout: framed(argv, [['yaml', '0', yaml, 0]], { digest: 'e'.repeat(64), size: '70' }) }
        : { stdout: framed(argv, [['launch', '0', '⚙︎ Job submitted, ID: 12', 0]]) };
    const transport = createFakeTransport(handler);
    const config = sweep('{type: skypilot, task_yaml: sky/task.yaml, sky_command: /opt/sky/bin/sky}');
    const scheduler = createScheduler('skypilot', { transport, config });
    const result = await scheduler.submit({
      name: 'sw-llm-00000001',
      command: { kind: 'argv', argv: ['python', 'train.py', '--lr', '0.1'] },
      workdir: '/work/llm',
      resources: { memMb: 16_384 },
    });
    expect(result).toEqual({
      ok: true,
      jobId: '12',
      stdoutPath: 'sky-jobs-logs:12',
      stderrPath: 'sky-jobs-logs:12',
      imageDigest: DIGEST,
    });
    expect(transport.calls[0]?.argv.slice(5, 7)).toEqual(['/work/llm', 'sky/task.yaml']);
    const launch = transport.calls[1]?.argv ?? [];
    expect(launch.slice(launch.indexOf('/opt/sky/bin/sky'))).toEqual([
      ...['/opt/sky/bin/sky', 'jobs', 'launch', '-n', 'sw-llm-00000001'],
      ...['--env', 'SWEEPWATCH_COMMAND=python train.py --lr 0.1', '--memory', '16+'],
      ...['--cloud', 'aws', '--region', 'us-east-1', '--use-spot', '--disk-size', '256'],
      ...['--image-id', IMAGE, '--workdir=/work/llm', '-y', '-d', 'sky/task.yaml'],
    ]);
  });

  it('launches with the defaults of sky when there is no sweep file', async () => {
    const transport = createFakeTransport((argv) => ({
      stdout: framed(argv, [['version', '0', 'skypilot, version 0.13.0', 0]], { found: '1' }),
    }));
    const report = await createScheduler('skypilot', { transport }).preflight({});
    expect(report.versions).toEqual({ sky: '0.13.0' });
    expect(transport.calls[0]?.argv.at(-1)).toBe('sky');
  });

  it('tells a provisioning failure from a rejection, by the same rules as a failed job', async () => {
    const yaml = `resources:\n  image_id: ${IMAGE}\nrun: x\n`;
    const refusal =
      (stderr: string): ExecHandler =>
      (argv) =>
        argv[3] === 'sweepwatch-sky-task'
          ? { stdout: framed(argv, [['yaml', '0', yaml, 0]], { digest: 'e'.repeat(64), size: '60' }) }
          : {
              stdout: framed(argv, [['launch', '0', 'Launching...', 1]]),
              stderr: `${marker(argv)}begin:launch:0\n${stderr}`,
            };
    const request: SubmitRequest = { name: 'sw-llm-00000001', command: { kind: 'argv', argv: ['x'] } };
    const noGpu =
      "sky.exceptions.ResourcesUnavailableError: Catalog does not contain any instances satisfying the request: 1x AWS({'H100': 9}).\n";
    const sky = (stderr: string) =>
      createScheduler('skypilot', {
        transport: createFakeTransport(refusal(stderr)),
        config: sweep('{type: skypilot, task_yaml: t.yaml}'),
      });
    expect(await sky(noGpu).submit(request)).toMatchObject({ ok: false, rootCause: 'provisioning' });
    expect(await sky('ValueError: Invalid resources: cpus=9999+\n').submit(request)).toMatchObject({
      ok: false,
      rootCause: 'submission_rejected',
    });
  });
});

describe('launch flags from the sweep resources', () => {
  const check = (text: string): TaskCheck & { ok: true } => {
    const c = checkTaskYaml(text, 'task.yaml', { allowBareVm: false, imageId: IMAGE });
    if (!c.ok) throw new Error(c.message);
    return c;
  };
  const req = (resources: NonNullable<SubmitRequest['resources']>): SubmitRequest => ({
    name: 'sw-exp-0a1b2c3d',
    command: { kind: 'argv', argv: ['x'] },
    resources,
  });
  const args = (request: SubmitRequest, defaults: Parameters<typeof buildLaunchArgs>[3]) => {
    const source = taskSource(request, 'task.yaml');
    if (typeof source === 'string') throw new Error(source);
    const out = buildLaunchArgs(request, source, check('run: x\n'), defaults);
    return typeof out === 'string' ? out : out.slice(6, -3);
  };

  it("lets the request's own counts win, and types a GPU count with the sweep's accelerator", () => {
    expect(args(req({ cpusPerTask: 8, gpus: 2 }), { cpus: '4+', accelerators: 'H100:8' })).toEqual([
      ...['--cpus', '8+', '--gpus', 'H100:2'],
    ]);
    expect(args(req({}), { cpus: '4+', accelerators: 'H100:8', instanceType: 'p5.48xlarge' })).toEqual([
      ...['--gpus', 'H100:8', '--cpus', '4+', '--instance-type', 'p5.48xlarge'],
    ]);
    expect(args(req({ gpus: 8 }), { accelerators: 'H100:8', useSpot: false })).toEqual([
      ...['--gpus', 'H100:8', '--no-use-spot'],
    ]);
  });

  it.each([
    ['an option-like value', { zone: '--yes' }, /invalid SkyPilot zone/],
    ['a disk size that is not a count', { diskSizeGb: 1.5 }, /disk_size must be a positive integer/],
  ])('refuses %s before sending', (_label, defaults, why) => {
    expect(args(req({}), defaults)).toMatch(why);
  });

  it("checks the sweep's image instead of the YAML's, as sky applies it to every candidate", () => {
    expect(check('resources:\n  image_id: ami-0123\nrun: x\n')).toMatchObject({
      image: `ghcr.io/acme/train@${DIGEST}`,
      imageDigest: DIGEST,
    });
    const vm = checkTaskYaml('run: x\n', 'task.yaml', { allowBareVm: false, imageId: 'ami-0123' });
    expect(vm).toMatchObject({ ok: false, key: '--image-id' });
    expect(checkTaskYaml('run: x\n', 't', { allowBareVm: true, imageId: 'ami-0123' })).toMatchObject({
      ok: true,
      image: null,
    });
  });
});

describe('log lines from sky', () => {
  it('lose the process prefix and colours, keep what the program printed', () => {
    const log = [
      '├── Waiting for task resources on 1 node.',
      '\u001b[36m(sw-llm-0a1b2c3d, pid=2383)\u001b[0m Traceback (most recent call last):',
      '(setup pid=1999) pip install done (pid=7 in a message stays)',
      "(worker1, rank=1, pid=2383, ip=10.0.0.2) ModuleNotFoundError: No module named 'timm'",
    ].join('\n');
    expect(stripSkyLogPrefixes(log)).toBe(
      [
        '├── Waiting for task resources on 1 node.',
        'Traceback (most recent call last):',
        'pip install done (pid=7 in a message stays)',
        "ModuleNotFoundError: No module named 'timm'",
      ].join('\n'),
    );
  });
});
