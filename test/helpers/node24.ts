import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A real Node 24 binary, the runtime GitHub uses for `runs.using: node24`. It comes from the npm
 * registry's `node` package, installed once into node_modules/.cache (wiped by `npm ci`, so a
 * clean clone fetches it again; nothing outside the repo is touched).
 */
const DIR = join(process.cwd(), 'node_modules', '.cache', 'sweepwatch-node24');
const BIN = join(DIR, 'node_modules', '.bin', 'node');

export function node24(): string {
  if (!existsSync(BIN)) {
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', DIR, 'node@24'],
      {
        stdio: 'pipe',
        timeout: 240_000,
      },
    );
  }
  const version = execFileSync(BIN, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) throw new Error(`expected Node 24 at ${BIN}, got ${version}`);
  return BIN;
}
