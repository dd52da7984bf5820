/**
 * What a tick keeps from the scheduler's answer: its own copies of the fields, never a piece of
 * the answer. V8 makes a cut of 13 or more characters a view into the text it was cut from, so a
 * kept timestamp, id, name or state kept the whole answer (44 MB at 100,000 jobs) in memory for
 * as long as the manifest lived. Measured with the collector, on answers much larger than what
 * is kept: holding the parsed jobs must cost a fraction of the answer, not all of it.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseSacct, sacctObservation } from '../../src/adapters/slurm/sacct-parse.js';
import { parseSqueue, SQUEUE_FIELDS } from '../../src/adapters/slurm/squeue-parse.js';
import { TimestampPool } from '../../src/adapters/slurm/timestamp-pool.js';
import { ownText, TextPool } from '../../src/core/own-text.js';
import type { JobObservation } from '../../src/core/types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const US = '\x1f';
const JOBS = 4_000;
const time = (i: number) =>
  `2026-11-26T${String(10 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07`;
const STATES = ['OUT_OF_MEMORY', 'CANCELLED by 1001', 'COMPLETED', 'FAILED'];

/** sacct rows: per job its line and 30 steps (read for a hidden OOM, never kept). */
function sacctAnswer(): string {
  const rows: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const id = `7000000_${1000 + i}`;
    const state = STATES[i % STATES.length] ?? 'FAILED';
    const fields = [id, String(8000000 + i), `sw-bench-${i}-long-name`, state, '1:0', 'NonZeroExitCode'];
    rows.push([...fields, time(i), time(i + 1), time(i + 2), '01:02:03', 'gpu-node[001-004]'].join(US));
    for (let s = 0; s < 30; s++) {
      const step = [
        `${id}.${s}`,
        `${8000000 + i}.${s}`,
        `step-${s}-${'x'.repeat(40)}`,
        'COMPLETED',
        '0:0',
        '',
      ];
      rows.push([...step, time(i), time(i + 1), time(i + 2), '01:02:03', 'gpu-node[001-004]'].join(US));
    }
  }
  return rows.join('\n');
}

/** squeue rows with a long column the parser does not read. */
function squeueAnswer(): string {
  const rows: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const id = `7000000_${1000 + i}`;
    rows.push(
      [
        id,
        String(8000000 + i),
        'RUNNING',
        'None',
        time(i),
        time(i + 1),
        'N/A',
        '1:02:03',
        'gpu-node[001-004]',
      ]
        .concat(['alice', `sw-bench-${i}-long-name`, `/scratch/alice/${'work/'.repeat(600)}${i}`])
        .join(US),
    );
  }
  return rows.join('\n');
}

/** Parses an answer made in here, so that nothing but the result can reach it afterwards. */
function parsed(make: () => string, parse: (text: string) => readonly JobObservation[]) {
  const text = make();
  return { observations: parse(text), answerBytes: text.length };
}

/** The parsed jobs, the answer's size, and what holding the jobs costs once the answer is gone. */
function keptFrom(make: () => string, parse: (text: string) => readonly JobObservation[]) {
  const base = heapUsed();
  const kept = parsed(make, parse);
  expect(kept.observations).toHaveLength(JOBS);
  expect(kept.answerBytes).toBeGreaterThan(10_000_000);
  return { ...kept, holding: heapUsed() - base };
}

describe("what a tick keeps of the scheduler's answer", () => {
  it('sacct jobs hold their own copies of ids, names, states, times and node lists', () => {
    const kept = keptFrom(sacctAnswer, (text) =>
      [...parseSacct(text.split('\n')).jobs.values()].map(sacctObservation),
    );
    expect(kept.observations[0]).toMatchObject({
      jobId: '7000000_1000',
      state: 'OUT_OF_MEMORY',
      rawState: 'OUT_OF_MEMORY',
      name: 'sw-bench-0-long-name',
      submittedAt: time(0),
      endedAt: time(2),
      nodes: 'gpu-node[001-004]',
    });
    expect(kept.observations[1]).toMatchObject({ state: 'CANCELLED', rawState: 'CANCELLED by 1001' });
    expect(kept.holding).toBeLessThan(kept.answerBytes / 4);
  });

  it('squeue jobs hold their own copies too, even of a row read with extra columns', () => {
    const fields = [...SQUEUE_FIELDS, '%Z'];
    const kept = keptFrom(squeueAnswer, (text) => parseSqueue(text.split('\n'), { fields }).observations);
    expect(kept.observations[0]).toMatchObject({
      jobId: '7000000_1000',
      jobIdRaw: '8000000',
      state: 'RUNNING',
      startedAt: time(1),
      name: 'sw-bench-0-long-name',
    });
    expect(kept.holding).toBeLessThan(kept.answerBytes / 3);
  });
});

describe('own copies of text', () => {
  it('are equal to what they copy', () => {
    const source = `prefix ${'2026-11-26T10:00:00'} suffix`;
    expect(ownText(source.slice(7, 26))).toBe('2026-11-26T10:00:00');
    expect(ownText('short')).toBe('short');
  });

  it('repeating texts are copied once, and the pool stays within its bound', () => {
    const pool = new TextPool(3);
    expect(pool.own(`x 2026-11-26T10:00:00`.slice(2))).toBe('2026-11-26T10:00:00');
    expect(pool.own(`y 2026-11-26T10:00:00`.slice(2))).toBe('2026-11-26T10:00:00');
    expect(pool.size).toBe(1);
    for (let i = 0; i < 10; i++) pool.own(`2026-11-26T10:00:${String(i).padStart(2, '0')}`);
    expect(pool.size).toBeLessThanOrEqual(3);
  });

  it('a timestamp seen again is copied once, by its day and second, and the pool stays within its bound', () => {
    const pool = new TimestampPool(3);
    const time = (day: number, second: number) =>
      `2026-11-${String(day).padStart(2, '0')}T10:00:${String(second).padStart(2, '0')}`;
    expect(pool.own(`x ${time(26, 0)}`.slice(2))).toBe(time(26, 0));
    expect(pool.own(`y ${time(26, 0)}`.slice(2))).toBe(time(26, 0));
    expect(pool.held).toBe(1);
    // The same second on another day, and another second on the same day, are other times.
    expect(pool.own(time(25, 0))).toBe(time(25, 0));
    expect(pool.own(time(26, 1))).toBe(time(26, 1));
    expect(pool.held).toBe(3);
    for (let i = 0; i < 10; i++) expect(pool.own(time(26, i))).toBe(time(26, i));
    expect(pool.held).toBeLessThanOrEqual(3);
  });

  it.each([
    '2026-11-26 10:00:00',
    '2026-11-26T10:00:0',
    '2026-11-26T10:00:000',
    '2026-1x-26T10:00:00',
    ' 2026-11-26T10:00:0',
  ])('the timestamp pool refuses %j, which is not dddd-dd-ddTdd:dd:dd', (text) => {
    expect(new TimestampPool().own(text)).toBeUndefined();
  });
});
