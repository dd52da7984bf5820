// The CLI's small adapters: the recording of scheduler answers and its replay, the issue
// folder that stands in for GitHub issues, the SSH settings from flags and environment, and
// the in-process relaunch queue.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { compressTime } from '../../src/cli/compressed-clock.js';
import { sshTargetFrom } from '../../src/cli/connection.js';
import { CliError } from '../../src/cli/errors.js';
import { InProcessDispatcher } from '../../src/cli/in-process-dispatcher.js';
import { LocalIssues } from '../../src/cli/local-issues.js';
import { type RecordedTick, readRecording, replayScheduler, SchedulerTape } from '../../src/cli/recording.js';
import type { SchedulerConfig } from '../../src/config/sweep-config.js';
import { issueMarker } from '../../src/ports/issue-tracker.js';
import { SchedulerError } from '../../src/ports/scheduler.js';
import { createFakeScheduler } from '../fakes/fake-scheduler.js';

const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-cli-adapters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TICK: RecordedTick = {
  version: 1,
  experiment: 'demo',
  at: '2026-03-02T09:00:00.000Z',
  observe: {
    observations: [{ jobId: '7', state: 'FAILED', rawState: 'FAILED', exit: { code: 1, signal: null } }],
    missing: ['8'],
    unobserved: [],
    diagnostics: [],
    errors: [],
  },
  log_tails: { '7': { text: 'Loss is nan', truncated: false, missing: [], files: [] } },
  decided: { decision: 'watch', reason_code: 'degraded_watch', band: 'degraded' },
};

describe('recordings', () => {
  it('reads JSON Lines as --record writes them', async () => {
    const path = join(dir, 'rec.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify(TICK)}\n${JSON.stringify({ ...TICK, at: '2026-03-02T09:01:00.000Z' })}\n`,
    );
    const ticks = await readRecording(path);
    expect(ticks.map((t) => t.at)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-02T09:01:00.000Z']);
  });

  it('reads one JSON object with a ticks array', async () => {
    const path = join(dir, 'rec.json');
    writeFileSync(path, JSON.stringify({ ticks: [TICK] }, null, 2));
    expect(await readRecording(path)).toHaveLength(1);
  });

  it.each([
    ['not json', 'rec-bad.jsonl:1: not a sweepwatch recording (invalid JSON)', '{oops'],
    [
      'a line of another shape',
      ':1: not a sweepwatch recording (observe',
      JSON.stringify({ ...TICK, observe: 3 }),
    ],
    ['nothing', 'not a sweepwatch recording (no ticks)', JSON.stringify({ ticks: [] })],
  ])('refuses %s, naming the line', async (_what, message, text) => {
    const path = join(dir, 'rec-bad.jsonl');
    writeFileSync(path, text);
    await expect(readRecording(path)).rejects.toThrow(message);
    await expect(readRecording(path)).rejects.toBeInstanceOf(CliError);
  });

  it('replays observations and log tails, and refuses every write', async () => {
    const s = replayScheduler(TICK);
    const observed = await s.observe(['7', '8']);
    expect(observed.observations.get('7')?.state).toBe('FAILED');
    expect(observed.missing).toEqual(['8']);
    const tails = await s.readLogTails(
      [
        { jobId: '7', paths: ['x'] },
        { jobId: '9', paths: ['y'] },
      ],
      100,
    );
    expect([...tails.keys()]).toEqual(['7']);
    await expect(s.submit({ name: 'x', command: { kind: 'argv', argv: ['true'] } })).rejects.toThrow(
      /cannot submit/,
    );
    await expect(s.cancel(['7'], { jobIds: ['7'] })).rejects.toThrow(/cannot cancel/);
  });

  it('replays a failed observation as the same failure', async () => {
    const s = replayScheduler({
      ...TICK,
      observe: { failed: { source: 'transport', message: 'connection reset' } },
    });
    await expect(s.observe(['7'])).rejects.toBeInstanceOf(SchedulerError);
  });

  it('the tape captures what the scheduler answered, once per take', async () => {
    const fake = createFakeScheduler();
    const submitted = await fake.submit({ name: 'sw-demo-1', command: { kind: 'argv', argv: ['true'] } });
    if (!submitted.ok) throw new Error('refused');
    const tape = new SchedulerTape();
    const s = tape.wrap(fake);
    await s.observe([submitted.jobId]);
    const taken = tape.take();
    expect(
      taken.observe !== null && 'observations' in taken.observe
        ? taken.observe.observations.map((o) => o.jobId)
        : [],
    ).toEqual([submitted.jobId]);
    expect(tape.take()).toEqual({ observe: null, log_tails: {} });
  });
});

describe('LocalIssues', () => {
  const issues = new LocalIssues(join(dir, 'issues'));
  const marker = issueMarker('root-cause', 'nan_divergence.abc');

  it('creates an issue once, finds it by its marker, and updates it in place', async () => {
    const spec = {
      marker,
      title: 'nan',
      body: 'first',
      labels: ['sweepwatch', 'root-cause:nan_divergence'] as const,
    };
    const created = await issues.ensureIssue({ ...spec, labels: [...spec.labels] as [string, ...string[]] });
    expect(created.outcome).toBe('created');
    expect(created.issue.number).toBe(1);
    const same = await issues.ensureIssue({ ...spec, labels: ['sweepwatch'] });
    expect(same.outcome).toBe('unchanged');
    const updated = await issues.ensureIssue({ ...spec, body: 'second', labels: ['sweepwatch'] });
    expect(updated).toMatchObject({ outcome: 'updated', issue: { number: 1 } });
    expect(readFileSync(issues.markdownPath(1), 'utf8')).toContain('second');
    expect(await issues.findByMarker('sweepwatch', marker)).toMatchObject({ number: 1, state: 'open' });
    expect(await issues.findByMarker('other-label', marker)).toBeNull();
  });

  it('closes with a comment, and reopens when written again', async () => {
    await issues.close(1, 'fixed');
    expect(await issues.findByMarker('sweepwatch', marker)).toMatchObject({ state: 'closed' });
    expect(readFileSync(issues.markdownPath(1), 'utf8')).toContain('fixed');
    const again = await issues.ensureIssue({ marker, title: 'nan', body: 'third', labels: ['sweepwatch'] });
    expect(again).toMatchObject({ outcome: 'updated', issue: { number: 1, state: 'open' } });
  });
});

describe('sshTargetFrom', () => {
  const scheduler: SchedulerConfig = {
    kind: 'slurm',
    host: null,
    port: 22,
    user: null,
    jumpHosts: [],
    connectTimeoutSeconds: null,
    skyCommand: null,
    taskYaml: null,
    allowBareVm: false,
  };
  const keyFile = join(dir, 'id_test');
  writeFileSync(keyFile, '-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n');

  it('is null without a host: the scheduler runs here', () => {
    expect(sshTargetFrom({}, {}, scheduler, dir)).toBeNull();
  });

  it('takes flags over the environment over the sweep file', () => {
    const target = sshTargetFrom(
      {
        'ssh-host': 'login.example.edu',
        'ssh-key-file': 'id_test',
        'ssh-jump-hosts': ['alice@bastion:2222 SHA256:abc'],
      },
      {
        SWEEPWATCH_SSH_HOST: 'ignored',
        SWEEPWATCH_SSH_USER: 'alice',
        SWEEPWATCH_SSH_PORT: '2200',
        SWEEPWATCH_SSH_KNOWN_HOSTS: 'SHA256:xyz',
      },
      { ...scheduler, host: 'from-file', user: 'bob' },
      dir,
    );
    expect(target).toMatchObject({
      host: 'login.example.edu',
      port: 2200,
      user: 'alice',
      knownHosts: 'SHA256:xyz',
      jumpHosts: [{ user: 'alice', host: 'bastion', port: 2222, hostKey: 'SHA256:abc' }],
    });
    expect(target?.privateKey).toContain('BEGIN OPENSSH');
  });

  it('refuses a host without a pinned key, naming every missing setting', () => {
    expect(() => sshTargetFrom({ 'ssh-host': 'login' }, {}, scheduler, dir)).toThrow(UsageError);
    expect(() => sshTargetFrom({ 'ssh-host': 'login' }, {}, scheduler, dir)).toThrow(
      /--ssh-user .*--ssh-key-file .*--ssh-known-hosts .*never auto-accepted/,
    );
  });

  it('refuses a malformed port or jump host', () => {
    const env = {
      SWEEPWATCH_SSH_USER: 'a',
      SWEEPWATCH_SSH_PRIVATE_KEY: 'k',
      SWEEPWATCH_SSH_KNOWN_HOSTS: 'SHA256:x',
    };
    expect(() => sshTargetFrom({ 'ssh-host': 'h', 'ssh-port': '99999' }, env, scheduler, dir)).toThrow(
      /not a TCP port/,
    );
    expect(() =>
      sshTargetFrom({ 'ssh-host': 'h', 'ssh-jump-hosts': ['bastion'] }, env, scheduler, dir),
    ).toThrow(/expected "user@host\[:port\] SHA256:<fingerprint>"/);
  });
});

describe('InProcessDispatcher', () => {
  it('queues the payload the relaunch run will read, and hands each out once', async () => {
    const d = new InProcessDispatcher();
    const payload = {
      experiment: 'demo',
      conditions: 'plan' as const,
      cycle: 1,
      reason: 'r',
      requested_by: 'sweepwatch',
    };
    await d.dispatch('in-process', 'local', { payload: JSON.stringify(payload) });
    expect(d.take()).toEqual([payload]);
    expect(d.take()).toEqual([]);
    await expect(d.dispatch('x', 'y', { payload: '{' })).rejects.toThrow(/not JSON/);
  });
});

describe('compressTime', () => {
  it('shortens the time limit the backend enforces, and nothing else', async () => {
    const fake = createFakeScheduler();
    await compressTime(fake, 6).submit({
      name: 'n',
      command: { kind: 'argv', argv: ['true'] },
      resources: { timeMinutes: 2, memMb: 512 },
    });
    expect(fake.calls.submit[0]?.resources).toEqual({ timeMinutes: 0.2, memMb: 512 });
  });
});
