import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import type { RelaunchPlanOptions } from '../../src/core/relaunch-plan.js';
import { buildRelaunchPlan, parseRelaunchFilter } from '../../src/core/relaunch-plan.js';
import type { AttemptSpec, SweepBuilder } from '../helpers/sweep-builder.js';
import { cancelled, completed, failed, running, sweep } from '../helpers/sweep-builder.js';

const GRID = { model: ['vit', 'resnet'], loss: ['ce', 'focal'], fold: ['0', '1', '2'] };
const ONE = { model: 'vit', loss: 'ce', fold: '0' };
const ONE_ID = 'model=vit,loss=ce,fold=0';

/** A finished sweep where condition ONE failed with `spec`. */
const oneFailed = (spec: AttemptSpec): SweepBuilder => sweep(GRID).all(completed()).where(ONE, spec);

describe('relaunch plan: what reruns, with what', () => {
  it.each([
    [
      'a preemption reruns as it was',
      failed('preempted', 'PREEMPTION', { memoryMb: 16_000 }),
      { memoryMb: 16_000 },
    ],
    [
      'a host OOM reruns with twice the memory',
      failed('host_oom', 'oom_kill', { memoryMb: 16_000 }),
      { memoryMb: 32_000 },
    ],
    [
      'a GPU OOM escalates the memory up to the cap',
      failed('gpu_oom', 'CUDA oom', { memoryMb: 400_000 }),
      { memoryMb: 512_000 },
    ],
    [
      'a timeout reruns with 1.5 × the time',
      failed('timeout', 'TIME LIMIT', { timeMinutes: 60, memoryMb: 8 }),
      { timeMinutes: 90, memoryMb: 8 },
    ],
  ])('%s', (_name, spec, resources) => {
    const plan = buildRelaunchPlan(oneFailed(spec).build(), DEFAULT_POLICY);
    expect(plan.refused).toBeUndefined();
    expect(plan.relaunch).toEqual([
      expect.objectContaining({ conditionId: ONE_ID, resources, previousJobId: '1000_0' }),
    ]);
    expect(plan.cycle).toBe(1);
  });

  it.each([
    [
      'a code error is deterministic: an issue, no rerun',
      oneFailed(failed('code_error', 'KeyError')),
      'deterministic_cause',
    ],
    [
      'a NaN divergence is deterministic',
      oneFailed(failed('nan_divergence', 'Loss is nan')),
      'deterministic_cause',
    ],
    [
      'a condition that failed twice with the same signature is not rerun',
      oneFailed(failed('crash', 'Segmentation fault'))
        .retry(ONE, failed('crash', 'Segmentation fault'))
        .cycles(1),
      'repeated_signature',
    ],
    [
      'an OOM already at the memory cap',
      oneFailed(failed('host_oom', 'oom', { memoryMb: 512_000 })),
      'escalation_impossible',
    ],
    ['an OOM whose memory is unknown', oneFailed(failed('host_oom', 'oom')), 'escalation_impossible'],
    [
      'F4: a third cycle is refused and becomes an issue',
      oneFailed(failed('preempted', 'PREEMPTION')).cycles(2),
      'relaunch_budget_exhausted',
    ],
  ])('%s', (_name, builder, reason) => {
    const plan = buildRelaunchPlan(builder.build(), DEFAULT_POLICY);
    expect(plan.relaunch).toEqual([]);
    expect(plan.issues).toEqual([expect.objectContaining({ conditionId: ONE_ID, reason })]);
  });

  it('F4: the plan itself says the budget is spent', () => {
    const plan = buildRelaunchPlan(oneFailed(failed('preempted', 'P')).cycles(2).build(), DEFAULT_POLICY);
    expect(plan.refused).toBe('relaunch_budget_exhausted');
  });

  it('reruns a crash once when its second failure differs', () => {
    const builder = oneFailed(failed('crash', 'Segmentation fault'))
      .retry(ONE, failed('crash', 'Bus error'))
      .cycles(1);
    expect(buildRelaunchPlan(builder.build(), DEFAULT_POLICY).relaunch.map((i) => i.conditionId)).toEqual([
      ONE_ID,
    ]);
  });

  it('F1: plans nothing while any job is still running', () => {
    const plan = buildRelaunchPlan(
      oneFailed(failed('preempted', 'P')).where({ model: 'resnet', fold: '2' }, running(10)).build(),
      DEFAULT_POLICY,
    );
    expect(plan).toMatchObject({ refused: 'waiting_for_terminal', relaunch: [], issues: [] });
  });

  it.each<[string, RelaunchPlanOptions, string[]]>([
    ['never relaunches a cancelled job by itself', {}, []],
    ['nor when a person relaunches all', { requestedBy: 'person', filter: { kind: 'all' } }, []],
    [
      'but does when a person names the cause',
      { requestedBy: 'person', filter: { kind: 'root_cause', rootCause: 'cancelled' } },
      [ONE_ID],
    ],
  ])('cancelled: %s', (_name, options, expected) => {
    const plan = buildRelaunchPlan(oneFailed(cancelled()).build(), DEFAULT_POLICY, options);
    expect(plan.relaunch.map((i) => i.conditionId)).toEqual(expected);
  });
});

describe('relaunch plan: filters and canaries', () => {
  const mixed = () =>
    sweep(GRID)
      .all(completed())
      .where({ model: 'vit' }, failed('preempted', 'PREEMPTION'))
      .where({ model: 'resnet', loss: 'focal' }, failed('gpu_oom', 'CUDA oom', { memoryMb: 1000 }))
      .build();

  it.each([
    ['all', 9],
    ['preempted', 6],
    ['gpu_oom', 3],
    ['model=vit', 6],
    ['model=vit, fold=1', 2],
    ['loss=focal,model=resnet,fold=0', 1],
  ])('`/sweepwatch relaunch %s` selects the matching failed conditions', (text, count) => {
    const parsed = parseRelaunchFilter(text, ['model', 'loss', 'fold']);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(buildRelaunchPlan(mixed(), DEFAULT_POLICY, { filter: parsed.filter }).relaunch).toHaveLength(
      count,
    );
  });

  it.each([
    ['oom', 'unknown root cause'],
    ['model=', 'bad filter term'],
    ['model=vit=1', 'bad filter term'],
    ['seed=1', 'unknown factor'],
  ])('rejects `/sweepwatch relaunch %s`', (text, error) => {
    const parsed = parseRelaunchFilter(text, ['model', 'loss', 'fold']);
    expect(parsed.ok ? '' : parsed.error).toContain(error);
  });

  it('relaunches one canary of a systemic cause first and holds the rest', () => {
    const plan = buildRelaunchPlan(mixed(), DEFAULT_POLICY, { systemicCauses: ['gpu_oom'] });
    const canaries = plan.relaunch.filter((i) => i.canary);
    expect(canaries.map((i) => i.conditionId)).toEqual(['model=resnet,loss=focal,fold=0']);
    expect(plan.deferred.map((i) => i.rootCause)).toEqual(['gpu_oom', 'gpu_oom']);
    expect(plan.relaunch.filter((i) => !i.canary)).toHaveLength(6);
  });

  it('relaunches everything at once when the policy has no canary', () => {
    const plan = buildRelaunchPlan(
      mixed(),
      { ...DEFAULT_POLICY, canary: false },
      { systemicCauses: ['gpu_oom'] },
    );
    expect({ relaunch: plan.relaunch.length, deferred: plan.deferred.length }).toEqual({
      relaunch: 9,
      deferred: 0,
    });
  });
});
