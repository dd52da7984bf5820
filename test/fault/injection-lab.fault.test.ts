/**
 * Shell metacharacters in factor levels, condition filters and comment arguments, run over REAL
 * SSH on the lab through main(): every hostile text would, if it ever reached a shell unquoted,
 * create a canary file. None may exist afterwards, the jobs must have received each level as
 * one literal argument (and environment value), and a filter naming a hostile level must cancel
 * exactly that condition's job.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { latestAttempt } from '../../src/core/manifest-model.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import { type LabAction, labAction } from '../helpers/reliability/lab-action.js';
import { type LabWorld, openLabWorld, waitFor } from '../helpers/reliability/lab-world.js';
import { type ClassSpec, noProblems, type Problems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';
import { webhookExamples } from '../helpers/webhooks.js';

const rec = recorder(import.meta.url);
let gh: FakeGitHub;
let world: LabWorld;
const experiments: string[] = [];

beforeAll(async () => {
  gh = await startFakeGitHub();
  world = await openLabWorld('swinject');
  await world.transport.exec(['mkdir', '-p', `${world.dir}/canary`]);
});
afterEach(() => gh.expectNoViolations());
afterAll(async () => {
  await world?.close(experiments);
  await gh?.close();
  writeReliabilityReport();
});

const spec = (klass: string, expected: string): ClassSpec => ({
  area: 'Injection',
  klass,
  against: 'real SSH to the lab, through main()',
  expected,
});

/** Hostile levels; the nth one, run by a shell, creates canary/<n>. */
function hostile(): string[] {
  const c = (n: number) => `${world.dir}/canary/${n}`;
  return [
    `$(touch$IFS${c(1)})`,
    `\`touch$IFS${c(2)}\``,
    `;touch$IFS${c(3)};`,
    `|touch$IFS${c(4)}`,
    `&&touch$IFS${c(5)}`,
    `'$(touch$IFS${c(6)})'`,
    `"$(touch$IFS${c(7)})"`,
    `>${c(8)}`,
    `x\ntouch$IFS${c(9)}`,
    `--wrap=touch$IFS${c(10)}`,
  ];
}

async function canaries(): Promise<string[]> {
  const ls = await world.transport.exec(['ls', '-A', `${world.dir}/canary`]);
  return ls.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((f) => `canary ${f} was created: a level ran in a shell`);
}

function sweep(tag: string, partition: string): LabAction {
  const levels = hostile();
  // The job prints its argument and its environment value: both must be the level, verbatim.
  const s = labAction(
    gh,
    world,
    tag,
    (experiment) => `experiment: ${experiment}
scheduler: slurm
factors:
  level: ${JSON.stringify(levels)}
template:
  command: [sh, -c, 'printf "<%s|%s>" "$0" "$LEVEL"', '{level}']
  env: {LEVEL: '{level}'}
  workdir: ${world.dir}
  log_dir: ${world.dir}/logs
  resources: {time: 5, memory: 100M, cpus: 1, partition: ${partition}}
`,
  );
  experiments.push(s.experiment);
  return s;
}

/** An issue_comment event from a writer, as GitHub would send it. */
function comment(s: LabAction, body: string, id: number) {
  const repo = s.repo();
  repo.setPermission('writer', 'write');
  const issue = repo.seedIssue({ title: 'sweep', user: 'writer' });
  const now = new Date().toISOString();
  repo.comments.set(id, {
    id,
    issueNumber: issue.number,
    body,
    user: 'writer',
    createdAt: now,
    updatedAt: now,
  });
  const [example] = webhookExamples('issue_comment', 'created');
  return {
    name: 'issue_comment',
    payload: {
      ...example,
      issue: { ...(example?.issue as object), number: issue.number, pull_request: undefined },
      comment: { ...(example?.comment as object), id, body, user: { login: 'writer', type: 'User' } },
    },
  };
}

describe('shell metacharacters over real SSH', () => {
  it('factor levels reach the job as literal arguments and environment values, never as shell', async () => {
    const s = sweep('inj-run', world.lab.partitions.default);
    const launched = await s.action('launch');
    expect(launched.outputs['reason-code'], launched.summary).toBe('launched');
    const attempts = (s.state()?.conditions ?? []).map((c) => ({
      level: String(c.values.level),
      a: latestAttempt(c),
    }));
    // The lab is shared: the jobs may queue behind other suites' before they run.
    await waitFor(
      world,
      attempts.map((x) => x.a?.jobId ?? ''),
      (st) => st === 'COMPLETED',
      280_000,
    );
    const problems: Problems = noProblems();
    for (const { level, a } of attempts) {
      const out = await world.transport.exec(['cat', a?.stdoutPath ?? '/nonexistent']);
      if (out.stdout !== `<${level}|${level}>`)
        problems.leak.push(`job for ${JSON.stringify(level)} printed ${JSON.stringify(out.stdout)}`);
    }
    await s.action('tick');
    problems.leak.push(...(await canaries()));
    expect(
      rec.check(
        spec(
          'factor levels with shell metacharacters',
          'one literal argv element and env value each; no canary',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  }, 300_000);

  it('condition filters and comment arguments with metacharacters cancel exactly their condition, and run nothing', async () => {
    const s = sweep('inj-cmd', world.lab.partitions.down);
    expect((await s.action('launch')).outputs['reason-code']).toBe('launched');
    const jobOf = (level: string) => {
      const c = s.state()?.conditions.find((x) => x.values.level === level);
      return (c === undefined ? null : latestAttempt(c)?.jobId) ?? '';
    };
    const problems: Problems = noProblems();
    // Filters cannot hold whitespace, commas or `=`: those levels are reached by the others.
    const targets = hostile().filter((l) => !/[\s,=]/.test(l));
    let id = 9000;
    for (const level of targets.slice(0, 4)) {
      const r = await s.action('', comment(s, `/sweepwatch cancel level=${level}`, ++id));
      if (r.outputs['reason-code'] !== 'command_done')
        problems.crash.push(`cancel ${level}: ${r.outputs['reason-code']}`);
    }
    // Arguments that are not levels at all: refused as data, never run.
    for (const body of [
      `/sweepwatch explain $(touch$IFS${world.dir}/canary/x1)`,
      `/sweepwatch relaunch level=;touch$IFS${world.dir}/canary/x2 --dry-run`,
    ]) {
      await s.action('', comment(s, body, ++id));
    }
    const all = hostile().map(jobOf);
    const truth = await world.truth(all);
    for (const level of hostile()) {
      const want = targets.slice(0, 4).includes(level) ? 'CANCELLED' : 'PENDING';
      const got = truth.get(jobOf(level));
      if (got !== want) problems.leak.push(`${JSON.stringify(level)}: ${got}, expected ${want}`);
    }
    problems.leak.push(...(await canaries()));
    expect(
      rec.check(
        spec(
          'filters and comment arguments with shell metacharacters',
          'matched as data: exactly the named condition cancelled; no canary',
        ),
        problems,
      ),
    ).toEqual(noProblems());
  });
});
