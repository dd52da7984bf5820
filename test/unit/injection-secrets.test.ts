/**
 * The private key, its passphrase and the token never show up anywhere a person or another
 * program can read: the Action runs through main() with a passphrase-protected key over real SSH
 * (an in-process ssh2 server) and a token for the fake GitHub, on a successful path and on every
 * way to fail we know, and every log line, output, summary, failure message, issue, comment,
 * dispatch and request body is scanned for them, line by line of the key too. The runner masks
 * what is registered with setSecret, so each must be registered as well; issue bodies are not
 * masked by anyone, so they must never carry one in the first place.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WIRING } from '../../src/action/session.js';
import { createGitHubAdapters } from '../../src/adapters/github/index.js';
import { run, type Wiring } from '../../src/main.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import type { Transport } from '../../src/ports/transport.js';
import { createFakeScheduler, type FakeScheduler } from '../fakes/fake-scheduler.js';
import { OOM_LOG, sweepConfig } from '../fakes/sweep-fixture.js';
import { type FakeGitHub, serverError, startFakeGitHub } from '../helpers/fake-github/index.js';
import { fakeRuntime } from '../helpers/fake-runtime.js';
import { type ClassSpec, noProblems, type Problems, recorder } from '../helpers/reliability/recorder.js';
import {
  generateEd25519,
  type KeyPair,
  startSshServer,
  type TestSshServer,
  unusedPort,
} from '../helpers/ssh-server.js';

const rec = recorder(import.meta.url);
const PASSPHRASE = `pp-${randomBytes(12).toString('hex')}`;
const TOKEN = `ghs_${randomBytes(18).toString('hex')}`;
let key: KeyPair;
let server: TestSshServer;
let gh: FakeGitHub;
let scheduler: FakeScheduler;
let n = 0;

beforeAll(async () => {
  key = generateEd25519(PASSPHRASE);
  server = await startSshServer({ authorizedKey: key, onExec: (io) => io.exit(0) });
  gh = await startFakeGitHub({ token: TOKEN });
});
afterAll(async () => {
  await server.close();
  await gh.close();
});

const SPEC = (klass: string): ClassSpec => ({
  area: 'Secrets',
  klass,
  against: 'main() + in-process ssh2 server + fake GitHub; every output scanned',
  expected: 'key, key lines, passphrase and token registered with setSecret and found nowhere',
});

/** Every piece of a run's secrets that would give them away: whole, and each line of the key. */
function secretPieces(inputs: Readonly<Record<string, string>>): string[] {
  const privateKey = inputs['ssh-private-key'] ?? '';
  const lines = privateKey
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith('-----'));
  const whole = [privateKey.trim(), inputs['ssh-private-key-passphrase'] ?? '', inputs['github-token'] ?? ''];
  return [...whole, ...lines].filter((p) => p !== '');
}

/** The fake cluster, but every call goes over the real SSH connection first (so the key is used). */
function overSsh(fake: FakeScheduler, transport: Transport): Scheduler {
  const touched =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await transport.exec(['true']);
      return call(...args);
    };
  return {
    observe: touched((ids) => fake.observe(ids)),
    submit: touched((r) => fake.submit(r)),
    cancel: touched((ids, scope) => fake.cancel(ids, scope)),
    readLogTails: touched((r, max) => fake.readLogTails(r, max)),
    preflight: touched((r) => fake.preflight(r)),
    findByName: touched((p) => fake.findByName(p)),
  };
}

const wiring: Wiring = {
  createTransport: DEFAULT_WIRING.createTransport,
  createScheduler: (_name, { transport }) => overSsh(scheduler, transport),
  createGitHub: (o) =>
    createGitHubAdapters({
      ...o,
      baseUrl: gh.url,
      writeSpacingMs: 0,
      notificationSpacingMs: 0,
      msPerSecond: 5,
    }),
  loadConfig: async () => sweepConfig(),
};

type Run = ReturnType<typeof fakeRuntime>['record'] & { readonly inputs: Readonly<Record<string, string>> };

async function action(
  owner: string,
  mode: string,
  overrides: Record<string, string> = {},
  event = { name: 'schedule', payload: {} },
): Promise<Run> {
  const inputs = {
    mode,
    'ssh-host': '127.0.0.1',
    'ssh-port': String(server.port),
    'ssh-user': 'alice',
    'ssh-private-key': key.privateKey,
    'ssh-private-key-passphrase': PASSPHRASE,
    'ssh-known-hosts': server.knownHostsLine,
    'github-token': TOKEN,
    ...overrides,
  };
  const { runtime, record } = fakeRuntime(inputs, event.name, event.payload, {
    repository: `${owner}/sweeps`,
    apiUrl: gh.url,
  });
  await run(runtime, wiring);
  return { ...record, inputs };
}

/** Scans everything the runs and GitHub hold; checks what was registered with setSecret. */
function scan(owner: string, records: readonly Run[]): Problems {
  const problems = noProblems();
  const repo = gh.repo(owner, 'sweeps');
  const places: [string, string][] = [
    ...records.flatMap((r, i): [string, string][] => [
      ...r.logs.map((l): [string, string] => [`run ${i} log`, l]),
      ...Object.entries(r.outputs).map(([k, v]): [string, string] => [`run ${i} output ${k}`, v]),
      [`run ${i} summary`, r.summary],
      [`run ${i} failure`, r.failed ?? ''],
    ]),
    ...[...repo.issues.values()].map((x): [string, string] => [
      `issue #${x.number}`,
      `${x.title}\n${x.body ?? ''}`,
    ]),
    ...[...repo.comments.values()].map((c): [string, string] => [`comment ${c.id}`, c.body]),
    ...repo.dispatches.map((d): [string, string] => ['dispatch inputs', JSON.stringify(d.inputs)]),
    ...gh
      .requests()
      .map((r): [string, string] => [`${r.method} ${r.path} body`, JSON.stringify(r.body ?? null)]),
  ];
  const every = [...new Set(records.flatMap((r) => secretPieces(r.inputs)))];
  for (const [where, text] of places)
    for (const piece of every)
      if (text.includes(piece)) problems.leak.push(`${where} holds ${piece.slice(0, 6)}…`);
  records.forEach((r, i) => {
    for (const piece of secretPieces(r.inputs))
      if (!r.secrets.includes(piece) && !r.secrets.includes(`${piece}\n`))
        problems.leak.push(`run ${i}: ${piece.slice(0, 6)}… not registered with setSecret`);
  });
  return problems;
}

function fresh(): string {
  n += 1;
  scheduler = createFakeScheduler();
  gh.repo(`sec${n}`, 'sweeps');
  return `sec${n}`;
}

describe('secrets never leak', () => {
  it('on success: launch, a failing batch, the tick that files and dispatches', async () => {
    const owner = fresh();
    const runs = [await action(owner, 'launch')];
    for (const job of scheduler.jobs.values())
      scheduler.set(job.jobId, 'FAILED', { exit: { code: 1, signal: null }, log: OOM_LOG });
    runs.push(await action(owner, 'tick'));
    expect(runs.map((r) => r.failed)).toEqual([undefined, undefined]);
    expect(server.counts.authOk).toBeGreaterThan(0);
    expect(rec.check(SPEC('success path'), scan(owner, runs))).toEqual(noProblems());
  });

  it.each<[string, () => Promise<Record<string, string>>]>([
    ['a wrong passphrase', async () => ({ 'ssh-private-key-passphrase': `${PASSPHRASE}x` })],
    ['a key the server refuses', async () => ({ 'ssh-private-key': generateEd25519(PASSPHRASE).privateKey })],
    [
      'a host key mismatch',
      async () => ({ 'ssh-known-hosts': `[127.0.0.1]:${server.port} ${generateEd25519().publicKey}` }),
    ],
    ['a refused connection', async () => ({ 'ssh-port': String(await unusedPort()) })],
    [
      'a truncated key',
      async () => ({ 'ssh-private-key': key.privateKey.slice(0, Math.floor(key.privateKey.length * 0.7)) }),
    ],
    // A mix-up that happens: the passphrase pasted into the port field; the error must not echo it.
    ['the passphrase pasted into ssh-port', async () => ({ 'ssh-port': PASSPHRASE })],
  ])('on failure: %s', async (name, inputs) => {
    const owner = fresh();
    const launched = await action(owner, 'launch');
    const failed = await action(owner, 'tick', await inputs());
    // A tick that cannot reach the cluster is not a failed step (it reports observation_failed).
    const visible = failed.failed !== undefined || failed.outputs['reason-code'] === 'observation_failed';
    expect(visible, `${name} must show in the outputs`).toBe(true);
    expect(rec.check(SPEC(`failure: ${name}`), scan(owner, [launched, failed]))).toEqual(noProblems());
  });

  it('on failure: GitHub down', async () => {
    const owner = fresh();
    const launched = await action(owner, 'launch');
    gh.inject({
      method: 'GET',
      route: '/repos/{owner}/{repo}/contents/{path}',
      ...serverError(500),
      times: 20,
    });
    const failed = await action(owner, 'tick');
    gh.faults.clear();
    expect(failed.failed).toBeDefined();
    expect(rec.check(SPEC('failure: GitHub down'), scan(owner, [launched, failed]))).toEqual(noProblems());
  });
});
