/**
 * The log-tails script run by the local /bin/sh (dash here, as on Debian login nodes) against
 * real files: exact limits, odd names, the size fallbacks, a cut-short answer, and how many
 * processes it starts per file (the login node is shared; see issue #10).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/adapters/local/local-transport.js';
import { LOG_TAILS_SCRIPT, readTails } from '../../src/adapters/slurm/log-tails.js';
import { SCRIPT_PRELUDE } from '../../src/adapters/slurm/sections.js';
import type { LogTailRequest } from '../../src/ports/scheduler.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/ports/transport.js';

const root = mkdtempSync(join(tmpdir(), 'sweepwatch-log-tails-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const NONCE = 'n0nce-log-tails';

/** Where the real command lives, for the counting wrappers to hand over to. */
function real(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (found === '') throw new Error(`no ${name} on this machine`);
  return found;
}

/**
 * A directory of files and a PATH whose tail, stat, wc and tr log each start and then run the
 * real one, unless `replace` gives a stand-in body (to play a non-GNU or unlucky stat).
 */
function lab(replace: Record<string, string> = {}) {
  const dir = join(root, `l${counter++}`);
  const bin = join(dir, '.bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, '.calls');
  writeFileSync(log, '');
  for (const name of ['tail', 'stat', 'wc', 'tr']) {
    const body = replace[name] ?? `exec '${real(name)}' "$@"`;
    writeFileSync(join(bin, name), `#!/bin/sh\necho ${name} >> '${log}'\n${body}\n`, { mode: 0o755 });
  }
  const transport = new LocalTransport({
    cwd: dir,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  const file = (name: string, content: string) => {
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
  return { dir, transport, file, calls };
}

function read(t: Transport, requests: LogTailRequest[], max: number, maxTotalBytes = 1 << 20) {
  return readTails(t, requests, max, { nonce: NONCE, maxTotalBytes, timeoutMs: 20_000 });
}

describe('log tails: what the user gets per file', () => {
  it('a file exactly at the limit is whole; one byte more is truncated to its last bytes', async () => {
    const { transport, file } = lab();
    const at = file('at.log', '123456789\n');
    const over = file('over.log', '0123456789\n');
    const tails = await read(
      transport,
      [
        { jobId: '1', paths: [at] },
        { jobId: '2', paths: [over] },
      ],
      10,
    );
    expect(tails.get('1')).toMatchObject({ text: '123456789', truncated: false });
    expect(tails.get('1')?.files).toEqual([{ path: at, missing: false, size: 10, truncated: false }]);
    expect(tails.get('2')).toMatchObject({ text: '123456789', truncated: true });
    expect(tails.get('2')?.files).toEqual([{ path: over, missing: false, size: 11, truncated: true }]);
  });

  it('an empty file is there and whole; a missing path or a directory is missing, not an error', async () => {
    const { transport, file, dir } = lab();
    const empty = file('empty.log', '');
    const gone = join(dir, 'gone.log');
    mkdirSync(join(dir, 'adir'));
    const tails = await read(transport, [{ jobId: '1', paths: [empty, gone, join(dir, 'adir')] }], 100);
    expect(tails.get('1')).toEqual({
      text: '',
      truncated: false,
      missing: [gone, join(dir, 'adir')],
      files: [
        { path: empty, missing: false, size: 0, truncated: false },
        { path: gone, missing: true, size: 0, truncated: false },
        { path: join(dir, 'adir'), missing: true, size: 0, truncated: false },
      ],
    });
  });

  it('names with newlines, quotes, spaces or a leading dash each get their own tail and size', async () => {
    const { transport, file } = lab();
    // A marker with a near-miss nonce inside the log, too: it is content, not framing.
    const forged = `@@SW:${NONCE}x:end:file:0:0\nfirst\n`;
    const nl = file('a\nb \'q\' "d" $x `y`.log', forged);
    file('-n', 'dash file\n');
    file('--', 'double dash, longer\n');
    // Relative to the working directory, so the argument itself starts with a dash.
    const tails = await read(transport, [{ jobId: '1', paths: [nl, '-n', '--'] }], 100);
    expect(tails.get('1')?.text).toBe(`@@SW:${NONCE}x:end:file:0:0\nfirst\ndash file\ndouble dash, longer`);
    expect(tails.get('1')?.files.map((f) => [f.path, f.size, f.truncated])).toEqual([
      [nl, forged.length, false],
      ['-n', 10, false],
      ['--', 20, false],
    ]);
  });

  it('the per-file budget shrinks so the whole answer fits maxTotalBytes', async () => {
    const { transport, file } = lab();
    const paths = ['a', 'b', 'c'].map((n) => file(`${n}.log`, `${n.repeat(19)}\n`));
    const tails = await read(transport, [{ jobId: '1', paths }], 100, 30);
    expect(tails.get('1')?.text).toBe('aaaaaaaaa\nbbbbbbbbb\nccccccccc');
    expect(tails.get('1')?.files.map((f) => [f.size, f.truncated])).toEqual([
      [20, true],
      [20, true],
      [20, true],
    ]);
  });
});

describe('log tails: cost on the login node', () => {
  it('starts one tail per file and a single stat for all sizes, no wc or tr', async () => {
    const { transport, file, calls } = lab();
    const paths = Array.from({ length: 12 }, (_, i) => file(`f${i}.log`, 'x'.repeat(100 + i)));
    const tails = await read(transport, [{ jobId: '1', paths }], 50);
    expect(tails.get('1')?.files.map((f) => f.size)).toEqual(paths.map((_, i) => 100 + i));
    expect(calls()).toEqual({ tail: 12, stat: 1 });
  });

  it('forks no subshell or pipeline per file: the script body is builtins plus tail and stat', () => {
    const body = LOG_TAILS_SCRIPT.slice(SCRIPT_PRELUDE.length);
    expect(LOG_TAILS_SCRIPT.startsWith(SCRIPT_PRELUDE)).toBe(true);
    expect(body).not.toMatch(/\$\(\s*[^(]|`|[^|]\|[^|]/);
  });
});

describe('log tails: sizes when stat lets us down', () => {
  it('without GNU stat (BSD says -c is illegal) sizes still come right, one wc per file', async () => {
    const { transport, file, calls } = lab({ stat: "echo 'stat: illegal option -- c' >&2; exit 1" });
    const small = file('small.log', 'ok\n');
    const big = file('big.log', 'y'.repeat(300));
    const tails = await read(transport, [{ jobId: '1', paths: [small, big] }], 100);
    expect(tails.get('1')?.files.map((f) => [f.size, f.truncated])).toEqual([
      [3, false],
      [300, true],
    ]);
    expect(calls()).toEqual({ tail: 2, stat: 1, wc: 2 });
  });

  it('a file that vanished before stat (one size short) never lends its size to another', async () => {
    // GNU stat skips the vanished file: one line fewer, and exit 1.
    const { transport, file } = lab({ stat: "echo 7; echo 'stat: cannot statx' >&2; exit 1" });
    const a = file('a.log', 'aaaa\n');
    const b = file('b.log', 'b'.repeat(250));
    const tails = await read(transport, [{ jobId: '1', paths: [a, b] }], 100);
    expect(tails.get('1')?.files.map((f) => [f.size, f.truncated])).toEqual([
      [5, false],
      [250, true],
    ]);
  });

  it('a stat answer with the wrong number of lines is not trusted: the tails count as truncated', async () => {
    const { transport, file } = lab({ stat: 'echo 5' });
    const a = file('a.log', 'aaaa\n');
    const b = file('b.log', 'bb\n');
    const tails = await read(transport, [{ jobId: '1', paths: [a, b] }], 100);
    expect(tails.get('1')?.text).toBe('aaaa\nbb');
    expect(tails.get('1')?.files.every((f) => f.truncated && !f.missing)).toBe(true);
  });
});

/** Runs the real script but keeps stdout only up to `cut` characters after `marker`. */
function cutAfter(inner: Transport, marker: string, cut: number): Transport {
  return {
    async exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
      const r = await inner.exec(argv, options);
      const at = r.stdout.indexOf(marker);
      if (at < 0) throw new Error(`no ${marker} in the output`);
      return { ...r, stdout: r.stdout.slice(0, at + marker.length + cut), stdoutTruncated: true };
    },
    close: () => inner.close(),
    stats: () => inner.stats(),
  };
}

describe('log tails: an answer cut short (output cap)', () => {
  it('the cut file and the files never reached are truncated, never missing', async () => {
    const { transport, file, dir } = lab();
    const whole = file('whole.log', 'whole\n');
    const cut = file('cut.log', 'partial line\n');
    const later = file('later.log', 'never read\n');
    const gone = join(dir, 'gone.log');
    const cutShort = cutAfter(transport, `@@SW:${NONCE}:begin:file:1\n`, 4);
    const tails = await read(cutShort, [{ jobId: '1', paths: [whole, cut, later, gone] }], 100);
    expect(tails.get('1')).toMatchObject({ text: 'whole\npart', truncated: true, missing: [] });
    expect(tails.get('1')?.files.map((f) => [f.missing, f.truncated])).toEqual([
      [false, true],
      [false, true],
      [false, true],
      [false, true],
    ]);
  });
});
