import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildLaunchArgs,
  launchRejection,
  parseLaunchJobId,
  taskSource,
} from '../../src/adapters/skypilot/launch.js';
import { checkTaskYaml, type TaskCheck } from '../../src/adapters/skypilot/task-yaml.js';
import type { SubmitRequest } from '../../src/ports/scheduler.js';

const fixture = (name: string) => readFileSync(resolve(__dirname, '../fixtures/skypilot', name), 'utf8');
const DIGEST = `sha256:${'0f'.repeat(32)}`;
const pinned = (extra = '') => `resources:\n  image_id: docker:ghcr.io/a/b@${DIGEST}\n${extra}run: echo\n`;
const okCheck = (text: string): TaskCheck & { ok: true } => {
  const c = checkTaskYaml(text, 'task.yaml', { allowBareVm: false });
  if (!c.ok) throw new Error(c.message);
  return c;
};

describe('task YAML preflight', () => {
  it('accepts a pinned container image and records its digest', () => {
    expect(okCheck(pinned())).toMatchObject({
      image: `ghcr.io/a/b@${DIGEST}`,
      imageDigest: DIGEST,
      warnings: [],
    });
  });

  it('warns about an image pinned by tag only', () => {
    const c = okCheck('resources:\n  image_id: docker:pytorch/pytorch:2.3.0\nrun: x\n');
    expect(c.imageDigest).toBeUndefined();
    expect(c.warnings[0]).toMatch(/pinned by tag, not by digest/);
  });

  it.each([
    ['no image', 'resources:\n  cloud: aws\nrun: x\n', 'resources.image_id is not set'],
    ['no resources at all', 'run: x\n', 'resources.image_id is not set'],
    [
      'a VM image',
      'resources:\n  image_id: ami-0123\nrun: x\n',
      "resources.image_id is 'ami-0123', a VM image",
    ],
    [
      'a per-region VM map',
      'resources:\n  image_id:\n    us-east-1: ami-1\nrun: x\n',
      'resources.image_id is a per-region map',
    ],
    [
      'one any_of candidate overriding with a VM image',
      `resources:\n  image_id: docker:a@${DIGEST}\n  any_of:\n    - cloud: aws\n    - cloud: gcp\n      image_id: projects/x/images/y\nrun: x\n`,
      'resources.any_of[1].image_id is',
    ],
    [
      'the second task of a pipeline',
      `name: pipe\n---\n${pinned()}---\nrun: y\n`,
      'task 2: resources.image_id is not set',
    ],
  ])('refuses %s, naming the file and the key', (_label, text, words) => {
    const c = checkTaskYaml(text, '/home/alice/task.yaml', { allowBareVm: false });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.message).toContain(`/home/alice/task.yaml: ${words}`);
      expect(c.message).toContain('scheduler.allow_bare_vm: true');
    }
  });

  it('allows bare VMs only when told so', () => {
    expect(checkTaskYaml('run: x\n', 't.yaml', { allowBareVm: true })).toMatchObject({
      ok: true,
      image: null,
    });
  });

  it('refuses invalid YAML', () => {
    expect(checkTaskYaml('resources: [unclosed\n', 't.yaml', { allowBareVm: true }).ok).toBe(false);
  });
});

describe('sky jobs launch argv', () => {
  const req = (over: Partial<SubmitRequest> = {}): SubmitRequest => ({
    name: 'sw-exp-0a1b2c3d',
    command: { kind: 'argv', argv: ['python', 'train.py', '--name', "it's"] },
    env: { LR: '0.1', NOTE: 'a b=c' },
    ...over,
  });

  it('builds argv only: env, resources, -y -d, the YAML last', () => {
    const source = taskSource(req(), 'task.yaml');
    if (typeof source === 'string') throw new Error(source);
    const check = okCheck(pinned('  accelerators: {A100: 1}\n'));
    const args = buildLaunchArgs(
      req({ resources: { cpusPerTask: 8, memMb: 1500, gpus: 4, timeMinutes: 60 }, workdir: '/w' }),
      source,
      check,
    );
    expect(args).toEqual([
      ...['jobs', 'launch', '-n', 'sw-exp-0a1b2c3d', '--env', 'LR=0.1', '--env', 'NOTE=a b=c'],
      ...['--env', `SWEEPWATCH_COMMAND=python train.py --name 'it'\\''s'`],
      ...['--cpus', '8+', '--memory', '2+', '--gpus', 'A100:4', '--workdir=/w', '-y', '-d', 'task.yaml'],
    ]);
  });

  it('runs a .yaml command as the task itself, its args handed over as the command', () => {
    const source = taskSource(
      req({ command: { kind: 'script', path: '-odd.yaml', args: ['--x'] } }),
      undefined,
    );
    expect(source).toEqual({ yaml: './-odd.yaml', command: '--x' });
  });

  it.each([
    ['no task YAML', req(), undefined, /task YAML/],
    ['a Slurm partition', req({ resources: { partition: 'gpu' } }), 't.yaml', /Slurm setting/],
    ['an array', req({ array: '0-3' }), 't.yaml', /no job arrays/],
    ['a bad name', req({ name: 'bad name' }), 't.yaml', /invalid SkyPilot job name/],
    ['a reserved env name', req({ env: { SKYPILOT_NODE_RANK: '1' } }), 't.yaml', /reserved by SkyPilot/],
    ['a GPU count with no type', req({ resources: { gpus: 2 } }), 't.yaml', /needs an accelerator type/],
  ])('refuses %s before sending', (_label, request, yaml, why) => {
    const source = taskSource(request, yaml);
    const result = typeof source === 'string' ? source : buildLaunchArgs(request, source, okCheck(pinned()));
    expect(result).toMatch(why);
  });

  it('reads the job id of every version', () => {
    expect(parseLaunchJobId(fixture('launch-v0.6.stdout.txt'), '')).toBe('5');
    expect(parseLaunchJobId(fixture('launch-v0.10.stdout.txt'), '')).toBe('17');
    expect(parseLaunchJobId('', fixture('launch-v0.13.stdout.txt'))).toBe('41');
    expect(parseLaunchJobId(fixture('launch-pool-v0.13.stdout.txt'), '')).toBe('42');
    expect(parseLaunchJobId('Launching…\n', '')).toBeUndefined();
  });

  it("keeps sky's words for a refusal", () => {
    const stderr =
      'Traceback (most recent call last):\n  File "x.py", line 1\nsky.exceptions.ResourcesUnavailableError: Catalog does not contain any instances satisfying the request: 1x AWS({\'H100\': 9}).\n';
    expect(launchRejection('', stderr, 1)).toBe(
      "sky.exceptions.ResourcesUnavailableError: Catalog does not contain any instances satisfying the request: 1x AWS({'H100': 9}).",
    );
    expect(launchRejection('', '', 3)).toMatch(/exited 3 without a message/);
  });
});
