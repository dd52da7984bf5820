import { describe, expect, it } from 'vitest';
import { OUTPUT_KEYS } from '../../src/action/io.js';
import { run, type Wiring } from '../../src/main.js';
import type { PreflightReport, Scheduler } from '../../src/ports/scheduler.js';
import { type Transport, TransportError } from '../../src/ports/transport.js';
import { fakeRuntime } from '../helpers/fake-runtime.js';

const REPORT: PreflightReport = {
  ok: true,
  user: 'alice',
  versions: { sbatch: 'slurm 22.05.8' },
  accountingAvailable: true,
  problems: [],
};

function wiring(preflight: () => Promise<PreflightReport>, closed: string[] = []): Wiring {
  const transport = {
    exec: async () => ({
      stdout: '',
      stderr: '',
      code: 0,
      signal: null,
      stdoutTruncated: false,
      stderrTruncated: false,
    }),
    close: async () => {
      closed.push('closed');
    },
    stats: () => ({ execs: 0, connections: 0, bytesIn: 0, bytesOut: 0 }),
  } satisfies Transport;
  return {
    createTransport: () => transport,
    createScheduler: () => ({ preflight }) as Pick<Scheduler, 'preflight'> as Scheduler,
    createGitHub: () => {
      throw new Error('a preflight needs no GitHub');
    },
    loadConfig: async () => {
      throw new Error('no sweep file in this test');
    },
  };
}

describe('the Action entry', () => {
  it('runs a preflight, writes every output and a summary, and closes the connection', async () => {
    const closed: string[] = [];
    const { runtime, record } = fakeRuntime({ mode: 'preflight' });
    await run(
      runtime,
      wiring(async () => REPORT, closed),
    );
    expect(Object.keys(record.outputs).sort()).toEqual([...OUTPUT_KEYS].sort());
    expect(record.outputs['reason-code']).toBe('preflight_ok');
    expect(record.failed).toBeUndefined();
    expect(record.summary).toContain('✅ ready');
    expect(closed).toEqual(['closed']);
  });

  it('fails the step when the cluster is not ready, naming each problem', async () => {
    const { runtime, record } = fakeRuntime({ mode: 'preflight' });
    const bad: PreflightReport = {
      ...REPORT,
      ok: false,
      problems: [
        {
          code: 'partition_unknown',
          severity: 'error',
          subject: 'gpu',
          message: 'partition gpu does not exist',
        },
      ],
    };
    await run(
      runtime,
      wiring(async () => bad),
    );
    expect(record.outputs['reason-code']).toBe('preflight_failed');
    expect(record.failed).toContain('partition gpu does not exist');
  });

  it.each([
    ['host_key', 'ssh_host_key_rejected'],
    ['auth', 'ssh_auth_failed'],
    ['connect', 'ssh_connect_failed'],
    ['timeout', 'ssh_timeout'],
  ] as const)('maps a %s transport error to reason code %s and sets every output', async (kind, code) => {
    const closed: string[] = [];
    const { runtime, record } = fakeRuntime({ mode: 'preflight' });
    await run(
      runtime,
      wiring(async () => {
        throw new TransportError(kind, `ssh ${kind} problem`);
      }, closed),
    );
    expect(record.outputs.decision).toBe('error');
    expect(record.outputs['reason-code']).toBe(code);
    expect(Object.keys(record.outputs)).toHaveLength(OUTPUT_KEYS.length);
    expect(record.failed).toBe(`ssh ${kind} problem`);
    expect(closed).toEqual(['closed']);
  });

  it('says which mode it cannot run rather than doing nothing silently', async () => {
    const { runtime, record } = fakeRuntime({}, 'push');
    await run(
      runtime,
      wiring(async () => REPORT),
    );
    expect(record.outputs['reason-code']).toBe('mode_unavailable');
    expect(record.failed).toContain('none for event push');
  });
});
