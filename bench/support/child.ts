/**
 * Runs a benchmark script in a fresh Node process, so a measurement has its own heap, its own
 * JIT warm-up and its own peak RSS: with tsx, as `npm run bench` runs, or bundled by ncc as the
 * Action is (bundleScript), on plain node.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/**
 * `script` (TypeScript) bundled into `dir` by ncc with the flags scripts/package.mjs builds the
 * Action with; returns the bundle's path. Run on plain node, it has no tsx: tsx transpiles in a
 * loader thread, a second V8 heap of its own, ~45 MB of RSS the Action never has.
 */
export function bundleScript(script: string, dir: string): string {
  const ncc = join(REPO_ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
  const flags = ['-o', dir, '--target', 'es2022', '--transpile-only', '--quiet'];
  execFileSync(process.execPath, [ncc, 'build', script, ...flags], { cwd: REPO_ROOT, stdio: 'pipe' });
  return join(dir, 'index.js');
}

export function runTsx(script: string, args: readonly string[], timeoutMs: number): Promise<ChildResult> {
  return runNode(['--import', 'tsx', script, ...args], timeoutMs);
}

/** `node <argv>` in the repository, its output collected, killed after `timeoutMs`. */
export function runNode(argv: readonly string[], timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...argv], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The last line of a child's stdout, parsed: children print their result as one JSON line. */
export function lastJsonLine<T>(r: ChildResult, what: string): T {
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    const why = r.timedOut ? 'timed out' : `exited ${r.code}`;
    throw new Error(`${what} ${why}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
}
