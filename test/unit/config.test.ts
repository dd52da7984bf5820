import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { renderJob } from '../../src/config/render-job.js';
import { SECRET_HOME } from '../../src/config/secrets.js';
import { factorialOf, loadSweepConfig, parseSweepConfig } from '../../src/config/sweep-config.js';
import { expandConditions } from '../../src/core/conditions.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';

const fixture = (name: string) => `test/fixtures/config/${name}`;

/** A valid file; each bad case below changes one thing in it. */
const BASE = `experiment: cifar
scheduler:
  type: slurm
  host: login.example.edu
factors:
  model: [vit, resnet]
  fold: [0, 1]
template:
  command: [python, train.py]
  args: [--model, '{model}', --fold, '{fold}']
outputs:
  expected: ['results/{condition}/metrics.json']
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

describe('the example sweep files', () => {
  it('reads the full Slurm example into a typed config, policy merged over the defaults', async () => {
    const config = await loadSweepConfig(fixture('slurm-full.yml'));
    expect(config.experiment).toBe('cifar100-calib');
    expect(config.scheduler).toEqual({
      kind: 'slurm',
      host: 'login.cluster.example.edu',
      port: 22,
      user: 'alice',
      jumpHosts: [{ host: 'bastion.example.edu', port: 2222, user: 'alice' }],
      connectTimeoutSeconds: 20,
      skyCommand: null,
      taskYaml: null,
      allowBareVm: false,
    });
    expect(config.factors.map((f) => f.name)).toEqual(['model', 'loss', 'calib', 'fold']);
    expect(config.template.resources).toMatchObject({ timeMinutes: 120, memoryMb: 16_384, gpus: 'a100:1' });
    expect(config.policy).toEqual({
      ...DEFAULT_POLICY,
      bands: { watch: 0.05, intervene: 0.2 },
      killSwitch: { identical: 5, windowSeconds: 600 },
      maxRelaunchCycles: 1,
      autoRelaunch: false,
      actions: { ...DEFAULT_POLICY.actions, crash: 'issue', distributed: 'relaunch_escalated' },
      escalation: { memoryFactor: 1.5, maxMemoryMb: 262_144, timeFactor: 2, maxTimeMinutes: 2880 },
      hardStops: { configShare: 0.3, minCount: 5 },
      pending: { heldPatienceSeconds: 7200 },
      cadence: { ...DEFAULT_POLICY.cadence, running: [120, 300] },
    });
    expect(config.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // 3 × 2 × 2 × 5 = 60, minus resnet50 × focal (10), plus one ViT-L run.
    expect(expandConditions(factorialOf(config))).toHaveLength(51);
  });

  it('renders one condition into argv, outputs and resources', async () => {
    const config = await loadSweepConfig(fixture('skypilot-minimal.yml'));
    const [first] = expandConditions(factorialOf(config));
    if (first === undefined) throw new Error('no condition');
    expect(renderJob(config, first)).toEqual({
      jobName: first.jobName,
      argv: ['scripts/train.sh', '--lr', '0.0003', '--warmup', 'false', '--run', first.jobName],
      env: {},
      workdir: null,
      logDir: null,
      expectedOutputs: ['out/lr=0.0003,warmup=false/eval.json'],
      resources: expect.objectContaining({
        timeMinutes: 90,
        skypilot: expect.objectContaining({ useSpot: true }),
      }),
    });
    expect(config.policy).toEqual(DEFAULT_POLICY);
  });

  it('reads the local demo with no connection at all', async () => {
    const config = await loadSweepConfig(fixture('local-demo.yml'));
    expect(config.scheduler.host).toBeNull();
    expect(config.template.resources.memoryMb).toBe(512);
  });

  it('says how to proceed when the file is missing', async () => {
    await expect(loadSweepConfig('no/such/sweepwatch.yml')).rejects.toThrow(
      'no/such/sweepwatch.yml: cannot read the sweep file (not found); create it or pass its path',
    );
  });
});

describe('a bad sweep file gets one exact message per problem', () => {
  it('tells where secrets go instead', () => {
    expect(SECRET_HOME).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the GitHub expression the user copies.
      'pass it as an action input from a repository secret (e.g. `ssh_private_key: ${{ secrets.CLUSTER_SSH_KEY }}`) or, for the CLI, through an environment variable or your ssh-agent',
    );
  });

  it.each([
    [
      'a typo in a policy key gets a suggestion',
      `${BASE}policy:\n  bandz: {watch: 0.1}\n`,
      [
        'sweep.yml:14: policy.bandz: unknown key (did you mean "bands"?); known keys: bands, kill_switch, max_relaunch_cycles, auto_relaunch, canary, actions, escalation, hard_stops, pending, cadence',
      ],
    ],
    [
      'a truncated key gets the full one',
      `${BASE}policy:\n  kill_switch: {window: 60}\n`,
      [
        'sweep.yml:14: policy.kill_switch.window: unknown key (did you mean "window_seconds"?); known keys: identical, window_seconds',
      ],
    ],
    [
      'a typo in a root cause gets a suggestion',
      `${BASE}policy:\n  actions: {gpu_om: relaunch}\n`,
      [
        expect.stringMatching(
          /^sweep\.yml:14: policy\.actions\.gpu_om: unknown key \(did you mean "gpu_oom"\?\)/,
        ),
      ],
    ],
    [
      'a wrong type shows the value',
      `${BASE}policy:\n  bands: {watch: lots}\n`,
      ['sweep.yml:14: policy.bands.watch: expected a number, got the string "lots"'],
    ],
    [
      'an out-of-range number shows the bound',
      `${BASE}policy:\n  max_relaunch_cycles: 3\n`,
      [
        'sweep.yml:14: policy.max_relaunch_cycles: sweepwatch relaunches at most 2 cycles; a third rarely helps and doubles the spend',
      ],
    ],
    [
      'an empty factor',
      BASE.replace('fold: [0, 1]', 'fold: []'),
      ['sweep.yml:7: factors.fold: a factor needs at least one level'],
    ],
    [
      'a duplicated level',
      BASE.replace('fold: [0, 1]', "fold: [1, '1']"),
      ['sweep.yml:7: factors.fold[1]: duplicate level "1" (same as level 0); ids compare levels as text'],
    ],
    [
      'an unknown placeholder names the factors',
      BASE.replace("'{model}'", "'{modle}'"),
      [
        'sweep.yml:10: template.args[1]: unknown placeholder {modle} (did you mean "model"?); factors: model, fold; built-ins: condition, experiment, job_name (write {{ and }} for literal braces)',
      ],
    ],
    [
      'an unquoted placeholder in a list',
      BASE.replace("'{model}'", '{model}'),
      [
        "sweep.yml:10: template.args[1]: expected a string, got a mapping (quote values with {placeholders} inside [ ] or after '- ': '{model}')",
      ],
    ],
    [
      'a YAML syntax error points at its line',
      BASE.replace(
        "expected: ['results/{condition}/metrics.json']",
        'expected: [results/{condition}/metrics.json]',
      ),
      [
        "sweep.yml:12: YAML syntax: Missing , or : between flow sequence items (quote values with {placeholders} inside [ ] or after '- ': '{model}')",
        expect.stringMatching(/^sweep\.yml:12: YAML syntax: /),
      ],
    ],
    [
      'a private key in the scheduler block says where it goes',
      BASE.replace('  host: login.example.edu\n', '  host: login.example.edu\n  private_key: abc\n'),
      [
        `sweep.yml:5: scheduler.private_key: looks like a secret; secrets never go in the sweep file: ${SECRET_HOME}`,
      ],
    ],
    [
      'a token in the job environment',
      BASE.replace('outputs:', '  env: {HF_TOKEN: hf_abc}\noutputs:'),
      [
        "sweep.yml:11: template.env.HF_TOKEN: looks like a secret, and this file is committed with your repository; export it in the cluster's environment (or a secrets manager) and jobs inherit it; do not list it here",
      ],
    ],
    [
      'a shell string as the command',
      BASE.replace('command: [python, train.py]', "command: 'python train.py'"),
      [
        'sweep.yml:9: template.command: looks like a command line; sweepwatch never runs shell strings, write it as a list: [python, train.py]',
      ],
    ],
    [
      'an output path shared by every condition',
      BASE.replace('results/{condition}/metrics.json', 'results/metrics.json'),
      [
        'sweep.yml:12: outputs.expected[0]: every condition would check the same file; include {condition} (or every factor) in the path',
      ],
    ],
    [
      'a Slurm setting on another scheduler',
      BASE.replace(
        'type: slurm\n  host: login.example.edu',
        'type: skypilot\n  task_yaml: task.yaml',
      ).replace('outputs:', '  resources: {partition: gpu}\noutputs:'),
      ['sweep.yml:11: template.resources.partition: is a Slurm setting; the scheduler is skypilot'],
    ],
    [
      'a misspelled scheduler',
      BASE.replace('type: slurm', 'type: slurmm'),
      [
        'sweep.yml:3: scheduler.type: must be one of slurm, skypilot, local, got the string "slurmm" (did you mean "slurm"?)',
      ],
    ],
    [
      'an exclude that names a missing level',
      `${BASE}exclude:\n  - {model: vitt}\n`,
      [
        'sweep.yml:14: exclude[0].model: "vitt" is not a level of model, so this entry excludes nothing (did you mean "vit"?)',
      ],
    ],
    ['an empty file', '# nothing yet\n', ['sweep.yml: the sweep file is empty']],
  ])('%s', (_name, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });

  it('collects every problem in one error, in file order', () => {
    const text = BASE.replace('experiment: cifar', 'experiment: Cifar Sweep').replace(
      'fold: [0, 1]',
      'fold: []',
    );
    expect(issuesOf(text)).toEqual([
      'sweep.yml:1: experiment: expected a slug: lower-case letters, digits, ".", "_" and "-", at most 64 characters, got the string "Cifar Sweep"',
      'sweep.yml:7: factors.fold: a factor needs at least one level',
    ]);
  });

  it('exposes the issues as data for the action summary', () => {
    try {
      parseSweepConfig(`${BASE}policy:\n  bandz: {}\n`, 'sweep.yml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      if (!(error instanceof ConfigError)) return;
      expect(error.source).toBe('sweep.yml');
      expect(error.issues).toEqual([
        { path: 'policy.bandz', message: expect.stringContaining('did you mean'), line: 14 },
      ]);
    }
  });
});

describe('quantities', () => {
  const withResources = (resources: string) =>
    BASE.replace('outputs:', `  resources: ${resources}\noutputs:`);
  it.each([
    ["{time: '02:00:00', memory: 16G}", 120, 16_384],
    ['{time: 90, memory: 512}', 90, 512],
    ["{time: '1-12:00:00', memory: 1.5T}", 2160, 1_572_864],
    ['{time: 2h30m, memory: 800MB}', 150, 800],
    ["{time: '45:30', memory: 2GiB}", 46, 2048],
  ])('%s → %i minutes, %i MB', (resources, minutes, mb) => {
    const config = parseSweepConfig(withResources(resources), 'sweep.yml');
    expect(config.template.resources.timeMinutes).toBe(minutes);
    expect(config.template.resources.memoryMb).toBe(mb);
  });

  it('parses the fixtures without touching them', () => {
    const before = readFileSync(fixture('slurm-full.yml'));
    parseSweepConfig(before.toString('utf8'), fixture('slurm-full.yml'));
    expect(readFileSync(fixture('slurm-full.yml')).equals(before)).toBe(true);
  });
});
