// Type checking is `npm run typecheck`'s job; ncc only transpiles, which keeps packaging fast.
// Bundles the Action (dist/index.js) and the CLI (dist/cli/index.js) with ncc, each with its
// licenses file and source map. ncc writes ESM because package.json says "type": "module".
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const entries = [
  { input: 'src/index.ts', out: 'dist' },
  { input: 'src/cli/index.ts', out: 'dist/cli' },
];

rmSync('dist', { recursive: true, force: true });
for (const { input, out } of entries) {
  execFileSync(
    process.execPath,
    ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', input, '-o', out, '--source-map', '--license', 'licenses.txt', '--target', 'es2022', '--transpile-only', '--quiet'],
    { stdio: 'inherit' },
  );
}

// ssh2's optional native addon is compiled for whatever Node ran npm ci; ncc copies it when it
// exists. ssh2 falls back to pure JavaScript without it, and a committed binary for one ABI
// would only make dist/ differ between machines, so it never ships.
for (const entry of readdirSync('dist', { recursive: true, withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith('.node')) rmSync(join(entry.parentPath, entry.name));
}
removeEmptyDirs('dist');

function removeEmptyDirs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyDirs(join(dir, entry.name));
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

// The CLI is run as `sweepwatch`, so it needs a shebang and the executable bit.
const cli = 'dist/cli/index.js';
const source = readFileSync(cli, 'utf8');
if (!source.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${source}`);
chmodSync(cli, 0o755);
