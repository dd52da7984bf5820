/**
 * A 2 × 2 × 3 sweep (model × loss × seed = 12 conditions) with every fake port wired, for the
 * use-case tests. `policy` is YAML for the sweep file's policy block.
 */
import { launch } from '../../src/app/launch.js';
import { type TickInput, tick } from '../../src/app/tick.js';
import { parseSweepConfig, type SweepConfig } from '../../src/config/sweep-config.js';
import { levelText } from '../../src/core/conditions.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import {
  createFakeClock,
  createFakeDispatcher,
  createFakeFiles,
  createFakeIssues,
  type FakeClock,
  type FakeDispatcher,
  type FakeFiles,
  type FakeIssues,
} from './fake-ports.js';
import { createFakeScheduler, type FakeScheduler } from './fake-scheduler.js';
import { createMemoryStore, type MemoryStore } from './memory-store.js';

export function sweepYaml(policy = ''): string {
  return `experiment: calib
scheduler: slurm
factors:
  model: [vit, resnet]
  loss: [ce, focal]
  seed: [1, 2, 3]
template:
  command: [python, train.py, --model, '{model}', --loss, '{loss}', --seed, '{seed}']
  env: {RUN_NAME: '{job_name}'}
  log_dir: /scratch/alice/logs
  resources: {time: 60, memory: 16G, cpus: 4, gpus: 1, partition: gpu}
outputs:
  expected: ['results/{model}-{loss}-{seed}/metrics.json']
${policy === '' ? '' : `policy:\n${policy.replace(/^/gm, '  ')}\n`}`;
}

export function sweepConfig(policy = ''): SweepConfig {
  return parseSweepConfig(sweepYaml(policy), 'sweepwatch.yml');
}

export interface Harness {
  readonly config: SweepConfig;
  readonly scheduler: FakeScheduler;
  readonly store: MemoryStore;
  readonly issues: FakeIssues;
  readonly dispatcher: FakeDispatcher;
  readonly clock: FakeClock;
  readonly files: FakeFiles;
  /** No backoff between save rounds. */
  readonly saveOptions: { readonly sleep: () => Promise<void> };
}

export function harness(policy = ''): Harness {
  return {
    config: sweepConfig(policy),
    scheduler: createFakeScheduler(),
    store: createMemoryStore(),
    issues: createFakeIssues(),
    dispatcher: createFakeDispatcher(),
    clock: createFakeClock(),
    files: createFakeFiles(),
    saveOptions: { sleep: async () => {} },
  };
}

export const DIGEST = 'git:1111111';
export const FIXED_DIGEST = 'git:2222222';

/** ISO time `seconds` before the harness clock's now. */
export function ago(h: Harness, seconds: number): string {
  return new Date(h.clock.now().getTime() - seconds * 1000).toISOString();
}

export const OOM_LOG = [
  'Epoch 3:  45%|████▌     | 450/1000 [10:02<12:15,  1.34s/it]',
  'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free.',
].join('\n');

export const CODE_ERROR_LOG = [
  'Traceback (most recent call last):',
  '  File "/home/alice/calib/train.py", line 42, in main',
  "    scale = cfg['temperature']",
  "KeyError: 'temperature'",
].join('\n');

export const ENV_IMPORT_LOG = [
  'Traceback (most recent call last):',
  '  File "/home/alice/calib/train.py", line 3, in <module>',
  '    import timm',
  "ModuleNotFoundError: No module named 'timm'",
].join('\n');

/** Launches the sweep through the real use case (12 jobs, PENDING on the fake cluster). */
export async function launched(h: Harness): Promise<void> {
  await launch(
    { store: h.store, scheduler: h.scheduler, clock: h.clock, saveOptions: h.saveOptions },
    { config: h.config, digest: DIGEST, requestedBy: 'alice' },
  );
}

export const RELAUNCH_WORKFLOW = { workflowFile: 'sweepwatch-relaunch.yml', ref: 'main' } as const;

export function runTick(h: Harness, input: Partial<TickInput> = {}) {
  return tick(
    {
      store: h.store,
      scheduler: h.scheduler,
      issues: h.issues,
      dispatcher: h.dispatcher,
      clock: h.clock,
      saveOptions: h.saveOptions,
    },
    { config: h.config, relaunchWorkflow: RELAUNCH_WORKFLOW, ...input },
  );
}

/** Job ids of the latest attempts of the conditions matching every given level. */
export function jobsWhere(h: Harness, match: Readonly<Record<string, string>> = {}): string[] {
  const m = h.store.current();
  if (m === null) throw new Error('no manifest');
  return m.conditions
    .filter((c) => Object.entries(match).every(([k, v]) => levelText(c.values[k] ?? '') === v))
    .map((c) => latestAttempt(c)?.jobId ?? '')
    .filter((id) => id !== '');
}

/** A job that failed `elapsed` seconds into its run, `endedAgo` seconds ago. */
export function fail(h: Harness, jobId: string, log: string, elapsed = 600, endedAgo = 100) {
  h.scheduler.set(jobId, 'FAILED', {
    exit: { code: 1, signal: null },
    startedAt: ago(h, endedAgo + elapsed),
    endedAt: ago(h, endedAgo),
    elapsedSeconds: elapsed,
    log,
  });
}

export function succeed(h: Harness, jobId: string) {
  h.scheduler.set(jobId, 'COMPLETED', {
    exit: { code: 0, signal: null },
    startedAt: ago(h, 4000),
    endedAt: ago(h, 400),
    elapsedSeconds: 3600,
  });
}

/** All terminal: vit ran out of memory (a relaunch to dispatch), two resnet × ce hit a code error. */
export async function failedBatch(h: Harness): Promise<void> {
  await launched(h);
  for (const id of jobsWhere(h, { model: 'vit' })) fail(h, id, OOM_LOG);
  const codeErrors = jobsWhere(h, { model: 'resnet', loss: 'ce' }).slice(0, 2);
  for (const id of codeErrors) fail(h, id, CODE_ERROR_LOG, 30);
  for (const id of jobsWhere(h, { model: 'resnet' }).filter((id) => !codeErrors.includes(id))) succeed(h, id);
}
