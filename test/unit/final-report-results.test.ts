// Reading the numbers out of the outputs, and summarising them: NaN in any spelling is
// non-finite, nothing unbounded is kept, and outliers are found by median and MAD.
import { describe, expect, it } from 'vitest';
import type { ConditionResult } from '../../src/core/final-report-model.js';
import {
  byCell,
  byLevel,
  MAX_METRICS,
  metricNames,
  outliers,
  parseOutput,
  stats,
  worstStatus,
} from '../../src/core/final-report-results.js';

describe('parseOutput', () => {
  it.each([
    ['{"loss": 0.5, "eval": {"acc": 0.9}}', 'm.json', 'ok', { loss: 0.5, 'eval.acc': 0.9 }],
    ['{"loss": "NaN"}', 'm.json', 'non_finite', { loss: null }],
    ['{"loss": null}', 'm.json', 'non_finite', { loss: null }],
    ['{"loss": "-inf"}', 'm.json', 'non_finite', { loss: null }],
    ['{"curve": [1, 2, "nan"]}', 'm.json', 'non_finite', {}],
    ['{"name": "run"}', 'm.json', 'unreadable', {}],
    ['{"loss": 0.5', 'm.json', 'unreadable', {}],
    ['', 'm.json', 'empty', {}],
    ['   \n', 'm.txt', 'empty', {}],
    ['epoch 1 loss 0.5\n', 'log.txt', 'ok', {}],
    ['epoch 1 loss nan\n', 'log.txt', 'non_finite', {}],
    ['done\n', 'log.txt', 'unreadable', {}],
  ])('%j in %s → %s', (text, path, status, metrics) => {
    expect(parseOutput(text, path, false)).toEqual({ status, metrics });
  });

  it('keeps at most MAX_METRICS numbers, and does not parse a truncated JSON file whole', () => {
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, i])));
    expect(Object.keys(parseOutput(many, 'm.json', false).metrics)).toHaveLength(MAX_METRICS);
    expect(parseOutput('{"loss": 0.5, "x": [1, 2', 'm.json', true)).toEqual({ status: 'ok', metrics: {} });
  });
});

describe('summaries', () => {
  const result = (
    id: string,
    loss: number | null,
    status: ConditionResult['status'] = 'ok',
  ): ConditionResult => ({
    conditionId: id,
    status,
    metrics: { loss },
    files: [],
  });
  const factors: Record<string, Record<string, string>> = {
    a: { lr: 'low', fold: '0' },
    b: { lr: 'low', fold: '1' },
    c: { lr: 'high', fold: '0' },
    d: { lr: 'high', fold: '1' },
  };
  const results = [result('a', 1), result('b', 3), result('c', 10), result('d', null, 'non_finite')];

  it('stats: mean and sample standard deviation', () => {
    expect(stats([1, 3])).toEqual({ n: 2, mean: 2, sd: Math.SQRT2, min: 1, max: 3 });
    expect(stats([5])).toMatchObject({ n: 1, sd: 0 });
    expect(stats([])).toBeNull();
  });

  it('by level and by cell, over finite results only', () => {
    const levels = byLevel(results, [{ name: 'lr', levels: ['low', 'high'] }], (id) => factors[id], 'loss');
    expect(levels.map((l) => [l.key, l.stats?.n, l.stats?.mean])).toEqual([
      ['lr=low', 2, 2],
      ['lr=high', 1, 10],
    ]);
    const cells = byCell(results, ['lr', 'fold'], 'fold', (id) => factors[id], 'loss');
    expect(cells.map((c) => [c.key, c.stats?.n])).toEqual([
      ['lr=low', 2],
      ['lr=high', 1],
    ]);
  });

  it('names the metrics in first-seen order', () => {
    expect(metricNames([{ conditionId: 'x', status: 'ok', metrics: { b: 1, a: 2 }, files: [] }])).toEqual([
      'b',
      'a',
    ]);
  });

  it('flags the value far from the rest, by median and MAD', () => {
    const normal = [0.5, 0.51, 0.49, 0.5, 0.52, 0.48].map((v, i) => result(`c${i}`, v));
    const found = outliers([...normal, result('odd', 5)], 'loss');
    expect(found.map((o) => o.conditionId)).toEqual(['odd']);
    expect(outliers(normal, 'loss')).toEqual([]);
  });

  it('the worst file decides a condition', () => {
    expect(worstStatus(['ok', 'non_finite', 'ok'])).toBe('non_finite');
    expect(worstStatus(['ok', 'missing', 'empty'])).toBe('missing');
    expect(worstStatus([])).toBe('ok');
  });
});

describe('summaries at scale', () => {
  it('summarizes a metric over 300,000 conditions (more values than a call takes arguments)', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => (i % 1000) / 10);
    expect(stats(values)).toMatchObject({ n: 300_000, min: 0, max: 99.9 });
  });
});
