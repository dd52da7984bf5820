/**
 * The runner killed (SIGKILL) in the two windows where the cluster or GitHub has done something
 * the manifest does not know yet: after a submission and before its manifest save, and after an
 * issue was created and before its manifest save. The Action runs through main() in a child
 * process (real SSH to the lab, real Slurm, the fake GitHub in this process); the next run, in
 * this process, must recover: the job adopted by its name and not submitted again, the issue
 * found by its marker and not filed again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { latestAttempt } from '../../src/core/manifest-model.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import { duplicateIssues, duplicates } from '../helpers/reliability/invariants.js';
import { labAction, labSweepYaml } from '../helpers/reliability/lab-action.js';
import { type LabWorld, openLabWorld, waitFor } from '../helpers/reliability/lab-world.js';
import { type ClassSpec, noProblems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';

const rec = recorder(import.meta.url);
const CHILD = resolve(dirname(fileURLToPath(import.meta.url)), '../helpers/reliability/crash-child.ts');
let gh: FakeGitHub;
let world: LabWorld;
const experiments: string[] = [];

beforeAll(async () => {
  gh = await startFakeGitHub();
  world = await openLabWorld('swkill');
});
afterEach(() => gh.expectNoViolations());
afterAll(async () => {
  await world?.close(experiments);
  await gh?.close();
  writeReliabilityReport();
});

const spec = (klass: string, expected: string): ClassSpec => ({
  area: 'Process',
  klass,
  against: 'main() in a child process, SIGKILLed; real lab + fake GitHub',
  expected,
});

/** A lab sweep run through main() here, plus runs in a child killed with SIGKILL at `crash`. */
function scenario(tag: string, yaml: (experiment: string) => string) {
  const s = labAction(gh, world, tag, yaml);
  experiments.push(s.experiment);
  const killedAt = (mode: string, crash: string) =>
    new Promise<string>((done, fail) => {
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD], {
        env: {
          ...process.env,
          SWCHILD_INPUTS: JSON.stringify({ ...s.inputs, mode }),
          SWCHILD_CRASH: crash,
          SWCHILD_SWEEP: s.file,
          SWCHILD_API: gh.url,
          SWCHILD_REPO: s.repoName,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const checkpoint = /CHECKPOINT (.+)\n/.exec(out)?.[1];
        if (checkpoint !== undefined && child.exitCode === null) {
          child.kill('SIGKILL');
          done(checkpoint);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.on('exit', (_code, signal) => {
        clearTimeout(timer);
        if (signal !== 'SIGKILL') fail(new Error(`the child ended without reaching ${crash}:\n${out}`));
      });
    });
  return { ...s, killedAt };
}

const sweepYaml = (partition: string, command: string[], levels: number[]) =>
  labSweepYaml(world, partition, command, { seed: levels });

describe('the runner killed mid-run', () => {
  it('between a submission and its manifest save: the next launch adopts the job, none is submitted twice', async () => {
    const s = scenario('kill-submit', sweepYaml(world.lab.partitions.down, ['sleep', '600'], [1, 2, 3, 4]));
    const checkpoint = await s.killedAt('launch', 'after-submit:2');
    const orphan = /^submitted (\d+)$/.exec(checkpoint)?.[1];
    const cut = s.state();
    const healed = await s.action('launch');
    const after = s.state();
    const onCluster = await world.jobsOf(s.experiment);
    const problems = noProblems();
    problems.duplicate.push(
      ...duplicates(
        [...onCluster].flatMap(([n, ids]) => ids.map(() => n)),
        'job',
      ),
    );
    if (onCluster.size !== 4) problems.lost.push(`${onCluster.size} of 4 conditions on the cluster`);
    const recorded = (after?.conditions ?? []).map((c) => latestAttempt(c)?.jobId ?? null);
    if (orphan === undefined || !recorded.includes(orphan))
      problems.lost.push(`the orphan job ${orphan} was not adopted`);
    if (recorded.includes(null)) problems.lost.push('a condition without a job id');
    if (cut?.conditions.some((c) => latestAttempt(c)?.phase === 'submitting') !== true)
      problems.crash.push('the kill did not land between submission and save');
    if (healed.failed !== undefined) problems.crash.push(`the next launch failed: ${healed.failed}`);
    expect(
      rec.check(
        spec('SIGKILL between submission and manifest save', 'next launch adopts the job by its scoped name'),
        problems,
      ),
    ).toEqual(noProblems());
  });

  it('between creating an issue and its manifest save: the next tick finds it by its marker, files nothing twice', async () => {
    const failing = ['python3', '-c', "cfg = {'lr': 0.1}\nprint('epoch 1', flush=True)\ncfg['temperature']"];
    const s = scenario('kill-issue', sweepYaml(world.lab.partitions.default, failing, [1, 2]));
    const launched = await s.action('launch');
    expect(launched.outputs['reason-code'], launched.summary).toBe('launched');
    const ids = (s.state()?.conditions ?? []).map((c) => latestAttempt(c)?.jobId ?? '');
    await waitFor(world, ids, (state) => state === 'FAILED', 120_000);
    const checkpoint = await s.killedAt('tick', 'after-issue');
    const cut = s.state();
    const healed = await s.action('tick');
    const after = s.state();
    const issues = [...s.repo().issues.values()].filter((i) =>
      i.labels.some((l) => l.startsWith('root-cause:')),
    );
    const problems = noProblems();
    problems.duplicate.push(...duplicateIssues(issues));
    if (issues.length !== 1) problems.duplicate.push(`${issues.length} issues filed`);
    const number = Number(/^issue (\d+)$/.exec(checkpoint)?.[1]);
    if (Object.keys(cut?.issues ?? {}).length > 0)
      problems.crash.push('the kill did not land before the save');
    if (!Object.values(after?.issues ?? {}).includes(number))
      problems.lost.push(`issue #${number} not recorded`);
    if (healed.failed !== undefined) problems.crash.push(`the next tick failed: ${healed.failed}`);
    expect(
      rec.check(
        spec(
          'SIGKILL between issue creation and manifest save',
          'next tick finds the issue by its hidden marker',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });
});
