import { describe, expect, it } from 'vitest';
import { analyzeConcentration } from '../../src/core/concentration.js';
import { completed, failed, mulberry32, running, sweep } from '../helpers/sweep-builder.js';

const GRID = {
  batch_size: ['256', '512'],
  seq_len: ['1024', '4096'],
  fold: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
} as const;

const oom = failed('gpu_oom', 'CUDA out of memory. Tried to allocate <n> GiB');

/** Each terminal condition fails with gpu_oom with probability rate(factors). */
function randomSweep(seed: number, rate: (f: Readonly<Record<string, string>>) => number) {
  const random = mulberry32(seed);
  return sweep(GRID)
    .all(completed())
    .where((f) => random() < rate(f), oom)
    .build();
}

const TRIALS = 200;
const PLANTED = (f: Readonly<Record<string, string>>): number =>
  f.batch_size === '512' && f.seq_len === '4096' ? 0.9 : 0.03;

describe('factor concentration', () => {
  it('names the interaction that explains a planted concentration', () => {
    const snapshot = sweep(GRID)
      .all(completed())
      .first(9, { batch_size: '512', seq_len: '4096' }, oom)
      .build();
    const [gpu] = analyzeConcentration(snapshot);
    expect(gpu?.target).toBe('gpu_oom');
    expect(gpu?.line).toBe('gpu_oom: 9 of 10 at batch_size=512 and seq_len=4096, 0 of 30 elsewhere');
    expect(gpu?.findings.map((f) => f.levels.map((l) => `${l.factor}=${l.level}`).join('&'))).toEqual(
      expect.arrayContaining(['batch_size=512&seq_len=4096', 'batch_size=512', 'seq_len=4096']),
    );
  });

  it('names a single level when the whole level fails', () => {
    const snapshot = sweep(GRID).all(completed()).where({ batch_size: '512' }, oom).build();
    expect(analyzeConcentration(snapshot)[0]?.line).toBe(
      'gpu_oom: 20 of 20 at batch_size=512, 0 of 20 elsewhere',
    );
  });

  it.each([
    ['fewer failures than the minimum count, however pure', 2],
    ['no failures at all', 0],
  ])('does not flag %s', (_name, n) => {
    const snapshot = sweep(GRID)
      .all(completed())
      .first(n, { batch_size: '512', seq_len: '4096' }, oom)
      .build();
    expect(analyzeConcentration(snapshot).flatMap((c) => c.findings)).toEqual([]);
  });

  it('leaves jobs that are still running out of the population', () => {
    const snapshot = sweep(GRID).all(running(100)).where({ batch_size: '512', seq_len: '4096' }, oom).build();
    // Only the failures are terminal: nothing to compare against, nothing flagged.
    expect(analyzeConcentration(snapshot)[0]?.findings).toEqual([]);
  });

  it('adds an "any failure" target when several root causes fail', () => {
    const snapshot = sweep(GRID)
      .all(completed())
      .first(4, { batch_size: '512' }, oom)
      .first(4, { batch_size: '256' }, failed('nan_divergence', 'Loss is nan'))
      .build();
    expect(analyzeConcentration(snapshot).map((c) => c.target)).toEqual(['gpu_oom', 'nan_divergence', 'any']);
  });

  it(`flags a planted concentration in at least 95 % of ${TRIALS} noisy sweeps`, () => {
    let detected = 0;
    for (let seed = 1; seed <= TRIALS; seed++) {
      const [gpu] = analyzeConcentration(randomSweep(seed, PLANTED));
      const names = gpu?.headline?.levels.map((l) => `${l.factor}=${l.level}`) ?? [];
      if (names.includes('batch_size=512') || names.includes('seq_len=4096')) detected++;
    }
    expect(detected / TRIALS).toBeGreaterThanOrEqual(0.95);
  });

  it(`flags uniform noise at the same failure rate in at most 5 % of ${TRIALS} sweeps`, () => {
    let flagged = 0;
    for (let seed = 1; seed <= TRIALS; seed++) {
      const findings = analyzeConcentration(randomSweep(10_000 + seed, () => 0.25)).flatMap(
        (c) => c.findings,
      );
      if (findings.length > 0) flagged++;
    }
    expect(flagged / TRIALS).toBeLessThanOrEqual(0.05);
  });
});
