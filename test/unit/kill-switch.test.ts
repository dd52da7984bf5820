import { describe, expect, it } from 'vitest';
import { evaluateKillSwitch } from '../../src/core/kill-switch.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import type { AttemptSpec } from '../helpers/sweep-builder.js';
import { failed, pending, running, sweep } from '../helpers/sweep-builder.js';

// Condition index = model·10 + loss·5 + fold; job id of the first attempt = `${1000 + index}_0`.
const GRID = { model: ['vit', 'resnet'], loss: ['ce', 'focal'], fold: ['0', '1', '2', '3', '4'] };
const VIT_FOCAL = { model: 'vit', loss: 'focal' };
const oomAt = (elapsed: number, endedAgo: number) =>
  failed('gpu_oom', 'CUDA out of memory. Tried to allocate <n> GiB', { elapsed, endedAgo });
const withoutElapsed = ({ elapsed: _elapsed, ...rest }: AttemptSpec): AttemptSpec => rest;
/** Three identical OOMs at ~300 s, ended 60, 90 and 120 s ago, in folds 0-2 of vit/focal. */
const burst = (builder: ReturnType<typeof sweep>) =>
  builder.first(3, VIT_FOCAL, (i) => oomAt(280 + 10 * i, 60 + 30 * i));

describe('kill switch', () => {
  it('cancels the running jobs of the same configuration that have not reached the failure point', () => {
    const snapshot = burst(sweep(GRID).all(running(100))).build();
    const result = evaluateKillSwitch(snapshot, DEFAULT_POLICY);
    expect(result.fired).toBe(true);
    expect(result.jobIds).toEqual(['1008_0', '1009_0']);
    expect(result.triggers[0]).toMatchObject({
      rootCause: 'gpu_oom',
      sharedFactors: VIT_FOCAL,
      failurePointSeconds: 300,
      failedJobIds: ['1007_0', '1006_0', '1005_0'],
    });
  });

  it('takes the configuration from what the failures share: across losses, every vit job', () => {
    const snapshot = sweep(GRID)
      .all(running(100))
      .first(2, VIT_FOCAL, (i) => oomAt(300, 60 + i))
      .first(1, { model: 'vit', loss: 'ce' }, oomAt(300, 70))
      .build();
    const result = evaluateKillSwitch(snapshot, DEFAULT_POLICY);
    expect(result.triggers[0]?.sharedFactors).toEqual({ model: 'vit' });
    expect(result.jobIds).toEqual(['1001_0', '1002_0', '1003_0', '1004_0', '1007_0', '1008_0', '1009_0']);
  });

  it('only chooses jobs observed running: a stale one is left alone', () => {
    const snapshot = burst(sweep(GRID).all(running(100)))
      .where({ ...VIT_FOCAL, fold: '3' }, running(100, { stale: true }))
      .build();
    expect(evaluateKillSwitch(snapshot, DEFAULT_POLICY).jobIds).toEqual(['1009_0']);
  });

  it.each([
    [
      'same error, but the other jobs are already past that point',
      burst(sweep(GRID).all(running(100)).where(VIT_FOCAL, running(900))),
      'already past',
    ],
    [
      'different configurations go on: no job of the failing one still runs',
      burst(sweep(GRID).all(running(100)).where(VIT_FOCAL, pending())),
      'no job of that configuration is running',
    ],
    [
      'stale attempts never count: one of the three failures was not observed',
      burst(sweep(GRID).all(running(100))).where(
        { ...VIT_FOCAL, fold: '2' },
        { ...oomAt(300, 60), stale: true },
      ),
      'no 3 identical failures',
    ],
    [
      'two identical failures are not enough',
      sweep(GRID)
        .all(running(100))
        .first(2, VIT_FOCAL, (i) => oomAt(300, 60 + i)),
      'no 3 identical failures',
    ],
    [
      'three failures spread over more than the window',
      sweep(GRID)
        .all(running(100))
        .first(3, VIT_FOCAL, (i) => oomAt(300, 60 + 400 * i)),
      'no 3 identical failures',
    ],
    [
      'three different signatures',
      sweep(GRID)
        .all(running(100))
        .first(3, VIT_FOCAL, (i) => failed('code_error', `Error ${i}`, { elapsed: 300, endedAgo: 60 })),
      'no 3 identical failures',
    ],
    [
      'three preemptions say nothing about the configuration',
      sweep(GRID)
        .all(running(100))
        .first(3, VIT_FOCAL, failed('preempted', 'DUE TO PREEMPTION', { elapsed: 300, endedAgo: 60 })),
      'no 3 identical failures',
    ],
    [
      'unclassified failures have no signature to compare',
      sweep(GRID).all(running(100)).first(3, VIT_FOCAL, { state: 'FAILED', elapsed: 300, endedAgo: 60 }),
      'no 3 identical failures',
    ],
    [
      'an unknown failure time cannot be compared',
      sweep(GRID)
        .all(running(100))
        .first(3, VIT_FOCAL, withoutElapsed(oomAt(300, 60))),
      'no failure time is known',
    ],
  ])('does not fire: %s', (_name, builder, reason) => {
    const result = evaluateKillSwitch(builder.build(), DEFAULT_POLICY);
    expect(result.fired).toBe(false);
    expect(result.jobIds).toEqual([]);
    expect(result.reason).toContain(reason);
  });
});
