/**
 * A scratch directory for the log-tails script run by the local /bin/sh, with a PATH whose
 * commands log each start and then run the real one (unless `replace` gives a stand-in body, to
 * play a non-GNU tool or an unlucky race). The commands wrapped are every one the script or its
 * prelude could start, so the log is the script's whole process count. TMPDIR points inside the
 * directory so a test can see the separator file come and go.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTransport } from '../../src/adapters/local/local-transport.js';
import { readTails } from '../../src/adapters/slurm/log-tails.js';
import type { LogTailRequest } from '../../src/ports/scheduler.js';
import type { Transport } from '../../src/ports/transport.js';

export const NONCE = 'n0nce-log-tails';
const WRAPPED = [
  'tail',
  'stat',
  'wc',
  'tr',
  'rm',
  'id',
  'date',
  'cat',
  'head',
  'mktemp',
  'od',
  'base64',
  'dd',
];

let root: string | undefined;
let counter = 0;

/** Where the real command lives, for the wrappers (and stand-ins) to hand over to. */
export function real(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (found === '') throw new Error(`no ${name} on this machine`);
  return found;
}

export function removeLabs(): void {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
}

export function tailsLab(replace: Record<string, string> = {}) {
  root ??= mkdtempSync(join(tmpdir(), 'sweepwatch-log-tails-'));
  const dir = join(root, `l${counter++}`);
  const bin = join(dir, '.bin');
  const tmp = join(dir, '.tmp');
  mkdirSync(bin, { recursive: true });
  mkdirSync(tmp);
  const log = join(dir, '.calls');
  writeFileSync(log, '');
  for (const name of WRAPPED) {
    const body = replace[name] ?? `exec '${real(name)}' "$@"`;
    writeFileSync(join(bin, name), `#!/bin/sh\necho ${name} >> '${log}'\n${body}\n`, { mode: 0o755 });
  }
  const transport = new LocalTransport({
    cwd: dir,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, TMPDIR: tmp },
  });
  const file = (name: string, content: string | Uint8Array) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const calls = () => {
    const counts: Record<string, number> = {};
    for (const c of readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== ''))
      counts[c] = (counts[c] ?? 0) + 1;
    return counts;
  };
  /** What is left in TMPDIR (the separator file must not outlive the call). */
  const leftovers = () => readdirSync(tmp);
  return { dir, tmp, transport, file, calls, leftovers };
}

export function read(t: Transport, requests: LogTailRequest[], max: number, maxTotalBytes = 1 << 20) {
  return readTails(t, requests, max, { nonce: NONCE, maxTotalBytes, timeoutMs: 20_000 });
}
