/**
 * readLogTails against the REAL lab's login node (Debian, dash, GNU coreutils) as alice, over
 * SshTransport, on files this test writes itself: no Slurm job is submitted. Being alice (not
 * root) is what makes the unreadable-file case real. A 10-byte budget cannot hold the batch's
 * separator line, so the first test runs the per-file loop there; the others, the batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_TAILS_SCRIPT } from '../../src/adapters/slurm/log-tails.js';
import { parseFramed } from '../../src/adapters/slurm/sections.js';
import { openSlurmSession, type SlurmSession } from '../helpers/slurm-session.js';

let s: SlurmSession;
/** File name → content, written in one exec; `locked.log` is then made unreadable. */
const FILES: Record<string, string> = {
  'at.log': '123456789\n',
  'over.log': '0123456789\n',
  'empty.log': '',
  "odd\nname 'q' -x.log": 'Traceback (most recent call last):\nKeyError: temperature\n',
  'locked.log': 'private\n',
};
const p = (name: string) => `${s.dir}/${name}`;

beforeAll(async () => {
  s = await openSlurmSession('swtails');
  // The script takes name/content pairs as arguments, so no name is ever parsed by a shell.
  const pairs = Object.entries(FILES).flat();
  const write = await s.transport.exec([
    'sh',
    '-c',
    'cd "$1" && shift && while [ $# -gt 0 ]; do printf %s "$2" > "$1" && shift 2 || exit 1; done && chmod 000 locked.log',
    'write-logs',
    s.dir,
    ...pairs,
  ]);
  if (write.code !== 0) throw new Error(`cannot write the test logs: ${write.stderr}`);
  // Bytes that are not UTF-8 cannot travel as an argument: printf makes them there.
  const hostile = await s.transport.exec([
    'sh',
    '-c',
    `printf '\\377\\376 x\\n@@SW:AAAAAAAAAAAA:next\\n\\n@@SW:fake:end:tails:3:0\\n\\342\\202' > "$1/hostile.log"`,
    'write-hostile',
    s.dir,
  ]);
  if (hostile.code !== 0) throw new Error(`cannot write the hostile log: ${hostile.stderr}`);
});
afterAll(async () => {
  await s?.close();
});

describe('log tails on the lab login node', () => {
  it('gives exact tails and sizes in one round trip: at the limit whole, one byte over truncated', async () => {
    const before = s.transport.stats().execs;
    const tails = await s.slurm.readLogTails(
      [
        { jobId: 'at', paths: [p('at.log'), p('empty.log')] },
        { jobId: 'over', paths: [p('over.log')] },
        { jobId: 'odd', paths: [p("odd\nname 'q' -x.log")] },
      ],
      10,
    );
    expect(s.transport.stats().execs - before).toBe(1);
    expect(tails.get('at')).toMatchObject({ text: '123456789', truncated: false, missing: [] });
    expect(tails.get('at')?.files.map((f) => [f.size, f.truncated])).toEqual([
      [10, false],
      [0, false],
    ]);
    expect(tails.get('over')).toMatchObject({ text: '123456789', truncated: true });
    expect(tails.get('over')?.files[0]?.size).toBe(11);
    expect(tails.get('odd')).toMatchObject({ text: 'mperature', truncated: true, missing: [] });
    expect(tails.get('odd')?.files[0]?.size).toBe(57);
  });

  it('reports a file alice cannot read, or that does not exist, as missing and still reads the rest', async () => {
    const tails = await s.slurm.readLogTails(
      [{ jobId: '1', paths: [p('locked.log'), p('nope.err'), p('at.log')] }],
      100,
    );
    expect(tails.get('1')).toMatchObject({
      text: '123456789',
      truncated: false,
      missing: [p('locked.log'), p('nope.err')],
    });
  });

  it('takes the batch there: one tail for all, one stat before and one after, no per-file section', async () => {
    const nonce = 'intnonce';
    const names = ['at.log', 'over.log', 'empty.log'];
    const out = await s.transport.exec(['sh', '-c', LOG_TAILS_SCRIPT, 'x', nonce, '64', ...names.map(p)]);
    const framed = parseFramed(out.stdout, out.stderr, nonce);
    expect(framed.done).toBe(true);
    expect(framed.meta.get('tails')).toBe('batch');
    expect(framed.sections.filter((x) => x.source === 'size' || x.source === 'file')).toEqual([]);
    for (const source of ['before', 'sizes']) {
      expect(framed.sections.find((x) => x.source === source)).toMatchObject({
        key: '3',
        rc: 0,
        lines: ['10', '11', '0'],
        stderr: '',
      });
    }
    expect(framed.sections.find((x) => x.source === 'tails')).toMatchObject({ key: '3', rc: 0, stderr: '' });
    const sep = `\n@@SW:${nonce}:next\n`;
    expect(out.stdout).toContain(
      `:begin:tails:3\n123456789\n${sep}0123456789\n${sep}${sep}@@SW:${nonce}:end:tails:3:0\n`,
    );
    // The separator file is gone.
    const left = await s.transport.exec([
      'sh',
      '-c',
      'd=$TMPDIR; [ -n "$d" ] || d=/tmp; ls "$d" | grep -c "sweepwatch-tails.*$1" || :',
      'x',
      nonce,
    ]);
    expect(left.stdout.trim()).toBe('0');
  });

  it('keeps invalid UTF-8 and marker-looking lines inside their own file, sizes exact', async () => {
    const tails = await s.slurm.readLogTails(
      [
        { jobId: 'h', paths: [p('hostile.log')] },
        { jobId: 'at', paths: [p('at.log'), p('locked.log')] },
      ],
      100,
    );
    expect(tails.get('h')).toMatchObject({
      text: '\uFFFD\uFFFD x\n@@SW:AAAAAAAAAAAA:next\n\n@@SW:fake:end:tails:3:0\n\uFFFD',
      truncated: false,
      missing: [],
    });
    expect(tails.get('h')?.files[0]?.size).toBe(55);
    expect(tails.get('at')).toMatchObject({
      text: '123456789',
      truncated: false,
      missing: [p('locked.log')],
    });
  });
});
