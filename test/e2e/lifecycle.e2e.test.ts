/**
 * The whole lifecycle end to end on the bundle: dist/index.js (or SWEEPWATCH_E2E_ENTRY) runs
 * under a real Node 24 as the runner runs it, against the fake GitHub (every request checked
 * against GitHub's OpenAPI description) and the REAL lab over real SSH. 12 conditions: some
 * really run out of memory, some really time out, one really crashes; sweepwatch files one
 * issue for the crash, relaunches only the OOMs (memory ×2) and timeouts (time ×1.5) in one
 * cycle, watches them complete, and refuses a second cycle (F4).
 *
 * The steps share state and run in order; each has its own bounded wait. About 4 minutes,
 * dominated by Slurm's 1-minute time-limit resolution (two waits of ~90 and ~105 s).
 *
 *   SWEEPWATCH_E2E_ENTRY=.dist-e2e/index.js npx vitest run --project e2e test/e2e/lifecycle.e2e.test.ts
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_KEYS } from '../../src/action/io.js';
import { type ActionEvent, type ActionRun, runActionAsync } from '../helpers/action-run.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import {
  type AcctRow,
  cancelByPrefix,
  EXPECTED,
  JOB_PY,
  putFile,
  sacctUntil,
  scontrolJob,
  squeueByPrefix,
  sweepYaml,
} from '../helpers/lifecycle/lab-sweep.js';
import { node24 } from '../helpers/node24.js';
import { openSlurmSession, type SlurmSession } from '../helpers/slurm-session.js';

const ENTRY = process.env.SWEEPWATCH_E2E_ENTRY ?? 'dist/index.js';
/** Set it to a folder to keep every run's outputs, summary and log there. */
const ARTIFACTS = process.env.SWEEPWATCH_E2E_ARTIFACTS;
const OWNER = 'octo-org';
const REPO = 'sweeps';
/** The same commit for every run: F3 only holds back causes that need a fix, not OOM or timeout. */
const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const TICK_EVERY_MS = 10_000;
/** Cycle 0 ends ~90 s and cycle 1 ~105 s after submission on an idle lab; other tests share it. */
const TERMINAL_DEADLINE_MS = 4 * 60_000;
/** A waiting step: its deadline plus one last tick. */
const WAIT_TIMEOUT_MS = TERMINAL_DEADLINE_MS + 2 * 60_000;

interface Counts {
  total: number;
  live: number;
  succeeded: number;
  failed: number;
  [state: string]: number;
}
interface RootCauseRow {
  id: string;
  count: number;
  conditions: string[];
}
interface Submitted {
  conditionId: string;
  jobId: string;
}

let s: SlurmSession;
let gh: FakeGitHub;
let node: string;
let key: string;
let configDir: string;
let experiment: string;
let namePrefix: string;
let inputs: Record<string, string>;
const runs: { label: string; run: ActionRun }[] = [];
const timeline: string[] = [];
let t0 = Date.now();
const at = () => `${Math.round((Date.now() - t0) / 1000)} s`;
const LIVE = ['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// What the steps hand on to the next.
let launchedJobs = new Map<string, string>();
let terminal: ActionRun;
let dispatchedPayload = '';
let relaunchedJobs = new Map<string, string>();

beforeAll(async () => {
  t0 = Date.now();
  node = node24();
  gh = await startFakeGitHub();
  gh.repo(OWNER, REPO);
  s = await openSlurmSession('lc');
  expect(s.lab.cgroupMode, 'OUT_OF_MEMORY needs the lab in cgroup v1 mode').toBe('v1');
  // A per-run directory in alice's home (removed by s.close()), and an experiment named after it:
  // every job is `sw-<experiment>-<hash>`, which no other test's jobs share.
  experiment = s.prefix.slice(0, -1);
  namePrefix = `sw-${experiment}-`;
  const mk = await s.transport.exec(['mkdir', '-p', `${s.dir}/logs`]);
  expect(mk.code, mk.stderr).toBe(0);
  await putFile(s.transport, `${s.dir}/job.py`, JOB_PY);
  configDir = mkdtempSync(join(tmpdir(), 'sweepwatch-lifecycle-'));
  const config = join(configDir, 'sweepwatch.yml');
  writeFileSync(config, sweepYaml(experiment, s.dir));
  key = readFileSync(s.lab.ssh.privateKeyPath, 'utf8');
  inputs = {
    config,
    'ssh-host': s.lab.ssh.host,
    'ssh-port': String(s.lab.ssh.port),
    'ssh-user': s.lab.ssh.user,
    'ssh-private-key': key,
    'ssh-known-hosts': s.lab.ssh.knownHostsLine,
    'github-token': gh.token,
  };
});

afterAll(async () => {
  if (timeline.length > 0) console.info(`lifecycle timeline:\n  ${timeline.join('\n  ')}`);
  if (s !== undefined) {
    if (namePrefix !== undefined) await cancelByPrefix(s.transport, namePrefix).catch(() => []);
    await s.close();
  }
  await gh?.close();
  if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true });
});

async function action(label: string, event: ActionEvent): Promise<ActionRun> {
  const run = await runActionAsync(node, ENTRY, inputs, event, {
    env: {
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_SHA: SHA,
      GITHUB_ACTOR: 'octocat',
      GITHUB_REF_NAME: 'main',
    },
    timeoutMs: 120_000,
  });
  runs.push({ label, run });
  if (ARTIFACTS !== undefined) {
    // For a reader of a failed CI run: what each step wrote, minus the runner's mask commands.
    mkdirSync(ARTIFACTS, { recursive: true });
    const name = `${String(runs.length).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-')}`;
    const text = [
      `# ${label}: exit ${run.status}`,
      JSON.stringify(run.outputs, null, 2),
      run.summary,
      withoutMasks(run.stdout),
      run.stderr,
    ].join('\n\n');
    writeFileSync(join(ARTIFACTS, `${name}.md`), text);
  }
  timeline.push(
    `${at()}: ${label}: exit ${run.status}, ${run.outputs['reason-code'] ?? '(no reason-code)'}${run.outputs.health ? `, ${run.outputs.health}` : ''}`,
  );
  return run;
}

/** The log as a reader sees it: the runner swallows its own ::add-mask:: commands. */
function withoutMasks(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

/** What a reader needs when a run went wrong. */
function explain(run: ActionRun): string {
  return `exit ${run.status}\noutputs: ${JSON.stringify(run.outputs, null, 1)}\nsummary:\n${run.summary}\nstdout:\n${withoutMasks(run.stdout)}\nstderr:\n${run.stderr}`;
}

const dispatch = (command: string, payload = ''): ActionEvent => ({
  name: 'workflow_dispatch',
  payload: { inputs: payload === '' ? { command } : { command, payload } },
});
const tick = (label: string) => action(label, { name: 'schedule', payload: { schedule: '*/5 * * * *' } });

const json = <T>(text: string | undefined): T => JSON.parse(text ?? 'null') as T;
const counts = (run: ActionRun) => json<Counts>(run.outputs.counts);
const rootCauses = (run: ActionRun) => json<RootCauseRow[]>(run.outputs['root-causes']);
const failedConditions = (run: ActionRun) => json<string[]>(run.outputs['failed-conditions']).sort();
const repo = () => gh.repo(OWNER, REPO);
const filed = () =>
  [...repo().issues.values()].filter((i) => i.labels.some((l) => l.startsWith('root-cause:')));

/** Ticks every TICK_EVERY_MS until no job is live; the tick that saw it is returned. */
async function tickUntilTerminal(label: string): Promise<ActionRun> {
  const start = Date.now();
  for (let n = 1; ; n++) {
    const run = await tick(`${label} #${n}`);
    expect(run.status, explain(run)).toBe(0);
    const c = counts(run);
    if (c.live === 0) return run;
    if (Date.now() - start > TERMINAL_DEADLINE_MS) {
      const jobs = await squeueByPrefix(s.transport, namePrefix);
      throw new Error(
        `${label}: ${c.live} of ${c.total} jobs still live after ${Math.round((Date.now() - start) / 1000)} s ` +
          `(counts ${run.outputs.counts}); squeue: ${jobs.map((j) => `${j.jobId}=${j.state}`).join(' ')}`,
      );
    }
    await sleep(TICK_EVERY_MS);
  }
}

function submittedOf(run: ActionRun): Map<string, string> {
  const details = json<{ details: { submitted: Submitted[] } }>(run.outputs.result).details;
  return new Map(details.submitted.map((x) => [x.conditionId, x.jobId]));
}

/** The limits a relaunched condition must run under: the template's 60M and 1 min, one escalated. */
function escalated(condition: string): { memory: string; time: string } {
  return EXPECTED.oom.includes(condition)
    ? { memory: '120M', time: '00:01:00' }
    : { memory: '60M', time: '00:02:00' };
}

describe.sequential('a sweep’s whole life on the bundle, the real lab and the fake GitHub', () => {
  it('launch: submits all 12 conditions, which Slurm then holds', async () => {
    const run = await action('launch', dispatch('launch'));
    expect(run.status, explain(run)).toBe(0);
    expect(run.outputs['reason-code']).toBe('launched');
    expect(run.outputs['manifest-path']).toBe(`sweepwatch-state:sweepwatch/${experiment}.json`);
    launchedJobs = submittedOf(run);
    expect(launchedJobs.size).toBe(12);

    const queued = await squeueByPrefix(s.transport, namePrefix);
    expect(queued.map((j) => j.jobId).sort()).toEqual([...launchedJobs.values()].sort());
    // The manifest is on the state branch, as the Git Data API left it.
    const manifest = repo().readFile('sweepwatch-state', `sweepwatch/${experiment}.json`);
    expect(manifest).toContain(EXPECTED.codeError);
  });

  it('tick while jobs run: the band, the decision and the status table, and no intervention yet', async () => {
    const run = await tick('tick (running)');
    expect(run.status, explain(run)).toBe(0);
    expect(Object.keys(run.outputs).sort()).toEqual([...OUTPUT_KEYS].sort());
    expect(['healthy', 'degraded', 'systemic']).toContain(run.outputs.health);
    expect(['no-intervention', 'watch', 'intervene']).toContain(run.outputs.decision);
    expect(run.outputs['next-poll-seconds']).toMatch(/^[1-9]\d*$/);
    expect(run.outputs['relaunch-cycle']).toBe('0');
    const c = counts(run);
    expect(c.total).toBe(12);
    // The long ones run for at least a minute; launch was seconds ago.
    expect(c.live, explain(run)).toBeGreaterThan(0);
    expect(run.summary).toContain(`## sweepwatch · ${experiment}`);
    expect(run.summary).toContain('| status | jobs | since last tick |');
    expect(run.summary).toContain('| **total** | **12** |');
    // F1: nothing is filed or relaunched while a job is live.
    expect(filed()).toEqual([]);
    expect(repo().dispatches).toEqual([]);
  });

  it(
    'ticks until all are terminal: the OOMs, timeouts and crash are real, one issue, one dispatch',
    async () => {
      terminal = await tickUntilTerminal('tick (cycle 0)');
      const c = counts(terminal);
      expect(c).toMatchObject({ total: 12, live: 0, succeeded: 5, failed: 7 });
      expect(terminal.outputs.health).toBe('systemic');
      expect(terminal.outputs.decision).toBe('intervene');
      const causes = rootCauses(terminal);
      expect(causes.map((r) => [r.id, r.count, r.conditions])).toEqual(
        expect.arrayContaining([
          ['host_oom', 3, [...EXPECTED.oom].sort()],
          ['timeout', 3, [...EXPECTED.timeout].sort()],
          ['code_error', 1, [EXPECTED.codeError]],
        ]),
      );
      expect(causes).toHaveLength(3);
      expect(failedConditions(terminal)).toEqual(
        [...EXPECTED.oom, ...EXPECTED.timeout, EXPECTED.codeError].sort(),
      );
      expect(terminal.summary).toContain('| status | jobs | since last tick |');
      expect(terminal.summary).toContain('### Root causes');

      // What Slurm itself recorded: these failures were real, under the template's limits.
      const acct = await sacctUntil(
        s.transport,
        [...launchedJobs.values()],
        (r) => !/^(PENDING|RUNNING)/.test(r.state),
      );
      const row = (condition: string): AcctRow | undefined => acct.get(launchedJobs.get(condition) ?? '');
      for (const id of EXPECTED.oom) expect(row(id)).toMatchObject({ state: 'OUT_OF_MEMORY', reqMem: '60M' });
      for (const id of EXPECTED.timeout)
        expect(row(id)).toMatchObject({ state: 'TIMEOUT', timelimit: '00:01:00' });
      expect(row(EXPECTED.codeError)?.state).toBe('FAILED');

      // One issue per unrecoverable root cause: the crash; the OOMs and timeouts are relaunched.
      expect(filed()).toHaveLength(1);
      const [issue] = filed();
      expect(issue?.labels).toEqual(expect.arrayContaining(['sweepwatch', 'root-cause:code_error']));
      expect(issue?.state).toBe('open');
      expect(`${issue?.title}\n${issue?.body}`).toContain('KeyError');

      // The relaunch is dispatched: the relaunch workflow, with one JSON payload of the failed
      // relaunchable conditions for cycle 1.
      expect(repo().dispatches).toHaveLength(1);
      const [sent] = repo().dispatches;
      expect(sent).toMatchObject({ workflowId: 'sweepwatch-relaunch.yml', ref: 'main' });
      dispatchedPayload = String(sent?.inputs.payload ?? '');
      const payload = json<{ experiment: string; cycle: number; conditions: string[]; requested_by: string }>(
        dispatchedPayload,
      );
      expect(payload).toMatchObject({ experiment, cycle: 1, requested_by: 'sweepwatch' });
      expect([...payload.conditions].sort()).toEqual([...EXPECTED.oom, ...EXPECTED.timeout].sort());
    },
    WAIT_TIMEOUT_MS,
  );

  it('the next tick files no duplicate and dispatches nothing again', async () => {
    const issues = repo().issues.size;
    const run = await tick('tick (again)');
    expect(run.status, explain(run)).toBe(0);
    expect(run.outputs.decision).toBe(terminal.outputs.decision);
    expect(repo().issues.size).toBe(issues);
    expect(filed()).toHaveLength(1);
    expect(repo().dispatches).toHaveLength(1);
  });

  it('relaunch: resubmits only the OOMs (memory ×2) and the timeouts (time ×1.5), as Slurm confirms', async () => {
    const run = await action('relaunch (cycle 1)', dispatch('relaunch', dispatchedPayload));
    expect(run.status, explain(run)).toBe(0);
    expect(run.outputs['reason-code']).toBe('relaunched');
    expect(run.outputs['relaunch-cycle']).toBe('1');
    relaunchedJobs = submittedOf(run);
    expect([...relaunchedJobs.keys()].sort()).toEqual([...EXPECTED.oom, ...EXPECTED.timeout].sort());
    for (const [condition, jobId] of relaunchedJobs) expect(jobId).not.toBe(launchedJobs.get(condition));

    // What slurmctld was asked for (accounting lags a moment behind it): the OOMs get twice the
    // memory, the timeouts 1.5 × 1 min → 2 min, and each keeps the other limit.
    for (const [condition, id] of relaunchedJobs) {
      const job = await scontrolJob(s.transport, id);
      expect({ memory: job.MinMemoryNode, time: job.TimeLimit, name: job.JobName }, condition).toEqual({
        ...escalated(condition),
        name: expect.stringMatching(new RegExp(`^${namePrefix}`)),
      });
    }
    // Nothing else of the sweep is live: the crash and the completed conditions stay as they were.
    const live = (await squeueByPrefix(s.transport, namePrefix)).filter((j) => LIVE.includes(j.state));
    for (const j of live) expect([...relaunchedJobs.values()]).toContain(j.jobId);
  });

  it(
    'the relaunched conditions complete: the final tick leaves only the crash, still one issue',
    async () => {
      const final = await tickUntilTerminal('tick (cycle 1)');
      expect(counts(final)).toMatchObject({ total: 12, live: 0, succeeded: 11, failed: 1 });
      expect(failedConditions(final)).toEqual([EXPECTED.codeError]);
      expect(rootCauses(final).map((r) => [r.id, r.count])).toEqual([['code_error', 1]]);
      // 1 of 12 failed (8 %): under the 10 % watch band.
      expect(final.outputs.health).toBe('healthy');
      expect(final.outputs['relaunch-cycle']).toBe('1');
      const acct = await sacctUntil(
        s.transport,
        [...relaunchedJobs.values()],
        (r) => r.state === 'COMPLETED',
      );
      for (const [condition, id] of relaunchedJobs) {
        const { memory, time } = escalated(condition);
        expect(acct.get(id), condition).toMatchObject({
          state: 'COMPLETED',
          reqMem: memory,
          timelimit: time,
        });
      }

      // The report of the run: the job summary with the status table and the root causes.
      expect(final.summary).toContain(`## sweepwatch · ${experiment}`);
      expect(final.summary).toContain('| **total** | **12** |');
      expect(final.summary).toContain('### Root causes');
      expect(final.summary).toContain('code_error');

      // The crash's issue stays open (a relaunch never fixed it) and is still the only one; a
      // code_error is never relaunched, so nothing more is dispatched.
      expect(filed()).toHaveLength(1);
      expect(filed()[0]?.state).toBe('open');
      expect(repo().dispatches).toHaveLength(1);
    },
    WAIT_TIMEOUT_MS,
  );

  it('a further relaunch cycle is refused by F4 (max_relaunch_cycles: 1)', async () => {
    const manifest = () => repo().readFile('sweepwatch-state', `sweepwatch/${experiment}.json`);
    const saved = manifest();
    const beyond = JSON.stringify({
      experiment,
      conditions: [EXPECTED.codeError],
      cycle: 2,
      reason: 'e2e: one cycle past the budget',
      requested_by: 'sweepwatch',
    });
    const run = await action('relaunch (cycle 2)', dispatch('relaunch', beyond));
    expect(run.status, explain(run)).toBe(1);
    expect(run.outputs['reason-code']).toBe('relaunch_budget_exhausted');
    expect(run.outputs.decision).toBe('intervene');
    expect(run.stdout).toContain('relaunch refused');
    expect(run.summary).toContain('rule F4');
    // Nothing was submitted and nothing was saved.
    expect((await squeueByPrefix(s.transport, namePrefix)).filter((j) => LIVE.includes(j.state))).toEqual([]);
    expect(manifest()).toBe(saved);
    // `relaunch-cycle` is documented (action.yml) as the cycles used so far, 0 to
    // max_relaunch_cycles: one was used, whatever cycle the refused payload asked for.
    expect(run.outputs['relaunch-cycle']).toBe('1');
  });

  it('every request matched GitHub’s OpenAPI description, and the private key leaked nowhere', () => {
    gh.expectNoViolations();
    expect(runs.length).toBeGreaterThanOrEqual(8);
    const secrets = [
      key,
      ...key.split('\n').filter((line) => line.trim().length >= 8 && !line.startsWith('-----')),
    ];
    for (const { label, run } of runs) {
      const log = withoutMasks(run.stdout);
      for (const text of [log, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
        for (const secret of secrets) expect(text.includes(secret), `${label} leaked the key`).toBe(false);
      }
    }
    // And nothing the fake GitHub stored (issues, the manifest) holds it either.
    const stored = [
      ...filed().map((i) => `${i.title}\n${i.body}`),
      repo().readFile('sweepwatch-state', `sweepwatch/${experiment}.json`) ?? '',
      ...repo().dispatches.map((d) => JSON.stringify(d.inputs)),
    ].join('\n');
    for (const secret of secrets) expect(stored.includes(secret)).toBe(false);
  });
});
