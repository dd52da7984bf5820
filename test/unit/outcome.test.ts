import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateSweep, REASON_CODES } from '../../src/core/outcome.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import type { AttemptSpec, SweepBuilder } from '../helpers/sweep-builder.js';
import { cancelled, completed, failed, pending, running, sweep } from '../helpers/sweep-builder.js';

const GRID = {
  model: ['vit', 'resnet'],
  loss: ['ce', 'focal'],
  fold: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
const VIT_FOCAL = { model: 'vit', loss: 'focal' };
/** OOMs whose end times are an hour apart: never a kill-switch burst. */
const spreadOom = (i: number) =>
  failed('gpu_oom', 'CUDA out of memory', { memoryMb: 16_000, endedAgo: 60 + 3600 * i });
const s = (): SweepBuilder => sweep(GRID);

type Row = readonly [string, SweepBuilder, string, string];

describe('decision', () => {
  it.each<Row>([
    [
      'paused: observe, never act',
      s().all(running(60)).first(8, {}, spreadOom).paused(),
      'no-intervention',
      'paused',
    ],
    [
      'a long queue with legitimate reasons',
      sweep({ ...GRID, lr: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] }).all(pending('Resources')),
      'no-intervention',
      'pending_legit',
    ],
    [
      'a queue held within patience',
      s().all(pending('JobHeldUser', { pendingSinceSeconds: 600 })),
      'no-intervention',
      'pending_legit',
    ],
    [
      'a queue held past patience',
      s().all(pending('JobHeldUser', { pendingSinceSeconds: 7200 })),
      'watch',
      'pending_problem',
    ],
    [
      'a queue on a partition that is down',
      s()
        .all(pending())
        .first(1, {}, pending('PartitionDown', { pendingProblem: true })),
      'watch',
      'pending_problem',
    ],
    ['jobs running, nothing failed', s().all(running(600)), 'no-intervention', 'all_healthy'],
    [
      'jobs running, one preemption',
      s()
        .all(running(600))
        .first(1, {}, failed('preempted', 'P'))
        .first(10, { model: 'resnet' }, completed()),
      'no-intervention',
      'failures_within_band',
    ],
    [
      'F1: systemic failures while jobs run wait for terminal',
      s().all(running(600)).first(8, {}, spreadOom).first(10, { model: 'resnet' }, completed()),
      'watch',
      'waiting_for_terminal',
    ],
    [
      'F1: a degraded batch while jobs run is watched',
      s()
        .all(running(600))
        .first(2, {}, spreadOom)
        .first(1, { model: 'resnet' }, failed('code_error', 'E'))
        .first(20, { model: 'resnet' }, completed())
        .first(1, { model: 'resnet', fold: '9' }, failed('crash', 'segv')),
      'watch',
      'degraded_watch',
    ],
    [
      'F1 exception: the kill switch acts while jobs run',
      s()
        .all(running(100))
        .first(3, VIT_FOCAL, (i) => failed('gpu_oom', 'oom', { elapsed: 300, endedAgo: 60 + i })),
      'intervene',
      'kill_switch',
    ],
    [
      'F1 exception: a config hard stop acts while jobs run',
      s()
        .all(pending())
        .first(4, {}, failed('config_error', 'FileNotFoundError', { elapsed: 4 })),
      'intervene',
      'hard_stop_config',
    ],
    [
      'F1 exception: a crash pattern acts while jobs run',
      s()
        .all(running(100))
        .where(
          (_f, i) => i % 11 === 0,
          (i) => failed('code_error', 'IndexError', { elapsed: 1200, endedAgo: 3600 * i }),
        ),
      'intervene',
      'hard_stop_crash_pattern',
    ],
    [
      'F1 exception: NaN outputs across the batch',
      s()
        .all(running(100))
        .first(4, {}, completed())
        .outputs((_f, i) => i < 4, 'non_finite'),
      'intervene',
      'hard_stop_outputs',
    ],
    ['everything completed', s().all(completed()), 'no-intervention', 'complete'],
    [
      'finished, failures within band and every cell has a result',
      s().all(completed()).first(2, {}, failed('preempted', 'P')),
      'no-intervention',
      'failures_within_band',
    ],
    [
      'finished, degraded',
      s()
        .all(completed())
        .first(3, {}, failed('preempted', 'P'))
        .first(2, { model: 'resnet' }, failed('code_error', 'E')),
      'watch',
      'degraded_watch',
    ],
    [
      'finished, one systemic root cause',
      s().all(completed()).first(8, {}, spreadOom),
      'intervene',
      'systemic_root_cause',
    ],
    [
      'F4: systemic after the last relaunch cycle goes to an issue',
      s().all(completed()).first(8, {}, spreadOom).cycles(2),
      'intervene',
      'relaunch_budget_exhausted',
    ],
    [
      'cancelled by a person, the rest completed',
      s().all(completed()).first(10, {}, cancelled()),
      'no-intervention',
      'complete',
    ],
  ])('%s', (_name, builder, decision, reasonCode) => {
    const outcome = evaluateSweep(builder.build(), DEFAULT_POLICY);
    expect({ decision: outcome.decision, reasonCode: outcome.reasonCode }).toEqual({ decision, reasonCode });
    expect(REASON_CODES).toContain(outcome.health.reasonCode);
    expect(outcome.reason).not.toBe('');
  });

  it('an empty sweep needs nothing', () => {
    const outcome = evaluateSweep({ now: 0, factors: [], conditions: [], relaunchCycles: 0 }, DEFAULT_POLICY);
    expect(outcome.reasonCode).toBe('empty_sweep');
  });

  it('F1: no relaunch plan and nothing to cancel while jobs run', () => {
    const outcome = evaluateSweep(
      s().all(running(600)).first(8, {}, spreadOom).first(10, { model: 'resnet' }, completed()).build(),
      DEFAULT_POLICY,
    );
    expect(outcome.health.band).toBe('systemic');
    expect(outcome.relaunchPlan).toBeNull();
    expect(outcome.cancelJobIds).toEqual([]);
  });

  it('the kill switch cancels only the doomed jobs of the failing configuration', () => {
    const outcome = evaluateSweep(
      s()
        .all(running(100))
        .first(3, VIT_FOCAL, (i) => failed('gpu_oom', 'oom', { elapsed: 300, endedAgo: 60 + i }))
        .build(),
      DEFAULT_POLICY,
    );
    // vit/focal is conditions 10-19: folds 3-9 still run below 300 s.
    expect(outcome.cancelJobIds).toEqual([
      '1013_0',
      '1014_0',
      '1015_0',
      '1016_0',
      '1017_0',
      '1018_0',
      '1019_0',
    ]);
    expect(outcome.cadence.mode).toBe('degraded');
  });

  it('a systemic batch relaunches one canary first, with more memory', () => {
    const outcome = evaluateSweep(s().all(completed()).first(8, {}, spreadOom).build(), DEFAULT_POLICY);
    expect(outcome.relaunchPlan?.relaunch).toEqual([
      expect.objectContaining({ canary: true, rootCause: 'gpu_oom', resources: { memoryMb: 32_000 } }),
    ]);
    expect(outcome.relaunchPlan?.deferred).toHaveLength(7);
  });

  it('F4: past the budget the plan relaunches nothing and lists the issues', () => {
    const outcome = evaluateSweep(
      s().all(completed()).first(8, {}, spreadOom).cycles(2).build(),
      DEFAULT_POLICY,
    );
    expect(outcome.relaunchPlan).toMatchObject({ refused: 'relaunch_budget_exhausted', relaunch: [] });
    expect(outcome.relaunchPlan?.issues).toHaveLength(8);
  });

  it('returns a versioned, JSON-safe result', () => {
    const outcome = evaluateSweep(s().all(completed()).first(8, {}, spreadOom).build(), DEFAULT_POLICY);
    const result = JSON.parse(JSON.stringify(outcome.result));
    expect(result).toEqual(outcome.result);
    expect(result).toMatchObject({
      version: 1,
      decision: 'intervene',
      reason_code: 'systemic_root_cause',
      band: 'systemic',
      counts: { total: 40, failed: 8, succeeded: 32, terminal: 40 },
      root_causes: [{ root_cause: 'gpu_oom', count: 8, share: 0.2, action: 'relaunch_escalated' }],
      relaunch: { cycle: 1, refused: null, conditions: ['model=vit,loss=ce,fold=0'] },
      relaunch_cycle: 0,
    });
    expect(result.failed_conditions).toHaveLength(8);
    expect(result.next_poll_seconds).toBe(outcome.nextPollSeconds);
  });
});

describe('rule F1, for any sweep with a live job', () => {
  const spec = fc.constantFrom<AttemptSpec>(
    pending(),
    pending('PartitionDown', { pendingProblem: true }),
    running(100),
    running(5000),
    completed(),
    cancelled(),
    failed('gpu_oom', 'oom', { elapsed: 300, endedAgo: 60 }),
    failed('config_error', 'KeyError', { elapsed: 5, endedAgo: 600 }),
    failed('preempted', 'P', { endedAgo: 4000 }),
    failed('code_error', 'E', { elapsed: 1200, endedAgo: 100 }),
  );
  const sweepWithLiveJob = fc
    .tuple(fc.array(spec, { minLength: 40, maxLength: 40 }), fc.integer({ min: 0, max: 39 }))
    .map(([specs, live]) =>
      s()
        .all((i) => (i === live ? running(10) : (specs[i] ?? pending())))
        .build(),
    );

  it('intervenes only through the kill switch or a hard stop, and plans no relaunch', () => {
    const allowed = ['kill_switch', 'hard_stop_config', 'hard_stop_outputs', 'hard_stop_crash_pattern'];
    fc.assert(
      fc.property(sweepWithLiveJob, (snapshot) => {
        const outcome = evaluateSweep(snapshot, DEFAULT_POLICY);
        expect(outcome.relaunchPlan).toBeNull();
        if (outcome.decision === 'intervene') expect(allowed).toContain(outcome.reasonCode);
        else expect(outcome.cancelJobIds).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
