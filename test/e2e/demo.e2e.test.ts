// `sweepwatch demo` for real, from a bundle built here from the source (never a stale dist/):
// 24 real processes on the local backend. The report's claims are checked against the local
// backend's own records (its state directory, read independently), the heat map is rendered
// to PNG with rsvg-convert and kept under test-artifacts/.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayJson, watchEventJson } from '../../src/cli/json-output.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// At the repository root, like dist/: the demo finds demo/ by walking up from its bundle.
const BUNDLE = join(REPO, '.dist-demo-e2e');
const ARTIFACTS = join(REPO, 'test-artifacts');
const DEMO_BUDGET_MS = 120_000;

interface LocalJob {
  readonly id: number;
  readonly name: string;
  readonly limits: { readonly timeMinutes?: number; readonly memMb?: number };
  readonly state: string;
  readonly stderr: string;
}

let workdir = '';
let elapsedMs = 0;
let exitCode: number | null = null;
let events: ReturnType<typeof watchEventJson.parse>[] = [];
let jobs: LocalJob[] = [];

function ensureRsvgConvert(): void {
  if (spawnSync('rsvg-convert', ['--version']).status === 0) return;
  // CI runs as root on Debian; this is the test's own setup, done only when the tool is absent.
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'librsvg2-bin'], { stdio: 'inherit' });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    install();
  }
}

/** The local backend's records, read straight from its state directory. */
function readJobs(stateDir: string): LocalJob[] {
  const dir = join(stateDir, 'jobs');
  return readdirSync(dir)
    .map((id) => {
      const job = JSON.parse(readFileSync(join(dir, id, 'job.json'), 'utf8')) as {
        name: string;
        limits: LocalJob['limits'];
      };
      const state = JSON.parse(readFileSync(join(dir, id, 'state.json'), 'utf8')) as { state: string };
      const stderr = existsSync(join(dir, id, 'stderr.log'))
        ? readFileSync(join(dir, id, 'stderr.log'), 'utf8')
        : '';
      return { id: Number(id), name: job.name, limits: job.limits, state: state.state, stderr };
    })
    .sort((a, b) => a.id - b.id);
}

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      'src/cli/index.ts',
      '-o',
      join(BUNDLE, 'cli'),
      '--target',
      'es2022',
      '--transpile-only',
      '--quiet',
    ],
    { cwd: REPO, stdio: 'pipe' },
  );
  ensureRsvgConvert();
  workdir = join(mkdtempSync(join(tmpdir(), 'sweepwatch-demo-e2e-')), 'demo');
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [join(BUNDLE, 'cli', 'index.js'), 'demo', '--workdir', workdir, '--json'],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => err.push(c.toString('utf8')));
  exitCode = await new Promise<number | null>((done) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), 2 * DEMO_BUDGET_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
  elapsedMs = Date.now() - started;
  if (exitCode !== 0)
    throw new Error(`the demo exited ${exitCode}:\n${err.join('')}\n${out.join('').slice(-2000)}`);
  events = out
    .join('')
    .trim()
    .split('\n')
    .map((l) => watchEventJson.parse(JSON.parse(l)));
  jobs = readJobs(join(workdir, '.sweepwatch', 'local'));
});

afterAll(() => {
  rmSync(BUNDLE, { recursive: true, force: true });
  if (workdir !== '') rmSync(dirname(workdir), { recursive: true, force: true });
});

function byCondition(): Map<string, LocalJob[]> {
  const map = new Map<string, LocalJob[]>();
  for (const j of jobs) map.set(j.name, [...(map.get(j.name) ?? []), j]);
  return map;
}

function reportEvent() {
  const e = events.at(-1);
  if (e?.type !== 'report') throw new Error('the demo ended without its report');
  return e;
}

describe('sweepwatch demo', () => {
  it(`finishes in under ${DEMO_BUDGET_MS / 1000} s, every job terminal and nothing more planned`, () => {
    expect(exitCode).toBe(0);
    expect(elapsedMs).toBeLessThan(DEMO_BUDGET_MS);
    const done = events.find((e) => e.type === 'done');
    expect(done).toMatchObject({ type: 'done', stopped: 'complete', band: 'healthy' });
  });

  it('ran 24 conditions as 29 real jobs: 4 out of memory, 1 out of time, 1 NaN, then 5 reruns', () => {
    const finals: Record<string, number> = {};
    for (const j of jobs) finals[j.state] = (finals[j.state] ?? 0) + 1;
    expect(byCondition().size).toBe(24);
    expect(jobs).toHaveLength(29);
    expect(finals).toEqual({ COMPLETED: 23, OUT_OF_MEMORY: 4, TIMEOUT: 1, FAILED: 1 });
  });

  it('relaunched the OOM conditions with twice the memory and the timeout with 1.5× the time, and they completed', () => {
    const reruns = [...byCondition().values()].filter((list) => list.length > 1);
    expect(reruns).toHaveLength(5);
    for (const [first, second, ...more] of reruns) {
      expect(more).toEqual([]);
      expect(second?.state).toBe('COMPLETED');
      if (first?.state === 'OUT_OF_MEMORY') {
        expect(first.stderr).toMatch(/Exceeded job memory limit/);
        expect(second?.limits.memMb).toBe(2 * (first.limits.memMb ?? 0));
        expect(second?.limits.timeMinutes).toBe(first.limits.timeMinutes);
      } else {
        expect(first?.state).toBe('TIMEOUT');
        expect(first?.stderr).toMatch(/DUE TO TIME LIMIT/);
        // 1 min → 2 min (ceil of 1.5) on the demo clock: 6 s → 12 s of wall time.
        expect(second?.limits.timeMinutes).toBeCloseTo(2 * (first?.limits.timeMinutes ?? 0));
        expect(second?.limits.memMb).toBe(first?.limits.memMb);
      }
    }
  });

  it('reported the NaN divergence and did not relaunch it', () => {
    const nan = [...byCondition().values()].filter((list) => list.some((j) => j.state === 'FAILED'));
    expect(nan).toHaveLength(1);
    expect(nan[0]).toHaveLength(1);
    expect(nan[0]?.[0]?.stderr).toMatch(/FloatingPointError: Loss is nan/);
    const issues = readdirSync(join(workdir, '.sweepwatch', 'issues')).filter((f) => f.endsWith('.md'));
    expect(issues).toHaveLength(1);
    expect(readFileSync(join(workdir, '.sweepwatch', 'issues', issues[0] ?? ''), 'utf8')).toContain(
      'nan_divergence',
    );
  });

  it("the report's counts are the backend's", () => {
    const conditions = [...byCondition().values()];
    const succeeded = conditions.filter((list) => list.at(-1)?.state === 'COMPLETED').length;
    const r = reportEvent();
    expect(r.counts).toEqual({
      conditions: 24,
      succeeded,
      failed: 24 - succeeded,
      cancelled: 0,
      live: 0,
      attempts: jobs.length,
    });
    expect(r.checklist.every((c) => c.pass)).toBe(true);
    const markdown = readFileSync(r.files.markdown, 'utf8');
    expect(markdown).toContain(
      `**Verdict:** healthy · ${succeeded} of 24 conditions succeeded · 1 failed (1 nan\\_divergence)`,
    );
    expect(markdown).toMatch(/\| 0 \| 24 \| \d+ s \|/);
    expect(markdown).toMatch(/\| 1 \| 5 \| \d+ s \|/);
    expect(markdown).toContain('host\\_oom: 4 of 4 at batch=large and seq=long');
    // One JSONL line per job, each with the state the backend recorded for it.
    const lines = readFileSync(r.files.jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { job_id: string; state: string });
    expect(lines).toHaveLength(jobs.length);
    const states = new Map(jobs.map((j) => [String(j.id), j.state]));
    for (const line of lines) expect(line.state).toBe(states.get(line.job_id));
  });

  it('every succeeded condition left finite metrics', () => {
    const results = join(workdir, 'results');
    const dirs = readdirSync(results);
    expect(dirs).toHaveLength(23);
    for (const d of dirs) {
      const metrics = JSON.parse(readFileSync(join(results, d, 'metrics.json'), 'utf8')) as Record<
        string,
        number
      >;
      for (const v of Object.values(metrics)) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('the heat map shows the right cells and renders to PNG', () => {
    const svg = readFileSync(reportEvent().files.svg, 'utf8');
    const outcomes = [...svg.matchAll(/data-outcome="(\w+)"/g)].map((m) => m[1]);
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(18);
    expect(outcomes.filter((o) => o === 'recovered')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(1);
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = join(ARTIFACTS, 'demo-heatmap.png');
    // rsvg-convert parses with libxml2: a malformed document fails here.
    execFileSync('rsvg-convert', ['--format', 'png', '--output', png, reportEvent().files.svg]);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(10_000);
  });

  it('replaying the recording gives every decision the ticks made', () => {
    const out = execFileSync(
      process.execPath,
      [
        join(BUNDLE, 'cli', 'index.js'),
        'replay',
        join(workdir, '.sweepwatch', 'recording.jsonl'),
        '--workdir',
        workdir,
        '--config',
        'sweepwatch.yml',
        '--json',
      ],
      { cwd: REPO, encoding: 'utf8' },
    );
    const replay = replayJson.parse(JSON.parse(out));
    expect(replay.ticks.length).toBeGreaterThan(3);
    expect(replay.matches_recorded).toBe(true);
  });
});
