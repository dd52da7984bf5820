import { expandConditions } from '../../../src/core/conditions.js';
import type { Manifest } from '../../../src/core/manifest.js';
import { createManifest } from '../../../src/core/manifest-model.js';
import { recordSubmitted, recordSubmitting } from '../../../src/core/manifest-transitions.js';

/**
 * Manifests for the artifact store's tests: a 2 × 3 sweep of experiment `exp`, and the
 * transition a run applies when it submits one attempt (as in the branch store's concurrency test),
 * so a lost save shows as a missing job id.
 */

export const CONDITIONS = expandConditions({
  experiment: 'exp',
  factors: [
    { name: 'model', levels: ['vit', 'resnet'] },
    { name: 'fold', levels: [0, 1, 2] },
  ],
});

export function emptyManifest(experiment = 'exp'): Manifest {
  return createManifest({
    experiment,
    sweepDigest: 'sha256:0',
    factorNames: ['model', 'fold'],
    conditions: CONDITIONS,
    launch: { digest: 'git:abc', reason: 'launch', requestedBy: 'ci', at: '2026-03-01T08:00:00Z' },
  });
}

export const appendAttempt = (conditionIndex: number, jobId: string) => (m: Manifest | null) => {
  const base = m ?? emptyManifest();
  const conditionId = CONDITIONS[conditionIndex % CONDITIONS.length]?.id ?? '';
  const submitting = recordSubmitting(base, [{ conditionId, cycle: 0 }], '2026-03-01T08:01:00Z');
  return recordSubmitted(submitting, [{ conditionId, jobId }], '2026-03-01T08:02:00Z');
};

export function jobIds(m: Manifest | undefined): string[] {
  return (m?.conditions.flatMap((c) => c.attempts.map((a) => a.jobId)) ?? []).filter(
    (id): id is string => id !== null,
  );
}
