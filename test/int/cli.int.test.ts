// The CLI's commands end to end on the local backend, with real job processes: a 6-condition
// sweep of a tiny script where `big` really outgrows its memory limit and `nan` really fails
// with a NaN loss. Every command's --json output is parsed with its published schema.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  cancelJson,
  launchJson,
  preflightJson,
  relaunchCommandJson,
  replayJson,
  reportJson,
  statusJson,
  tickJson,
  watchEventJson,
} from '../../src/cli/json-output.js';
import { EXIT, runCli } from '../../src/cli/main.js';

const JOB = `
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
const [mode, seed, out] = process.argv.slice(2);
if (mode === 'nan') {
  console.error('FloatingPointError: Loss is nan at step 3; stopping training');
  process.exit(1);
}
if (mode === 'big') {
  const held = Buffer.alloc(280 * 1024 * 1024, 1);
  await new Promise((r) => setTimeout(r, 1500));
  held[0] = 2;
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ score: Number(seed) / 10, mode }));
`;

const SWEEP = `experiment: mini
scheduler: local
factors:
  mode: [ok, big, nan]
  seed: [1, 2]
template:
  command: [node, job.mjs, '{mode}', '{seed}', 'results/{condition}/metrics.json']
  resources: {time: 1, memory: 200M}
outputs:
  expected: ['results/{condition}/metrics.json']
policy:
  kill_switch: {identical: 9}
  hard_stops: {min_count: 9}
  canary: false
  cadence: {pending_only: [1, 1], running: [1, 1], degraded: [1, 1]}
`;

let workdir = '';

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errors: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  err.on('data', (c: Buffer) => errors.push(c.toString('utf8')));
  const code = await runCli(args, out, err, new PassThrough(), { env: {}, cwd: workdir });
  return { code, stdout: chunks.join(''), stderr: errors.join('') };
}

const SWEEP_FLAGS = ['--config', 'sweepwatch.yml', '--workdir', '.'];

function parse<S extends z.ZodType>(schema: S, text: string): z.output<S> {
  return schema.parse(JSON.parse(text));
}

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'sweepwatch-cli-int-'));
  writeFileSync(join(workdir, 'job.mjs'), JOB);
  writeFileSync(join(workdir, 'sweepwatch.yml'), SWEEP);
});

afterAll(async () => {
  await run(['cancel', '--all', ...SWEEP_FLAGS]);
  rmSync(workdir, { recursive: true, force: true });
});

describe('sweepwatch CLI on the local backend', () => {
  it('preflight: the local backend is ready', async () => {
    const r = await run(['preflight', ...SWEEP_FLAGS, '--json']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const json = parse(preflightJson, r.stdout);
    expect(json.ok).toBe(true);
    expect(json.reason_code).toBe('preflight_ok');
  });

  it('launch: submits one job per condition, and a second launch submits nothing', async () => {
    const r = await run(['launch', ...SWEEP_FLAGS, '--json']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const json = parse(launchJson, r.stdout);
    expect(json.reason_code).toBe('launched');
    expect(json.submitted).toHaveLength(6);
    expect(existsSync(json.state)).toBe(true);
    const again = parse(launchJson, (await run(['launch', ...SWEEP_FLAGS, '--json'])).stdout);
    expect(again.reason_code).toBe('nothing_to_submit');
    expect(again.skipped).toBe(6);
  });

  it('status: reads the manifest without observing anything', async () => {
    const r = await run(['status', ...SWEEP_FLAGS, '--json', '--conditions']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const json = parse(statusJson, r.stdout);
    expect(json.counts.total).toBe(6);
    expect(json.conditions).toHaveLength(6);
    expect(json.cycles.map((c) => c.cycle)).toEqual([0]);
  });

  it('watch --no-relaunch: ticks until every job is terminal, then stops on the planned relaunch', async () => {
    const r = await run([
      'watch',
      ...SWEEP_FLAGS,
      '--json',
      '--speed',
      '2',
      '--no-relaunch',
      '--record',
      'rec.jsonl',
    ]);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => watchEventJson.parse(JSON.parse(l)));
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') throw new Error('no done event');
    expect(done.stopped).toBe('relaunch_planned');
    // big: 2 host_oom, nan: 2 nan_divergence of 6: systemic, exit 4.
    expect(done.band).toBe('systemic');
    expect(r.code).toBe(EXIT.systemic);
    const ticks = events.filter((e) => e.type === 'tick');
    const last = ticks.at(-1);
    if (last?.type !== 'tick') throw new Error('no tick');
    expect(Object.fromEntries(last.root_causes.map((g) => [g.root_cause, g.count]))).toEqual({
      host_oom: 2,
      nan_divergence: 2,
    });
    expect(readdirSync(join(workdir, '.sweepwatch', 'issues')).some((f) => f.endsWith('.md'))).toBe(true);
  });

  it('replay: the recorded snapshots give the decisions the ticks made', async () => {
    const r = await run(['replay', 'rec.jsonl', ...SWEEP_FLAGS, '--json']);
    const json = parse(replayJson, r.stdout);
    expect(json.ticks.length).toBeGreaterThan(1);
    expect(json.matches_recorded).toBe(true);
    expect(json.ticks.every((t) => t.matches === true)).toBe(true);
    expect(r.code).toBe(EXIT.systemic);
  });

  it('tick: a tick after the end changes nothing and says the same as status', async () => {
    const manifest = readFileSync(join(workdir, '.sweepwatch', 'mini.json'), 'utf8');
    const r = await run(['tick', ...SWEEP_FLAGS, '--json', '--no-relaunch']);
    const json = parse(tickJson, r.stdout);
    expect(json.counts.live).toBe(0);
    expect(json.decision).toBe('intervene');
    expect(json.relaunches).toEqual([]);
    expect(json.notes.join(' ')).toMatch(/relaunch of 2 conditions is due/);
    const status = parse(statusJson, (await run(['status', ...SWEEP_FLAGS, '--json'])).stdout);
    expect(status.band).toBe(json.band);
    expect(manifest.length).toBeGreaterThan(0);
  });

  it('relaunch: resubmits only the OOM conditions, with twice the memory', async () => {
    const dry = parse(
      relaunchCommandJson,
      (await run(['relaunch', ...SWEEP_FLAGS, '--json', '--dry-run'])).stdout,
    );
    expect(dry.submitted).toHaveLength(2);
    const r = await run(['relaunch', ...SWEEP_FLAGS, '--json']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const json = parse(relaunchCommandJson, r.stdout);
    expect(json.reason_code).toBe('relaunched');
    expect(json.cycle).toBe(1);
    expect(json.submitted.map((s) => s.condition_id).sort()).toEqual(['mode=big,seed=1', 'mode=big,seed=2']);
    const jobDir = join(workdir, '.sweepwatch', 'local', 'jobs', json.submitted[0]?.job_id ?? '');
    const job = JSON.parse(readFileSync(join(jobDir, 'job.json'), 'utf8')) as { limits: { memMb: number } };
    expect(job.limits.memMb).toBe(400);
  });

  it('watch: the relaunched jobs complete; cancel then finds nothing live', async () => {
    const r = await run(['watch', ...SWEEP_FLAGS, '--json', '--speed', '2']);
    const done = watchEventJson.parse(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}'));
    expect(done.type === 'done' && done.stopped).toBe('complete');
    // 2 nan_divergence of 6 (33 %) remain: still systemic by share, and no relaunch fixes them.
    expect(r.code).toBe(EXIT.systemic);
    const cancel = parse(cancelJson, (await run(['cancel', '--all', ...SWEEP_FLAGS, '--json'])).stdout);
    expect(cancel.reason_code).toBe('nothing_to_cancel');
  });

  it('report: writes the markdown, the JSONL and the SVG, with the checklist', async () => {
    const r = await run(['report', ...SWEEP_FLAGS, '--json']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const json = parse(reportJson, r.stdout);
    expect(json.counts).toMatchObject({ conditions: 6, succeeded: 4, failed: 2, attempts: 8 });
    expect(json.checklist.map((c) => [c.id, c.pass])).toEqual([
      ['F1', true],
      ['F2', true],
      ['F3', true],
      ['F4', true],
      ['F5', true],
    ]);
    const markdown = readFileSync(json.files.markdown, 'utf8');
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(markdown).toContain(`## ${n}. `);
    expect(readFileSync(json.files.jsonl, 'utf8').trim().split('\n')).toHaveLength(8);
    expect(readFileSync(json.files.svg, 'utf8')).toMatch(/^<svg /);
  });

  it('text output: status and tick print the table, not JSON', async () => {
    const r = await run(['status', ...SWEEP_FLAGS]);
    expect(r.stdout).toMatch(/^sweepwatch · mini/);
    expect(r.stdout).toMatch(/\[█+░*\] 6\/6 terminal/);
  });
});
