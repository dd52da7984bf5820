/**
 * The log-tails script run by the local /bin/sh (dash here, as on Debian login nodes) against
 * real files: exact limits, odd names, the size fallbacks, a cut-short answer, and how many
 * processes it starts (the login node is shared; see issue #10). The batch's races and its
 * fallback: slurm-log-tails-batch.test.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_TAILS_SCRIPT } from '../../src/adapters/slurm/log-tails.js';
import { SCRIPT_FRAMING } from '../../src/adapters/slurm/sections.js';
import type { LogTail } from '../../src/ports/scheduler.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/ports/transport.js';
import { tailsLab as lab, NONCE, read, real, removeLabs } from '../helpers/log-tails-lab.js';

afterAll(removeLabs);

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
    const { transport, file, calls } = lab();
    const paths = ['a', 'b', 'c'].map((n) => file(`${n}.log`, `${n.repeat(19)}\n`));
    const tails = await read(transport, [{ jobId: '1', paths }], 100, 30);
    expect(tails.get('1')?.text).toBe('aaaaaaaaa\nbbbbbbbbb\nccccccccc');
    expect(tails.get('1')?.files.map((f) => [f.size, f.truncated])).toEqual([
      [20, true],
      [20, true],
      [20, true],
    ]);
    // 10 bytes cannot hold the batch's separator line: one tail per file instead.
    expect(calls()).toMatchObject({ tail: 3, stat: 1 });
  });
});

describe('log tails: cost on the login node', () => {
  it('starts the same few processes for 50 files as for one: two stats, one tail, one rm', async () => {
    const { transport, file, calls, leftovers } = lab();
    const paths = Array.from({ length: 50 }, (_, i) => file(`f${i}.log`, 'x'.repeat(100 + i)));
    const tails = await read(transport, [{ jobId: '1', paths }], 50);
    expect(tails.get('1')?.files.map((f) => [f.size, f.truncated])).toEqual(
      paths.map((_, i) => [100 + i, true]),
    );
    expect(tails.get('1')?.text).toBe(paths.map(() => 'x'.repeat(50)).join('\n'));
    // Not even the prelude's id and date: the framing alone (builtins).
    expect(calls()).toEqual({ stat: 2, tail: 1, rm: 1 });
    expect(Object.values(calls()).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(4);
    expect(leftovers()).toEqual([]);
  });

  it('forks no subshell or pipeline: the script is builtins plus tail, stat, rm (wc as fallback)', () => {
    expect(LOG_TAILS_SCRIPT.startsWith(SCRIPT_FRAMING)).toBe(true);
    expect(LOG_TAILS_SCRIPT).not.toMatch(/\$\(\s*[^(]|`|[^|]\|[^|]/);
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
    // The stat before the batch failed: the per-file loop, and no second stat.
    expect(calls()).toEqual({ tail: 2, stat: 1, wc: 2, rm: 1 });
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
  const setup = (replace: Record<string, string> = {}) => {
    const { transport, file, dir } = lab(replace);
    const paths = [
      file('whole.log', 'whole\n'),
      file('cut.log', 'partial line\n'),
      file('later.log', 'never\n'),
    ];
    return { transport, paths: [...paths, join(dir, 'gone.log')], gone: join(dir, 'gone.log') };
  };
  const expectCut = (tail: LogTail | undefined, text: string, gone: string) => {
    // The missing metas come before any tail, so the unread path is still known to be missing.
    expect(tail).toMatchObject({ text, truncated: true, missing: [gone] });
    expect(tail?.files.map((f) => [f.missing, f.truncated])).toEqual([
      [false, true],
      [false, true],
      [false, true],
      [true, false],
    ]);
  };

  it('the cut file and the files never reached are truncated, never missing', async () => {
    const { transport, paths, gone } = setup();
    const cutShort = cutAfter(transport, `@@SW:${NONCE}:next\n`, 4);
    expectCut((await read(cutShort, [{ jobId: '1', paths }], 100)).get('1'), 'whole\npart', gone);
  });

  it('a cut inside a separator leaves none of it in the tail', async () => {
    const { transport, paths, gone } = setup();
    const cutShort = cutAfter(transport, `whole\n\n@@SW:${NONCE.slice(0, 5)}`, 0);
    expectCut((await read(cutShort, [{ jobId: '1', paths }], 100)).get('1'), 'whole', gone);
  });

  it('the same in the per-file fallback (a tail without -q)', async () => {
    const { transport, paths, gone } = setup({
      tail: `[ "$1" = -q ] && exit 1; exec '${real('tail')}' "$@"`,
    });
    const cutShort = cutAfter(transport, `@@SW:${NONCE}:begin:file:1\n`, 4);
    expectCut((await read(cutShort, [{ jobId: '1', paths }], 100)).get('1'), 'whole\npart', gone);
  });
});
