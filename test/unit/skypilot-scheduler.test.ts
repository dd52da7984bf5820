import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCancelOutput } from '../../src/adapters/skypilot/cancel.js';
import { QUEUE_SCRIPT } from '../../src/adapters/skypilot/queue-query.js';
import { SkyPilotScheduler } from '../../src/adapters/skypilot/skypilot-scheduler.js';
import { SchedulerError } from '../../src/ports/scheduler.js';
import { type ExecResult, TransportError } from '../../src/ports/transport.js';
import { createFakeTransport, type ExecHandler } from '../fakes/fake-transport.js';

const fixture = (name: string) => readFileSync(resolve(__dirname, '../fixtures/skypilot', name), 'utf8');
const N = 'nonce';
const M = `@@SW:${N}:`;

/** What a script prints: framed sections (source, key, stdout, rc), then `done` unless cut. */
function framed(
  sections: [string, string, string, number | null][],
  meta: Record<string, string> = {},
  done = true,
) {
  const out = [`${M}meta:user:alice`, `${M}meta:epoch:1777636800`];
  for (const [k, v] of Object.entries(meta)) out.push(`${M}meta:${k}:${v}`);
  for (const [source, key, text, rc] of sections) {
    out.push(`${M}begin:${source}:${key}`, text);
    if (rc !== null) out.push(`${M}end:${source}:${key}:${rc}`);
  }
  if (done) out.push(`${M}done`);
  return `${out.join('\n')}\n`;
}
const scriptName = (argv: readonly string[]) => argv[3] ?? '';
const make = (
  handler: ExecHandler,
  extra: Partial<ConstructorParameters<typeof SkyPilotScheduler>[0]> = {},
) => {
  const transport = createFakeTransport(handler);
  return {
    transport,
    sky: new SkyPilotScheduler({ transport, nonce: () => N, skyCommand: ['/opt/sky/bin/sky'], ...extra }),
  };
};
const json = fixture('queue-v0.13-all-verbose.json');

describe('observe', () => {
  it('reads the queue in one call, scoped to the requested ids', async () => {
    const { transport, sky } = make(() => ({
      stdout: framed([
        ['version', '0', 'skypilot, version 0.13.0', 0],
        ['queue', '0', json, 0],
      ]),
    }));
    const r = await sky.observe(['10', '6', '404', 'x;rm']);
    expect(transport.calls).toHaveLength(1);
    const argv = transport.calls[0]?.argv ?? [];
    expect(argv.slice(0, 4)).toEqual(['sh', '-c', QUEUE_SCRIPT, 'sweepwatch-sky-queue']);
    expect(argv.slice(4)).toEqual([N, '0', '1', '/opt/sky/bin/sky']);
    expect([...r.observations.keys()]).toEqual(['10', '6']);
    expect(r.observations.get('6')).toMatchObject({ state: 'FAILED', rawState: 'FAILED_NO_RESOURCE' });
    expect(r.missing).toEqual(['x;rm', '404']);
    expect(r.diagnostics.map((d) => d.source)).toEqual(['input']);
    expect(await sky.version()).toEqual({ version: '0.13.0', queueDialect: 'json' });
    expect(transport.calls).toHaveLength(1);
  });

  it('learns the dialect that answered and starts there, without asking the version again', async () => {
    let n = 0;
    const { transport, sky } = make(() => {
      n++;
      return n === 1
        ? {
            stdout: framed([
              ['version', '0', 'skypilot, version 0.6.1', 0],
              ['queue', '0', '', 2],
              ['queue', '1', '', 2],
              ['queue', '2', '', 2],
              ['queue', '3', fixture('queue-v0.6-all.ansi.txt'), 0],
            ]),
          }
        : { stdout: framed([['queue', '3', fixture('queue-v0.6-all.ansi.txt'), 0]]) };
    });
    const first = await sky.observe(['13', '16']);
    expect(first.observations.get('13')).toMatchObject({ state: 'PENDING', rawState: 'SUBMITTED' });
    await sky.observe(['13']);
    expect(transport.calls[1]?.argv.slice(4, 7)).toEqual([N, '3', '0']);
    expect(await sky.version()).toEqual({ version: '0.6.1', queueDialect: 'legacy-all' });
  });

  it('keeps jobs unobserved, never missing, when the queue fails, is cut, or shows no table', async () => {
    const cases: { kind: string; reply: Partial<ExecResult>; unobserved: string[] }[] = [
      {
        kind: 'query_failed',
        reply: {
          stdout: framed([['queue', '0', '', 1]]),
          stderr: `${M}begin:queue:0\nsky.exceptions.ApiServerConnectionError: down\n`,
        },
        unobserved: ['10', '404'],
      },
      {
        kind: 'incomplete_output',
        reply: { stdout: framed([['queue', '0', '[', null]], {}, false) },
        unobserved: ['10', '404'],
      },
      {
        kind: 'query_failed',
        reply: { stdout: framed([['queue', '1', fixture('queue-connection-failure-v0.13.txt'), 0]]) },
        unobserved: ['10', '404'],
      },
      // Cut after the array: job 10 is seen, but 404's absence proves nothing.
      {
        kind: 'incomplete_output',
        reply: { stdout: framed([['queue', '0', json, 0]]), stdoutTruncated: true },
        unobserved: ['404'],
      },
    ];
    for (const { kind, reply, unobserved } of cases) {
      const { sky } = make(() => reply);
      const r = await sky.observe(['10', '404']);
      expect(r.errors[0]?.kind).toBe(kind);
      expect(r.missing).toEqual([]);
      expect(r.unobserved).toEqual(unobserved);
    }
  });

  it('turns a transport failure into an observation error', async () => {
    const { sky } = make(() => {
      throw new TransportError('timeout', 'ssh timed out');
    });
    const r = await sky.observe(['1']);
    expect(r).toMatchObject({ unobserved: ['1'], errors: [{ kind: 'transport' }] });
  });
});

describe('cancel', () => {
  it('refuses out-of-scope and malformed ids without calling sky', async () => {
    const { transport, sky } = make(() => ({}));
    const r = await sky.cancel(['7', 'abc', '0'], { jobIds: ['1'] });
    expect(transport.calls).toHaveLength(0);
    expect(r.refused.map((x) => [x.jobId, x.reason])).toEqual([
      ['7', 'not_in_scope'],
      ['abc', 'invalid_id'],
      ['0', 'invalid_id'],
    ]);
  });

  it('checks the queue first: finished, foreign-named and unknown jobs are not sent', async () => {
    const { transport, sky } = make((argv) =>
      scriptName(argv) === 'sweepwatch-sky-queue'
        ? { stdout: framed([['queue', '0', json, 0]]) }
        : { stdout: framed([['cancel', '0', fixture('cancel-one.stdout.txt').replace('5', '10'), 0]]) },
    );
    const r = await sky.cancel(['10', '1', '14', '404'], {
      jobIds: ['10', '1', '14', '404'],
      namePrefix: 'sw-demo-',
    });
    expect(r.cancelled).toEqual(['10']);
    expect(r.refused.map((x) => [x.jobId, x.reason])).toEqual([
      ['1', 'already_finished'],
      ['14', 'name_mismatch'],
      ['404', 'not_found'],
    ]);
    expect(transport.calls[1]?.argv.slice(5)).toEqual(['/opt/sky/bin/sky', 'jobs', 'cancel', '-y', '10']);
  });

  it("reads sky's per-job answers", () => {
    const r = readCancelOutput(['5', '6', '7', '3', '8'], fixture('cancel-mixed.stdout.txt'), 0, []);
    expect(r.cancelled).toEqual(['5', '6']);
    expect(r.refused.map((x) => [x.jobId, x.reason])).toEqual([
      ['7', 'not_found'],
      ['3', 'already_finished'],
      ['8', 'scheduler_error'],
    ]);
  });
});

describe('readLogTails', () => {
  it("reads the job's log, or the controller's after a failure outside the job, bounded, in one call", async () => {
    const { transport, sky } = make((argv) =>
      scriptName(argv) === 'sweepwatch-sky-queue'
        ? { stdout: framed([['queue', '0', json, 0]]) }
        : {
            stdout: framed(
              [
                ['log', '7.job', 'setup failed', 100],
                ['log', '4.controller', 'RuntimeError: boom', 0],
              ],
              { 'size.7.job': '9000', 'size.4.controller': '18' },
            ),
          },
    );
    await sky.observe(['7', '4']);
    const tails = await sky.readLogTails(
      [
        { jobId: '7', paths: ['sky-jobs-logs:7'] },
        { jobId: '4', paths: ['sky-jobs-logs:4'] },
        { jobId: '5', paths: ['/tmp/slurm-5.out'] },
      ],
      1000,
    );
    const argv = transport.calls[1]?.argv ?? [];
    expect(argv.slice(4, 10)).toEqual([N, '1000', '60', '2', '7.job', '4.controller']);
    expect(tails.get('7')).toMatchObject({ text: 'setup failed', truncated: true, missing: [] });
    expect(tails.get('4')?.files).toEqual([
      { path: 'sky-jobs-logs:4:controller', missing: false, size: 18, truncated: false },
    ]);
    expect(tails.get('5')).toMatchObject({ text: '', missing: ['/tmp/slurm-5.out'] });
  });
});

describe('submit', () => {
  const yaml = `resources:\n  image_id: docker:img@sha256:${'1'.repeat(64)}\nrun: eval "$SWEEPWATCH_COMMAND"\n`;
  const digest = 'd'.repeat(64);
  const request = { name: 'sw-x-00000001', command: { kind: 'argv' as const, argv: ['python', 't.py'] } };
  const reader = (argv: readonly string[]) =>
    scriptName(argv) === 'sweepwatch-sky-task'
      ? { stdout: framed([['yaml', '0', yaml, 0]], { digest, size: '80' }) }
      : undefined;

  it('refuses before launching when the launch would need a task YAML it does not have', async () => {
    const { transport, sky } = make(() => ({}));
    const r = await sky.submit(request);
    expect(r).toMatchObject({ ok: false, rootCause: 'submission_rejected' });
    expect(transport.calls).toHaveLength(0);
  });

  it("returns sky's words when sky refuses", async () => {
    const { sky } = make(
      (argv) =>
        reader(argv) ?? {
          stdout: framed([['launch', '0', 'Launching...', 1]]),
          stderr: `${M}begin:launch:0\nValueError: Invalid resources: cpus=9999+\n`,
        },
      { taskYaml: 't.yaml' },
    );
    expect(await sky.submit(request)).toEqual({
      ok: false,
      rootCause: 'submission_rejected',
      message: 'ValueError: Invalid resources: cpus=9999+',
    });
  });

  it('throws when sky exits 0 without a job id: the job may exist, adoption decides', async () => {
    const { sky } = make((argv) => reader(argv) ?? { stdout: framed([['launch', '0', 'done', 0]]) }, {
      taskYaml: 't.yaml',
    });
    await expect(sky.submit(request)).rejects.toBeInstanceOf(SchedulerError);
  });

  it('re-checks the YAML once when it changed before the launch, and caches the check', async () => {
    let launches = 0;
    const { transport, sky } = make(
      (argv) =>
        reader(argv) ??
        (++launches === 1
          ? { stdout: framed([], { changed: 'e'.repeat(64) }) }
          : { stdout: framed([['launch', '0', '⚙︎ Job submitted, ID: 9', 0]]) }),
      { taskYaml: 't.yaml' },
    );
    expect(await sky.submit(request)).toMatchObject({
      ok: true,
      jobId: '9',
      imageDigest: `sha256:${'1'.repeat(64)}`,
    });
    expect(await sky.submit(request)).toMatchObject({ ok: true, jobId: '9' });
    expect(transport.calls.map((c) => scriptName(c.argv))).toEqual([
      'sweepwatch-sky-task',
      'sweepwatch-sky-launch',
      'sweepwatch-sky-task',
      'sweepwatch-sky-launch',
      'sweepwatch-sky-launch',
    ]);
    expect(transport.calls[1]?.argv.slice(4, 8)).toEqual([N, '', 't.yaml', digest]);
  });
});
