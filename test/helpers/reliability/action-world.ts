/**
 * The whole Action through main(): the real GitHub adapters against the fake GitHub (every
 * request checked against GitHub's OpenAPI description), a fake cluster, and a recording fetch
 * that timestamps every request (to measure waits) and can run a hook before one is sent (to let
 * a concurrent writer in at exactly that moment).
 */
import { createGitHubAdapters } from '../../../src/adapters/github/index.js';
import type { GitHubClientOptions } from '../../../src/adapters/github/octokit.js';
import type { Manifest } from '../../../src/core/manifest.js';
import { parseManifest } from '../../../src/core/manifest.js';
import { run, type Wiring } from '../../../src/main.js';
import { createFakeScheduler, type FakeScheduler } from '../../fakes/fake-scheduler.js';
import { createFakeTransport } from '../../fakes/fake-transport.js';
import { CODE_ERROR_LOG, OOM_LOG, sweepConfig } from '../../fakes/sweep-fixture.js';
import type { FakeGitHub, RepoState } from '../fake-github/index.js';
import { fakeRuntime } from '../fake-runtime.js';

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly sentAt: number;
}

export type BeforeSend = (method: string, path: string) => void | Promise<void>;

export interface ActionWorld {
  readonly gh: FakeGitHub;
  readonly owner: string;
  readonly scheduler: FakeScheduler;
  readonly sent: SentRequest[];
  /** Runs before the next request whose method and path match, once. */
  before(method: string, path: RegExp, hook: BeforeSend): void;
  repo(): RepoState;
  manifest(): Manifest | null;
  /** One Action run; `client` overrides the GitHub client's options (retries, waits). */
  action(
    mode: string,
    event?: { name: string; payload: unknown },
    inputs?: Record<string, string>,
    client?: Partial<GitHubClientOptions>,
  ): Promise<ReturnType<typeof fakeRuntime>['record']>;
}

let worlds = 0;

export function actionWorld(gh: FakeGitHub): ActionWorld {
  worlds += 1;
  const owner = `fault${worlds}`;
  gh.repo(owner, 'sweeps');
  const scheduler = createFakeScheduler();
  const sent: SentRequest[] = [];
  const hooks: { method: string; path: RegExp; hook: BeforeSend }[] = [];
  const recordingFetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const at = hooks.findIndex((h) => h.method === method && h.path.test(url.pathname));
    if (at >= 0) {
      const [found] = hooks.splice(at, 1);
      await found?.hook(method, url.pathname);
    }
    const sentAt = performance.now();
    const response = await fetch(input, init);
    sent.push({ method, path: url.pathname, status: response.status, sentAt });
    return response;
  };
  const wiring = (client: Partial<GitHubClientOptions>): Wiring => ({
    createTransport: () => createFakeTransport(),
    createScheduler: () => scheduler,
    createGitHub: (options) =>
      createGitHubAdapters({
        ...options,
        token: gh.token,
        baseUrl: gh.url,
        writeSpacingMs: 0,
        notificationSpacingMs: 0,
        msPerSecond: 5,
        fetch: recordingFetch,
        ...client,
      }),
    loadConfig: async () => sweepConfig(),
  });
  return {
    gh,
    owner,
    scheduler,
    sent,
    before: (method, path, hook) => void hooks.push({ method, path, hook }),
    repo: () => gh.repo(owner, 'sweeps'),
    manifest() {
      const text = gh.repo(owner, 'sweeps').readFile('sweepwatch-state', 'sweepwatch/calib.json');
      return text === undefined ? null : parseManifest(text, { source: 'fake GitHub' });
    },
    async action(mode, event = { name: 'schedule', payload: {} }, inputs = {}, client = {}) {
      const { runtime, record } = fakeRuntime(
        { mode, 'github-token': gh.token, ...inputs },
        event.name,
        event.payload,
        {
          repository: `${owner}/sweeps`,
        },
      );
      await run(runtime, wiring(client));
      return record;
    },
  };
}

/**
 * The batch every GitHub fault starts from: launched, then all terminal. vit × focal ran out of
 * GPU memory (3 conditions: a relaunch to dispatch), one resnet × ce run hit a code error (an
 * issue to file), the rest completed.
 */
export async function failedBatch(w: ActionWorld): Promise<void> {
  const launched = await w.action('launch');
  if (launched.outputs['reason-code'] !== 'launched') throw new Error(`launch: ${launched.summary}`);
  for (const job of w.scheduler.jobs.values()) {
    const argv = job.request.command.kind === 'argv' ? job.request.command.argv : [];
    if (argv.includes('vit') && argv.includes('focal'))
      w.scheduler.set(job.jobId, 'FAILED', { exit: { code: 1, signal: null }, log: OOM_LOG });
    else if (argv.includes('resnet') && argv.includes('ce') && argv.at(-1) === '1')
      w.scheduler.set(job.jobId, 'FAILED', { exit: { code: 1, signal: null }, log: CODE_ERROR_LOG });
    else w.scheduler.set(job.jobId, 'COMPLETED', { exit: { code: 0, signal: null } });
  }
}

/** Runs every relaunch the tick dispatched, as the relaunch workflow would, in order. */
export async function runDispatchedRelaunches(w: ActionWorld, from = 0) {
  const results = [];
  for (const d of w.repo().dispatches.slice(from)) {
    const payload = String(d.inputs.payload ?? '');
    results.push(
      await w.action('relaunch', {
        name: 'workflow_dispatch',
        payload: { inputs: { command: 'relaunch', payload } },
      }),
    );
  }
  return results;
}
