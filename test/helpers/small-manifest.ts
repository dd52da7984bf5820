/**
 * A small sweep's manifest made through the real transitions, for the core's unit tests: the
 * launch, and every condition submitted. Tests build what they check on top of it.
 */
import { expandConditions, type FactorSpec } from '../../src/core/conditions.js';
import type { Manifest } from '../../src/core/manifest.js';
import { createManifest } from '../../src/core/manifest-model.js';
import { recordSubmitted, recordSubmitting } from '../../src/core/manifest-transitions.js';

/** 08:mm on the tests' day, UTC. */
export const T = (minute: number): string => `2025-03-01T08:${String(minute).padStart(2, '0')}:00Z`;

/** Launched, nothing submitted yet (the launch time carries a fraction compactTime drops). */
export function freshManifest(factors: readonly FactorSpec[]): Manifest {
  return createManifest({
    experiment: 'exp',
    sweepDigest: 'sha256:0',
    factorNames: factors.map((f) => f.name),
    conditions: expandConditions({ experiment: 'exp', factors }),
    launch: { digest: 'git:abc', reason: 'launch', requestedBy: 'alice', at: '2025-03-01T08:00:00.123Z' },
  });
}

/** Every condition submitted as job 100 + its index, at T(1) and T(2). */
export function launchedManifest(factors: readonly FactorSpec[]): Manifest {
  const fresh = freshManifest(factors);
  const ids = fresh.conditions.map((c) => c.id);
  const m = recordSubmitting(
    fresh,
    ids.map((conditionId) => ({ conditionId, cycle: 0 })),
    T(1),
  );
  return recordSubmitted(
    m,
    ids.map((conditionId, i) => ({ conditionId, jobId: String(100 + i) })),
    T(2),
  );
}
