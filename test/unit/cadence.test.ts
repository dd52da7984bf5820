import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextPoll } from '../../src/core/cadence.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import type { HealthBand } from '../../src/core/types.js';
import type { AttemptSpec } from '../helpers/sweep-builder.js';
import { completed, failed, pending, running, sweep } from '../helpers/sweep-builder.js';

const GRID = { model: ['vit', 'resnet'], fold: ['0', '1', '2', '3', '4'] };
const healthy = { band: 'healthy' } as const;

describe('poll cadence', () => {
  it.each([
    [
      'a quiet queue: the slowest pending-only poll',
      sweep(GRID).all(pending()),
      healthy,
      'pending_only',
      900,
    ],
    [
      'jobs running for an hour: the slowest running poll',
      sweep(GRID).all(running(3600)),
      healthy,
      'running',
      300,
    ],
    [
      'every running job near its time limit: the fastest running poll',
      sweep(GRID).all(running(3600, { timeMinutes: 62 })),
      healthy,
      'running',
      180,
    ],
    [
      'half the jobs just started: halfway',
      sweep(GRID).all(running(3600)).first(5, {}, running(30)),
      healthy,
      'running',
      240,
    ],
    [
      'a degraded batch: the degraded range',
      sweep(GRID).all(running(3600)),
      { band: 'degraded' },
      'degraded',
      120,
    ],
    [
      'a suspect batch, every job just ended or started: the fastest poll',
      sweep(GRID).all(running(10)),
      { band: 'healthy', suspect: true },
      'degraded',
      60,
    ],
    ['nothing live: idle, the slowest poll', sweep(GRID).all(completed()), healthy, 'idle', 900],
  ] as const)('%s', (_name, builder, context, mode, seconds) => {
    expect(nextPoll(builder.build(), DEFAULT_POLICY, context)).toMatchObject({ mode, seconds });
  });

  const spec = fc.constantFrom<AttemptSpec>(
    pending(),
    running(10),
    running(5000, { timeMinutes: 90 }),
    running(20_000),
    completed({ endedAgo: 30 }),
    failed('gpu_oom', 'oom', { endedAgo: 5000 }),
  );
  const band = fc.constantFrom<HealthBand>('healthy', 'degraded', 'systemic');

  it('always stays inside the range of its mode, and is the same for the same snapshot', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 10, maxLength: 10 }),
        band,
        fc.boolean(),
        (specs, b, suspect) => {
          const snapshot = sweep(GRID)
            .all((i) => specs[i] ?? pending())
            .build();
          const cadence = nextPoll(snapshot, DEFAULT_POLICY, { band: b, suspect });
          const range = {
            idle: DEFAULT_POLICY.cadence.pendingOnly,
            pending_only: DEFAULT_POLICY.cadence.pendingOnly,
            running: DEFAULT_POLICY.cadence.running,
            degraded: DEFAULT_POLICY.cadence.degraded,
          }[cadence.mode];
          expect(cadence.seconds).toBeGreaterThanOrEqual(range[0]);
          expect(cadence.seconds).toBeLessThanOrEqual(range[1]);
          expect(nextPoll(snapshot, DEFAULT_POLICY, { band: b, suspect })).toEqual(cadence);
        },
      ),
    );
  });
});
