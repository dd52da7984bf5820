/**
 * `npm run bench` — sweepwatch's benchmark suite (issue 10). See BENCHMARKS.md.
 *
 *   npm run bench                         every suite at full size (the lab one if the lab is up)
 *   npm run bench -- --quick              tiny sizes, no lab: the smoke test's run (seconds)
 *   npm run bench -- --json out.json      also write the results as JSON (`--json -`: JSON on stdout)
 *   npm run bench -- --check              exit 1, listing them, when targets are missed
 *   npm run bench -- --only core,github   a subset: core lab startup roundtrips github manifest classify
 *   npm run bench -- --no-lab --pairs 20  skip the lab / interleaved pairs of the lab suite (default 20)
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { LAB_JSON } from '../test/helpers/lab.js';
import { liveCluster, SimTransport } from './sim/sim-transport.js';
import { buildSweep } from './sim/sweep.js';
import { runClassify } from './suites/classify.js';
import { runCore } from './suites/core.js';
import { runGitHub } from './suites/github.js';
import { runLab } from './suites/lab.js';
import { runManifest } from './suites/manifest.js';
import { measureRoundTrips } from './suites/round-trips.js';
import { runStartup } from './suites/startup.js';
import type { BenchResults, BenchSuites } from './support/results.js';
import { RESULTS_SCHEMA } from './support/results.js';
import { renderTables } from './support/table.js';
import { checksOf } from './support/targets.js';

const SUITES = ['core', 'lab', 'startup', 'roundtrips', 'github', 'manifest', 'classify'] as const;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    check: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-lab': { type: 'boolean', default: false },
    pairs: { type: 'string', default: '20' },
  },
});

const quick = values.quick === true;
const only = new Set((values.only ?? SUITES.join(',')).split(',').map((s) => s.trim()));
const jsonToStdout = values.json === '-';
// The human report goes to stderr when stdout carries the JSON.
const say = (text: string) => (jsonToStdout ? process.stderr : process.stdout).write(text);
const log = (m: string) => process.stderr.write(`${m}\n`);

/** Quick sizes keep the smoke test to seconds; full sizes are the issue's. */
const SIZES = quick
  ? { core: [100, 1000], trips: [10, 100, 1000], github: 100, manifest: 1000, classify: 10_000, startup: 3 }
  : {
      core: [1000, 10_000, 100_000],
      trips: [10, 100, 1000],
      github: 10_000,
      manifest: 10_000,
      classify: 100_000,
      startup: 11,
    };

const skipped: Record<string, string> = {};
for (const s of SUITES) if (!only.has(s)) skipped[s] = 'not selected (--only)';
const labReady = !quick && values['no-lab'] !== true && existsSync(LAB_JSON);
if (only.has('lab') && !labReady) {
  skipped.lab = quick
    ? 'quick mode'
    : values['no-lab']
      ? '--no-lab'
      : `no lab (${LAB_JSON}; run bash scripts/lab/up.sh)`;
}

const failed: string[] = [];

async function suite<T>(name: (typeof SUITES)[number], run: () => Promise<T> | T): Promise<T | null> {
  if (skipped[name] !== undefined) return null;
  log(`bench: ${name}…`);
  const started = performance.now();
  try {
    const result = await run();
    log(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    // A suite that breaks is a miss under --check, never a silent pass.
    failed.push(`${name}.failed`);
    skipped[name] = `failed: ${error instanceof Error ? error.message : String(error)}`;
    log(`bench: ${name} ${skipped[name]}`);
    return null;
  }
}

const startedAt = new Date();
const loadBefore = loadavg()[0] ?? 0;
const pairs = Math.max(1, Number(values.pairs));
const suites: BenchSuites = {
  core: await suite('core', () => runCore(SIZES.core, quick ? 60_000 : 300_000)),
  // In full mode the lab suite counts round trips on the real cluster; quick mode simulates it.
  lab: await suite('lab', () => runLab(pairs, log)),
  startup: await suite('startup', () => runStartup(SIZES.startup)),
  roundTrips: null,
  github: await suite('github', () => runGitHub(SIZES.github)),
  manifest: await suite('manifest', () => runManifest(SIZES.manifest, quick ? 2 : 5)),
  classify: await suite('classify', () => runClassify(SIZES.classify)),
};
const trips =
  suites.lab?.roundTrips ??
  (await suite('roundtrips', () =>
    measureRoundTrips('simulated', SIZES.trips, async (size) => {
      const s = buildSweep(size);
      return {
        config: s.config,
        manifest: s.launched,
        transport: new SimTransport(liveCluster(s.jobs, s.clusterNow)),
        now: s.now,
      };
    })));

const partial: Omit<BenchResults, 'checks' | 'missed'> = {
  schema: RESULTS_SCHEMA,
  mode: quick ? 'quick' : 'full',
  startedAt: startedAt.toISOString(),
  seconds: (Date.now() - startedAt.getTime()) / 1000,
  machine: {
    cpus: cpus().length,
    node: process.version,
    platform: process.platform,
    load: [loadBefore, loadavg()[0] ?? 0],
  },
  suites: { ...suites, roundTrips: trips },
  skipped,
};
const checks = checksOf({ ...partial, checks: [], missed: [] });
const missed = [...failed, ...checks.filter((c) => !c.pass).map((c) => c.id)];
const results: BenchResults = { ...partial, checks, missed };

say(renderTables(results));
if (values.json !== undefined) {
  const text = `${JSON.stringify(results, null, 2)}\n`;
  if (jsonToStdout) process.stdout.write(text);
  else writeFileSync(values.json, text);
}
if (values.check === true && results.missed.length > 0) {
  say(`\n${results.missed.length} target(s) missed: ${results.missed.join(', ')}\n`);
  process.exitCode = 1;
}
