/**
 * Process start-up of the bundled Action (dist/index.js): from spawn to its first stdout line,
 * with an input that fails right after the inputs are parsed (an unknown mode), so nothing but
 * loading the bundle and reading the inputs is timed. `node -e` printing one line is the same
 * measurement of Node itself; runs alternate between the two, and medians are reported.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/child.js';
import { median } from '../support/stats.js';

export interface StartupResult {
  readonly entry: string;
  readonly runs: number;
  /** Spawn → first stdout line of dist/index.js, ms (median). */
  readonly firstLineMs: number;
  /** Spawn → exit of dist/index.js, ms (median). */
  readonly exitMs: number;
  /** Spawn → first line of `node -e 'console.log(1)'`, ms (median): Node's own share. */
  readonly nodeFirstLineMs: number;
}

function timeFirstLine(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ firstLine: number; exit: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstLine = Number.NaN;
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (Number.isNaN(firstLine) && d.includes('\n')) firstLine = performance.now() - started;
    });
    child.on('error', reject);
    child.on('close', () => resolve({ firstLine, exit: performance.now() - started }));
  });
}

export async function runStartup(runs: number): Promise<StartupResult> {
  const entry = join(REPO_ROOT, 'dist/index.js');
  if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run package` first');
  // What a runner passes, minus anything that would let the run go further than the inputs.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    INPUT_MODE: 'bench-startup',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_REPOSITORY: 'bench/sweeps',
  };
  const action: { firstLine: number; exit: number }[] = [];
  const node: { firstLine: number; exit: number }[] = [];
  await timeFirstLine([entry], env); // warm the page cache once
  for (let i = 0; i < runs; i++) {
    action.push(await timeFirstLine([entry], env));
    node.push(await timeFirstLine(['-e', 'console.log(1)'], env));
  }
  return {
    entry: 'dist/index.js',
    runs,
    firstLineMs: median(action.map((r) => r.firstLine)),
    exitMs: median(action.map((r) => r.exit)),
    nodeFirstLineMs: median(node.map((r) => r.firstLine)),
  };
}
