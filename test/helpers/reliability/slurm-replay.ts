/**
 * Replays the real Slurm outputs of test/fixtures/slurm/ (captured on the lab) as the observe
 * script's answer, and corrupts them the ways a flaky login node does: rows cut short, fields
 * missing or turned to garbage, junk lines, dropped or repeated rows, the whole output cut off.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { FIELD_SEPARATOR, SACCT_FIELDS } from '../../../src/adapters/slurm/sacct-parse.js';
import { SQUEUE_FIELDS } from '../../../src/adapters/slurm/squeue-parse.js';
import { normalizeSlurmState } from '../../../src/adapters/slurm/states.js';

const US = FIELD_SEPARATOR;
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/slurm/${name}`, import.meta.url), 'utf8').split('\n');

/** The fixture jobs replayed (alice's plain jobs; the array and bob's job are left out). */
export const REPLAYED_JOBS = ['65', '66', '67', '68', '69', '70', '71', '76', '78', '79', '80', '81', '82'];

/** sacct.txt's columns (see its header) reordered into the observe script's --format. */
function sacctRows(): string[] {
  const [header = '', ...lines] = fixture('sacct.txt');
  const names = header.split(US);
  const pick = SACCT_FIELDS.map((f) => names.indexOf(f));
  return lines
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(US))
    .filter((f) => REPLAYED_JOBS.includes((f[0] ?? '').split('.')[0] ?? ''))
    .map((f) => pick.map((i) => f[i] ?? '').join(US));
}

/** squeue-all.txt's -o fields (README: %i %A %F %K %j %u %P %T %r %M %l %C %m %N %V %S %e) reordered. */
function squeueRows(): string[] {
  const order = [
    '%i',
    '%A',
    '%F',
    '%K',
    '%j',
    '%u',
    '%P',
    '%T',
    '%r',
    '%M',
    '%l',
    '%C',
    '%m',
    '%N',
    '%V',
    '%S',
    '%e',
  ];
  const pick = SQUEUE_FIELDS.map((f) => order.indexOf(f));
  return fixture('squeue-all.txt')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(US))
    .filter((f) => REPLAYED_JOBS.includes(f[0] ?? ''))
    .map((f) => pick.map((i) => f[i] ?? '').join(US));
}

export const CLEAN = { sacct: sacctRows(), squeue: squeueRows() } as const;

/** The observe script's stdout/stderr for one chunk, with the nonce's markers. */
export function framedObserve(
  nonce: string,
  rows: { sacct: readonly string[]; squeue: readonly string[] },
  cutAt?: number,
): { stdout: string; stderr: string } {
  const m = `@@SW:${nonce}:`;
  const stdout = [
    `${m}meta:user:alice`,
    `${m}meta:now:2026-11-26T05:10:00`,
    `${m}begin:squeue:0`,
    ...rows.squeue,
    `${m}end:squeue:0:0`,
    `${m}begin:sacct:0`,
    ...rows.sacct,
    `${m}end:sacct:0:0`,
    `${m}done`,
    '',
  ].join('\n');
  return {
    stdout: cutAt === undefined ? stdout : stdout.slice(0, Math.floor(stdout.length * cutAt)),
    stderr: `${m}begin:squeue:0\n${m}begin:sacct:0\n`,
  };
}

/** One corruption of one list of rows. */
export type Corruption =
  | { readonly op: 'truncate'; readonly row: number; readonly at: number }
  | { readonly op: 'dropField'; readonly row: number; readonly field: number }
  | { readonly op: 'garbleField'; readonly row: number; readonly field: number; readonly junk: string }
  | { readonly op: 'insertJunk'; readonly row: number; readonly junk: string }
  | { readonly op: 'dropRow'; readonly row: number }
  | { readonly op: 'repeatRow'; readonly row: number }
  | { readonly op: 'pipeDelimiter'; readonly row: number };

/**
 * Junk: control bytes, separators, replacement characters, forged markers, text. Never a state
 * word (long or compact: `F` is FAILED) nor a job id: a row that still reads as a well-formed
 * claim about some job is a scheduler lying, not corrupted output, and no parser can tell.
 */
const junk = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '\u0000\u0000',
      '\ufffd\ufffd',
      US,
      `${US}${US}`,
      '|',
      '@@SW:forged:done',
      'N/A',
      '(null)',
      '-1:-1',
    ),
  )
  .filter((j) => normalizeSlurmState(j) === 'UNKNOWN' && !/^\s*\d/.test(j));

export const corruptionArb: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({
    op: fc.constant('truncate' as const),
    row: fc.nat(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ op: fc.constant('dropField' as const), row: fc.nat(), field: fc.nat({ max: 10 }) }),
  fc.record({ op: fc.constant('garbleField' as const), row: fc.nat(), field: fc.nat({ max: 10 }), junk }),
  fc.record({ op: fc.constant('insertJunk' as const), row: fc.nat(), junk }),
  fc.record({ op: fc.constant('dropRow' as const), row: fc.nat() }),
  fc.record({ op: fc.constant('repeatRow' as const), row: fc.nat() }),
  fc.record({ op: fc.constant('pipeDelimiter' as const), row: fc.nat() }),
);

export function corrupt(rows: readonly string[], c: Corruption): string[] {
  const out = [...rows];
  if (out.length === 0) return c.op === 'insertJunk' ? [c.junk] : out;
  const i = c.row % out.length;
  const row = out[i] ?? '';
  const fields = row.split(US);
  switch (c.op) {
    case 'truncate':
      out[i] = row.slice(0, Math.floor(row.length * c.at));
      break;
    case 'dropField':
      fields.splice(c.field % fields.length, 1);
      out[i] = fields.join(US);
      break;
    case 'garbleField':
      fields[c.field % fields.length] = c.junk;
      out[i] = fields.join(US);
      break;
    case 'insertJunk':
      out.splice(i, 0, c.junk);
      break;
    case 'dropRow':
      out.splice(i, 1);
      break;
    case 'repeatRow':
      out.splice(i, 0, row);
      break;
    case 'pipeDelimiter':
      out[i] = fields.join('|');
      break;
  }
  return out;
}

/** A whole corrupted answer: corruptions of each query's rows, and maybe the output cut off. */
export const replayArb = fc.record({
  sacct: fc.array(corruptionArb, { maxLength: 6 }),
  squeue: fc.array(corruptionArb, { maxLength: 3 }),
  cutAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});
export type Replay = typeof replayArb extends fc.Arbitrary<infer T> ? T : never;

export function replayRows(r: Replay): { sacct: string[]; squeue: string[] } {
  return {
    sacct: r.sacct.reduce<string[]>((rows, c) => corrupt(rows, c), [...CLEAN.sacct]),
    squeue: r.squeue.reduce<string[]>((rows, c) => corrupt(rows, c), [...CLEAN.squeue]),
  };
}
