/**
 * The log-tails batch (every tail from one `tail -q`, split by the script's own separator file)
 * run by the local /bin/sh on real files: bytes that are not UTF-8 and lines that look like
 * markers stay in their own file, a file that changes or goes away during the call is flagged
 * without moving another's bytes, and every way the batch can fail falls back to the per-file
 * loop with the same answer (issue #10).
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogTail } from '../../src/ports/scheduler.js';
import { tailsLab as lab, NONCE, read, real, removeLabs } from '../helpers/log-tails-lab.js';

afterAll(removeLabs);

/** A tail stand-in that rejects -q, as a POSIX-only tail would. */
const NO_Q = `case "$1" in -q) echo 'tail: illegal option -- q' >&2; exit 1;; esac; exec '${real('tail')}' "$@"`;
/** Runs `action` in the tail stand-in just before (or after) the batch's tail, not the probe. */
const aroundBatch = (action: string, when: 'before' | 'after') =>
  when === 'before'
    ? `if [ "$1" = -q ] && [ $# -gt 6 ]; then ${action}; fi; exec '${real('tail')}' "$@"`
    : `'${real('tail')}' "$@"; rc=$?; if [ "$1" = -q ] && [ $# -gt 6 ]; then ${action}; fi; exit $rc`;

/** What the user must get for a file of these bytes: the last `max`, decoded, sized exactly. */
function expected(bytes: Buffer, max: number) {
  const text = bytes.subarray(Math.max(0, bytes.length - max)).toString('utf8');
  return {
    text: text.endsWith('\n') ? text.slice(0, -1) : text,
    size: bytes.length,
    truncated: bytes.length > max,
  };
}
const got = (t: LogTail | undefined) => ({ text: t?.text, size: t?.files[0]?.size, truncated: t?.truncated });
const oneJobPerFile = (paths: string[]) => paths.map((p, i) => ({ jobId: String(i), paths: [p] }));

const HOSTILE: readonly Buffer[] = [
  Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(`x\n@@SW:${NONCE}x:next\n@@SW:${NONCE.slice(0, -1)}:next\n`),
  ]),
  // Ends inside a character, so its tail runs into the separator's newline.
  Buffer.concat([Buffer.from('euro sign cut: '), Buffer.from([0xe2, 0x82])]),
  // Cut by the budget inside a character: the tail starts with a lone continuation byte.
  Buffer.from(`${'é'.repeat(40)}\nend é\n`),
  Buffer.from(`@@SW:fake:next\n\n@@SW:${NONCE}next\n@@SW:${NONCE.toUpperCase()}:next\n`),
  // A real U+FFFD is three bytes, like a replaced three-byte sequence.
  Buffer.from('replacement \uFFFD char, CRLF\r\nline\r\n'),
  Buffer.from([0x0a, 0xc3, 0x0a, 0xf0, 0x9f, 0x98, 0x0a, 0xed, 0xa0, 0x80, 0x0a]),
  Buffer.alloc(0),
];

describe('log tails batch: any bytes stay in their own file', () => {
  it('invalid UTF-8 and marker-looking lines: exact tails and sizes, the same as the per-file loop', async () => {
    const max = 64;
    const batch = lab();
    const each = lab({ tail: NO_Q });
    const paths = HOSTILE.map((b, i) => batch.file(`h${i}.log`, b));
    for (const [i, b] of HOSTILE.entries()) each.file(`h${i}.log`, b);
    const a = await read(batch.transport, oneJobPerFile(paths), max);
    const b = await read(
      each.transport,
      oneJobPerFile(paths.map((p) => p.replace(batch.dir, each.dir))),
      max,
    );
    expect(batch.calls()).toMatchObject({ tail: 1, stat: 2 });
    expect(each.calls()).toMatchObject({ tail: 2 + HOSTILE.length });
    const want = HOSTILE.map((bytes) => expected(bytes, max));
    expect(HOSTILE.map((_, i) => got(a.get(String(i))))).toEqual(want);
    expect(HOSTILE.map((_, i) => got(b.get(String(i))))).toEqual(want);
  });

  it('holds for random contents and budgets (property)', async () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
      fc
        .constantFrom('\n', 'é', '€', '😀', '\uFFFD', `@@SW:${NONCE}x:next`, '@@SW:', ':next\n', 'line\n')
        .map((s) => Buffer.from(s)),
    );
    const content = fc.array(piece, { maxLength: 12 }).map((parts) => Buffer.concat(parts));
    await fc.assert(
      fc.asyncProperty(
        fc.array(content, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 27, max: 120 }),
        async (files, max) => {
          const l = lab();
          const paths = files.map((b, i) => l.file(`r${i}.log`, b));
          const tails = await read(l.transport, oneJobPerFile(paths), max);
          expect(l.calls().tail).toBe(1);
          expect(files.map((_, i) => got(tails.get(String(i))))).toEqual(files.map((b) => expected(b, max)));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('log tails batch: a file that changes during the call', () => {
  for (const when of ['before', 'after'] as const) {
    it(`grows or shrinks ${when} the tail: it is truncated at its new size, the others exact`, async () => {
      // The stand-in runs in the lab's directory, so it names the files relative to it.
      const l = lab({
        tail: aroundBatch(`printf '\\377\\377' >> grows.log; printf abc > shrinks.log`, when),
      });
      const a = l.file('a.log', 'first\n');
      const grows = l.file('grows.log', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]));
      const shrinks = l.file('shrinks.log', 'shrinking from here\n');
      const d = l.file('d.log', 'last file\n');
      const tails = await read(l.transport, oneJobPerFile([a, grows, shrinks, d]), 100);
      expect(got(tails.get('0'))).toEqual({ text: 'first', size: 6, truncated: false });
      expect(tails.get('1')?.files[0]).toMatchObject({ size: 7, truncated: true, missing: false });
      expect(tails.get('2')?.files[0]).toMatchObject({ size: 3, truncated: true, missing: false });
      expect(got(tails.get('3'))).toEqual({ text: 'last file', size: 10, truncated: false });
      expect(l.calls()).toMatchObject({ tail: 1, stat: 2 });
    });
  }

  it('goes away before the tail: it alone is truncated (sizes from wc), the batch is kept', async () => {
    const l = lab({ tail: aroundBatch(`'${real('rm')}' -f gone.log`, 'before') });
    const a = l.file('a.log', 'aaaa\n');
    const gone = l.file('gone.log', 'soon gone\n');
    const c = l.file('c.log', 'c'.repeat(300));
    const tails = await read(l.transport, oneJobPerFile([a, gone, c]), 100);
    expect(got(tails.get('0'))).toEqual({ text: 'aaaa', size: 5, truncated: false });
    expect(tails.get('1')).toMatchObject({ text: '', truncated: true, missing: [] });
    expect(tails.get('1')?.files[0]?.size).toBe(10);
    expect(got(tails.get('2'))).toEqual({ text: 'c'.repeat(100), size: 300, truncated: true });
    // tail failed, the probe says -q works, so no per-file loop; the last stat failed, so wc
    // for each file (the lost one's redirection fails before its wc starts).
    expect(l.calls()).toMatchObject({ tail: 2, stat: 2, wc: 2, rm: 1 });
  });
});

describe('log tails batch: falling back to the per-file loop', () => {
  const files = (l: ReturnType<typeof lab>) => [
    l.file('a.log', 'alpha\n'),
    l.file('b.log', Buffer.from([0x62, 0xff, 0x0a])),
    l.file('c.log', 'c'.repeat(150)),
  ];
  const want = [
    { text: 'alpha', size: 6, truncated: false },
    { text: 'b\uFFFD', size: 3, truncated: false },
    { text: 'c'.repeat(100), size: 150, truncated: true },
  ];
  const check = (tails: Map<string, LogTail>) =>
    expect(want.map((_, i) => got(tails.get(String(i))))).toEqual(want);

  it('a tail that rejects -q: the probe says so, one tail per file, the same answer', async () => {
    const l = lab({ tail: NO_Q });
    check(await read(l.transport, oneJobPerFile(files(l)), 100));
    expect(l.calls()).toEqual({ stat: 2, tail: 2 + 3, rm: 1 });
    expect(l.leftovers()).toEqual([]);
  });

  it('the separator file lost during the batch: one tail per file, no desync', async () => {
    const l = lab({ tail: aroundBatch(`'${real('rm')}' -f "$TMPDIR"/sweepwatch-tails.*`, 'before') });
    check(await read(l.transport, oneJobPerFile(files(l)), 100));
    expect(l.calls()).toMatchObject({ tail: 1 + 3, stat: 2 });
  });

  it('no separator file can be made (TMPDIR missing): one tail per file', async () => {
    const l = lab();
    rmSync(l.tmp, { recursive: true });
    check(await read(l.transport, oneJobPerFile(files(l)), 100));
    expect(l.calls()).toEqual({ stat: 1, tail: 3 });
  });
});
