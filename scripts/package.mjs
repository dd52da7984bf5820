// Type checking is `npm run typecheck`'s job; ncc only transpiles, which keeps packaging fast.
// Bundles the Action (dist/index.js) and the CLI (dist/cli/index.js) with ncc, each with its
// licenses file and source map. ncc writes ESM because package.json says "type": "module".
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

// `--out DIR` builds elsewhere (the dist test compares such a build with the committed dist/).
// DIR must sit at the repo root like dist/, so that source-map paths come out the same.
const outFlag = process.argv.indexOf('--out');
const DIST = outFlag > 0 ? process.argv[outFlag + 1] : 'dist';
if (!DIST || DIST.includes('/')) throw new Error('--out takes a folder name at the repository root');

const entries = [
  { input: 'src/index.ts', out: DIST },
  { input: 'src/cli/index.ts', out: `${DIST}/cli` },
];

// ssh2's optional native addons (its crypto binding and cpu-features) exist in node_modules
// only where their install scripts ran; package.json denies those scripts, but a machine that
// allowed them would bundle different code. They are hidden during the build, so the bundle is
// the same everywhere, and ssh2 uses its JavaScript fallback.
const NATIVE = ['node_modules/ssh2/lib/protocol/crypto/build', 'node_modules/cpu-features/build'];
const hidden = NATIVE.filter((dir) => existsSync(dir));
for (const dir of hidden) renameSync(dir, `${dir}.sweepwatch-hidden`);
process.on('exit', () => {
  for (const dir of hidden) renameSync(`${dir}.sweepwatch-hidden`, dir);
});

rmSync(DIST, { recursive: true, force: true });
for (const { input, out } of entries) {
  execFileSync(
    process.execPath,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      input,
      '-o',
      out,
      '--source-map',
      '--license',
      'licenses.txt',
      '--target',
      'es2022',
      '--transpile-only',
      '--quiet',
    ],
    { stdio: 'inherit' },
  );
}

// Belt and braces: no compiled addon (built for one Node ABI) ever ships in dist/.
for (const entry of readdirSync(DIST, { recursive: true, withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith('.node')) rmSync(join(entry.parentPath, entry.name));
}
removeEmptyDirs(DIST);

function removeEmptyDirs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyDirs(join(dir, entry.name));
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

// The CLI is run as `sweepwatch`, so it needs a shebang and the executable bit.
const cli = `${DIST}/cli/index.js`;
const source = readFileSync(cli, 'utf8');
if (!source.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${source}`);
chmodSync(cli, 0o755);
