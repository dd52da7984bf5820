/**
 * readLogTails against the REAL lab's login node (Debian, dash, GNU coreutils) as alice, over
 * SshTransport, on files this test writes itself: no Slurm job is submitted. Being alice (not
 * root) is what makes the unreadable-file case real.
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

  it('takes the fast path there: all sizes from one stat, no per-file wc', async () => {
    const nonce = 'intnonce';
    const names = ['at.log', 'over.log', 'empty.log'];
    const out = await s.transport.exec(['sh', '-c', LOG_TAILS_SCRIPT, 'x', nonce, '10', ...names.map(p)]);
    const framed = parseFramed(out.stdout, out.stderr, nonce);
    expect(framed.done).toBe(true);
    expect(framed.sections.filter((x) => x.source === 'size')).toEqual([]);
    expect(framed.sections.find((x) => x.source === 'sizes')).toMatchObject({
      key: '3',
      rc: 0,
      lines: ['10', '11', '0'],
      stderr: '',
    });
  });
});
