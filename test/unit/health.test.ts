import { describe, expect, it } from 'vitest';
import { assessHealth } from '../../src/core/health.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { cancelled, completed, failed, pending, running, sweep } from '../helpers/sweep-builder.js';

// 40 conditions: 10 % is 4 jobs, 15 % is 6.
const GRID = {
  model: ['vit', 'resnet'],
  loss: ['ce', 'focal'],
  fold: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
const preempted = failed('preempted', 'DUE TO PREEMPTION');
const oom = failed('gpu_oom', 'CUDA out of memory');
const codeError = failed('code_error', 'KeyError: <str>');
const everyOther = (_f: unknown, i: number): boolean => i % 2 === 0;

describe('health band', () => {
  it.each([
    ['all completed: healthy', sweep(GRID).all(completed()), 'healthy', 'all_healthy'],
    [
      '2 of 40 preempted (5 %): healthy, failures within band',
      sweep(GRID).all(completed()).first(2, everyOther, preempted),
      'healthy',
      'failures_within_band',
    ],
    [
      '4 of 40 failed (10 %, not above the watch band): healthy',
      sweep(GRID).all(completed()).first(4, everyOther, preempted),
      'healthy',
      'failures_within_band',
    ],
    [
      '5 of 40 failed of two causes (12.5 %): degraded',
      sweep(GRID)
        .all(completed())
        .first(3, everyOther, preempted)
        .first(2, { model: 'resnet', fold: '9' }, codeError),
      'degraded',
      'degraded_failure_share',
    ],
    [
      'one completed job with NaN metrics: degraded',
      sweep(GRID).all(completed()).outputs({ model: 'vit', loss: 'ce', fold: '0' }, 'non_finite'),
      'degraded',
      'degraded_outputs',
    ],
    [
      'every replicate of one cell diverged (3 of 36): degraded, the signal has a hole',
      sweep({ model: ['a', 'b', 'c'], loss: ['w', 'x', 'y', 'z'], fold: ['0', '1', '2'] })
        .all(completed())
        .where({ model: 'a', loss: 'w' }, failed('nan_divergence', 'Loss is nan')),
      'degraded',
      'learning_signal_lost',
    ],
    [
      '6 of 40 with one root cause (15 %): systemic',
      sweep(GRID).all(completed()).first(6, everyOther, oom),
      'systemic',
      'systemic_root_cause',
    ],
    [
      'nothing finished yet: healthy, no terminal jobs',
      sweep(GRID).all(running(60)),
      'healthy',
      'no_terminal_jobs',
    ],
    [
      '20 cancelled by a person are shown, not counted: healthy',
      sweep(GRID).all(completed()).first(20, {}, cancelled()),
      'healthy',
      'all_healthy',
    ],
    [
      '3 failures among 20 that ran (15 %), 20 cancelled: systemic, cancelled leave the denominator',
      sweep(GRID).all(completed()).first(20, {}, cancelled()).first(3, { model: 'resnet' }, oom),
      'systemic',
      'systemic_root_cause',
    ],
  ])('%s', (_name, builder, band, reasonCode) => {
    const health = assessHealth(builder.build(), DEFAULT_POLICY);
    expect({ band: health.band, reasonCode: health.reasonCode }).toEqual({ band, reasonCode });
    expect(health.reason).not.toBe('');
  });

  it('shows the counts behind the band', () => {
    const health = assessHealth(
      sweep(GRID).all(completed()).first(2, {}, cancelled()).first(6, { model: 'resnet' }, oom).build(),
      DEFAULT_POLICY,
    );
    expect(health).toMatchObject({
      failed: 6,
      terminal: 38,
      cancelled: 2,
      topCause: { rootCause: 'gpu_oom', count: 6 },
    });
    expect(health.reason).toContain('6 of 38 terminal jobs');
    expect(health.reason).toContain('2 cancelled, not counted');
  });
});

const configError = failed('config_error', "FileNotFoundError: '<path>'", { elapsed: 5 });
/** Conditions 0, 11, 22, 33: one in each model × loss cell, different folds. */
const acrossCells = (_f: unknown, i: number): boolean => i % 11 === 0;
const indexError = (elapsed: number) => failed('code_error', 'IndexError: index out of range', { elapsed });

describe('hard stops', () => {
  it.each([
    [
      'the same config error in 4 of the 6 started conditions, the rest queued',
      sweep(GRID).all(pending()).first(4, {}, configError).first(2, { model: 'resnet' }, running(3)),
      'hard_stop_config',
      36,
    ],
    [
      'the same env import error in every started condition',
      sweep(GRID)
        .all(pending())
        .first(3, {}, failed('env_import', "ModuleNotFoundError: No module named '<str>'", { elapsed: 2 })),
      'hard_stop_config',
      37,
    ],
    [
      'NaN metrics in 3 of 5 completed conditions',
      sweep(GRID)
        .all(running(60))
        .first(5, {}, completed())
        .first(3, {}, completed())
        .outputs((_f, i) => i < 3, 'non_finite'),
      'hard_stop_outputs',
      35,
    ],
    [
      'the same IndexError at about 1200 s in every condition that got there, across configurations',
      sweep(GRID)
        .all(running(600))
        .where(acrossCells, (i) => indexError(1190 + 10 * i)),
      'hard_stop_crash_pattern',
      36,
    ],
  ] as const)('stops early: %s', (_name, builder, reasonCode, cancelled) => {
    const health = assessHealth(builder.build(), DEFAULT_POLICY);
    expect(health.band).toBe('systemic');
    expect(health.reasonCode).toBe(reasonCode);
    expect(health.hardStops[0]?.cancelJobIds).toHaveLength(cancelled);
  });

  it.each([
    ['2 config errors are below the minimum count', sweep(GRID).all(pending()).first(2, {}, configError)],
    [
      '3 config errors among 10 started (30 %) are below the share',
      sweep(GRID).all(pending()).first(10, {}, running(600)).first(3, {}, configError),
    ],
    [
      'config errors with different signatures are different bugs',
      sweep(GRID)
        .all(pending())
        .first(4, {}, (i) => failed('config_error', `KeyError: field${i}`, { elapsed: 5 })),
    ],
    [
      'the crash point was passed by a job still running',
      sweep(GRID)
        .all(running(600))
        .where(acrossCells, (i) => indexError(1190 + 10 * i))
        .first(1, { model: 'resnet' }, running(2000)),
    ],
    [
      'the crash point was passed by a job that completed',
      sweep(GRID)
        .all(running(600))
        .where(acrossCells, (i) => indexError(1190 + 10 * i))
        .first(1, { model: 'resnet' }, completed()),
    ],
    [
      'one configuration crashing is for the kill switch, not a hard stop',
      sweep(GRID)
        .all(running(600))
        .first(4, {}, (i) => indexError(1190 + 10 * i)),
    ],
    [
      'timeouts end at the same elapsed time by definition',
      sweep(GRID)
        .all(running(600))
        .where(acrossCells, failed('timeout', 'DUE TO TIME LIMIT', { elapsed: 3600 })),
    ],
    [
      '2 of 30 completed with NaN metrics are below the share',
      sweep(GRID)
        .all(running(60))
        .first(30, {}, completed())
        .outputs((_f, i) => i < 2, 'non_finite'),
    ],
  ])('does not stop: %s', (_name, builder) => {
    expect(assessHealth(builder.build(), DEFAULT_POLICY).hardStops).toEqual([]);
  });
});
