import { describe, expect, it } from 'vitest';
import { projectLearningValue, resolveReplicateFactor } from '../../src/core/learning-value.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { cancelled, completed, failed, running, sweep } from '../helpers/sweep-builder.js';

const GRID = { model: ['vit', 'resnet'], loss: ['ce', 'focal'], fold: ['0', '1', '2'] } as const;
const nan = failed('nan_divergence', 'Loss is nan');
const preempted = failed('preempted', 'DUE TO PREEMPTION');

describe('learning-value projection', () => {
  it.each([
    [
      'every cell has a good replicate',
      sweep(GRID).all(completed()),
      { succeeded: 4, recoverable: 0, lost: 0 },
    ],
    [
      'one good fold is enough for a cell',
      sweep(GRID)
        .all(completed())
        .where({ model: 'vit', loss: 'focal' }, nan)
        .where({ model: 'vit', loss: 'focal', fold: '0' }, completed()),
      { succeeded: 4, recoverable: 0, lost: 0 },
    ],
    [
      'a cell whose folds all diverged is lost',
      sweep(GRID).all(completed()).where({ model: 'vit', loss: 'focal' }, nan),
      { succeeded: 3, recoverable: 0, lost: 1 },
    ],
    [
      'a cell still running can still succeed',
      sweep(GRID).all(completed()).where({ model: 'vit', loss: 'focal' }, running(100)),
      { succeeded: 3, recoverable: 1, lost: 0 },
    ],
    [
      'a preempted cell can be relaunched',
      sweep(GRID).all(completed()).where({ model: 'vit', loss: 'focal' }, preempted),
      { succeeded: 3, recoverable: 1, lost: 0 },
    ],
    [
      'a preempted cell is lost when the relaunch budget is spent',
      sweep(GRID).all(completed()).where({ model: 'vit', loss: 'focal' }, preempted).cycles(2),
      { succeeded: 3, recoverable: 0, lost: 1 },
    ],
    [
      'a cell a person cancelled is withdrawn, not lost',
      sweep(GRID).all(completed()).where({ model: 'vit', loss: 'focal' }, cancelled()),
      { succeeded: 3, recoverable: 0, lost: 0, withdrawn: 1 },
    ],
    [
      'completed jobs with NaN metrics are not a success',
      sweep(GRID).all(completed()).outputs({ model: 'resnet', loss: 'ce' }, 'non_finite'),
      { succeeded: 3, recoverable: 0, lost: 1 },
    ],
  ])('%s', (_name, builder, expected) => {
    const value = projectLearningValue(builder.build(), DEFAULT_POLICY);
    expect(value).toMatchObject({
      replicateFactor: 'fold',
      cells: 4,
      ...expected,
      intact: expected.lost === 0,
    });
  });

  it('names the lost cells without the replicate factor', () => {
    const snapshot = sweep(GRID).all(completed()).where({ model: 'vit', loss: 'focal' }, nan).build();
    expect(projectLearningValue(snapshot, DEFAULT_POLICY).lostCells).toEqual(['model=vit,loss=focal']);
  });

  it('counts the same cells in a grid of a million cells, and for levels the grid does not list', () => {
    const snapshot = sweep(GRID)
      .all(completed())
      .where({ model: 'vit', loss: 'focal' }, nan)
      .where({ model: 'resnet', loss: 'ce' }, running(100))
      .build();
    const expected = projectLearningValue(snapshot, DEFAULT_POLICY);
    const unused = Array.from({ length: 1000 }, (_, i) => `unused${i}`);
    const huge = snapshot.factors.map((f) =>
      f.name === 'fold' ? f : { ...f, levels: [...f.levels, ...unused] },
    );
    const unlisted = snapshot.factors.map((f) => (f.name === 'loss' ? { ...f, levels: ['ce'] } : f));
    for (const factors of [huge, unlisted]) {
      expect(projectLearningValue({ ...snapshot, factors }, DEFAULT_POLICY)).toEqual(expected);
    }
    expect(expected).toMatchObject({ cells: 4, succeeded: 2, recoverable: 1, lost: 1 });
  });

  it.each([
    ['a factor named fold', { model: ['a'], fold: ['0'] }, undefined, 'fold'],
    ['a factor named seed', { seed: ['1'], lr: ['0.1'] }, undefined, 'seed'],
    ['the configured name wins', { seed: ['1'], data: ['x'] }, 'data', 'data'],
    ['a configured name that is not a factor', { seed: ['1'] }, 'fold', null],
    ['no replicate factor: every condition is a cell', { model: ['a'], lr: ['0.1'] }, undefined, null],
  ])('replicate factor: %s', (_name, factors, configured, expected) => {
    const builder = sweep(factors);
    if (configured !== undefined) builder.replicate(configured);
    expect(resolveReplicateFactor(builder.build())).toBe(expected);
  });
});
