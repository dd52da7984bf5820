/**
 * Suite 4: GitHub requests per tick, counted by the fake GitHub (every request checked against
 * GitHub's OpenAPI description). The Action runs as on a runner — main's run() in tick mode,
 * the real GitHub adapters and branch store — over a simulated cluster of `conditions` jobs
 * that progresses through one hour of a 5-minute cron: each tick more jobs end, and at the last
 * one every job is terminal, so the unrecoverable causes are filed as issues and a relaunch
 * is dispatched. Two extra ticks see nothing new (one while jobs run, one at the end).
 */
import { createGitHubAdapters, manifestPath } from '../../src/adapters/github/index.js';
import { ManifestStore } from '../../src/adapters/github/manifest-store.js';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import type { Wiring } from '../../src/main.js';
import { run } from '../../src/main.js';
import { startFakeGitHub } from '../../test/helpers/fake-github/index.js';
import { fakeRuntime } from '../../test/helpers/fake-runtime.js';
import { logFilesOf, type SimCluster, SimTransport } from '../sim/sim-transport.js';
import { observeStdout } from '../sim/slurm-output.js';
import { buildSweep, mix, type SimJob } from '../sim/sweep.js';

export interface GitHubTick {
  readonly label: string;
  readonly requests: number;
  readonly issuesTouched: number;
  readonly dispatches: number;
  readonly decision: string;
  readonly byRoute: Readonly<Record<string, number>>;
}

export interface GitHubResult {
  readonly conditions: number;
  readonly ticks: readonly GitHubTick[];
  /** The most requests a tick that changed nothing made. */
  readonly unchangedMax: number;
  /** The most requests over 3 + issues touched of a tick with changes (≤ 0: within target). */
  readonly changedExcessMax: number;
  /** Requests of the 12 ticks of one hour of a 5-minute cron. */
  readonly hourRequests: number;
  readonly hourBudgetShare: number;
  readonly violations: number;
}

const HOUR_TICKS = 12;
const BUDGET_PER_HOUR = 1000;
const ISSUE_WRITES = [
  'POST /repos/{owner}/{repo}/issues',
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
];

/** `result.details.changed` of the Action's outputs: whether the tick changed anything. */
function changedOf(result: string | undefined): boolean {
  const parsed: unknown = JSON.parse(result ?? '{}');
  const details: unknown =
    parsed !== null && typeof parsed === 'object' ? Reflect.get(parsed, 'details') : null;
  return details !== null && typeof details === 'object' && Reflect.get(details, 'changed') === true;
}

/** A job's state at a tick of the hour: its fate from its own tick on; everything ends by the last. */
function at(job: SimJob, phase: number): SimJob {
  const endsAt = 1 + (mix(job.index, 7) % HOUR_TICKS);
  if (phase >= HOUR_TICKS && ['pending', 'running', 'completing'].includes(job.fate))
    return { ...job, fate: 'completed' };
  if (endsAt <= phase) return job;
  return { ...job, fate: job.fate === 'pending' ? 'pending' : 'running' };
}

export async function runGitHub(conditions: number): Promise<GitHubResult> {
  const gh = await startFakeGitHub();
  try {
    const [owner, repo] = ['bench', 'sweeps'];
    gh.repo(owner, repo);
    const sweep = buildSweep(conditions);
    const adapters = (o: Parameters<typeof createGitHubAdapters>[0]) =>
      createGitHubAdapters({
        ...o,
        token: gh.token,
        baseUrl: gh.url,
        writeSpacingMs: 0,
        notificationSpacingMs: 0,
      });
    // The launch's manifest, saved through the real branch store.
    const text = adapters({ token: gh.token, owner, repo }).store({
      path: manifestPath(sweep.config.experiment),
      branch: 'sweepwatch-state',
    });
    const saved = await new ManifestStore(text, { source: 'bench' }).save(sweep.launched, null);
    if (!saved.ok) throw new Error('github bench: could not seed the manifest');

    let phase = 1;
    const files = logFilesOf(sweep.jobs);
    const cluster: SimCluster = {
      observe: (nonce, chunks) => [
        Buffer.from(
          observeStdout(
            nonce,
            chunks,
            new Map(sweep.jobs.map((j) => [j.id, at(j, phase)])),
            sweep.clusterNow,
          ),
        ),
      ],
      logFile: (path) => files.get(path),
    };
    const wiring: Wiring = {
      createTransport: () => new SimTransport(cluster),
      createScheduler: (_name, context) => new SlurmScheduler({ transport: context.transport }),
      createGitHub: adapters,
      loadConfig: async () => sweep.config,
    };
    const ticks: GitHubTick[] = [];
    const tickOnce = async (label: string) => {
      gh.resetRequests();
      const { runtime, record } = fakeRuntime(
        { mode: 'tick', 'github-token': gh.token },
        'schedule',
        {},
        {
          repository: `${owner}/${repo}`,
          apiUrl: gh.url,
        },
      );
      await run(runtime, wiring);
      if (record.failed !== undefined) throw new Error(`github bench: tick failed: ${record.failed}`);
      const byRoute = gh.counts();
      ticks.push({
        label,
        requests: gh.count(),
        issuesTouched: ISSUE_WRITES.reduce((n, r) => n + (byRoute[r] ?? 0), 0),
        dispatches: gh.count({ route: 'actions/create-workflow-dispatch' }),
        decision: `${record.outputs.decision} (${record.outputs['reason-code']})${changedOf(record.outputs.result) ? '' : ', unchanged'}`,
        byRoute,
      });
    };
    for (phase = 1; phase <= HOUR_TICKS; phase++) {
      await tickOnce(`:${String((phase - 1) * 5).padStart(2, '0')}`);
      if (phase === HOUR_TICKS / 2) await tickOnce('unchanged, jobs live');
    }
    phase = HOUR_TICKS;
    await tickOnce('unchanged, all terminal');
    const hour = ticks.filter((t) => t.label.startsWith(':'));
    const unchanged = ticks.filter((t) => t.label.startsWith('unchanged'));
    const changed = hour.filter((t) => !t.decision.endsWith(', unchanged'));
    const hourRequests = hour.reduce((n, t) => n + t.requests, 0);
    return {
      conditions,
      ticks,
      unchangedMax: Math.max(...unchanged.map((t) => t.requests)),
      changedExcessMax: Math.max(...changed.map((t) => t.requests - 3 - t.issuesTouched)),
      hourRequests,
      hourBudgetShare: hourRequests / BUDGET_PER_HOUR,
      violations: gh.violations().length,
    };
  } finally {
    await gh.close();
  }
}
