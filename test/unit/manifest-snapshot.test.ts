import { describe, expect, it } from 'vitest';
import { expandConditions } from '../../src/core/conditions.js';
import { createManifest, type Manifest } from '../../src/core/manifest.js';
import { manifestToSnapshot, NO_JOB_ID } from '../../src/core/manifest-snapshot.js';
import {
  applyObservations,
  markStale,
  recordClassification,
  recordRelaunchCycle,
  recordSubmitFailed,
  recordSubmitted,
  recordSubmitting,
  setPaused,
} from '../../src/core/manifest-transitions.js';
import { attemptStatus } from '../../src/core/snapshot.js';

const NOW = '2025-03-01T09:00:00Z';
const T = (minute: number) => `2025-03-01T08:${String(minute).padStart(2, '0')}:00Z`;
const factors = [
  { name: 'model', levels: ['vit', 'resnet'] },
  { name: 'fold', levels: [0, 1] },
];
const conditions = expandConditions({ experiment: 'exp', factors });
const [A = '', B = '', C = '', D = ''] = conditions.map((c) => c.id);

function manifest(): Manifest {
  let m = createManifest({
    experiment: 'exp',
    sweepDigest: 'sha256:0',
    factorNames: ['model', 'fold'],
    conditions,
    launch: { digest: 'git:a', reason: 'launch', requestedBy: 'alice', at: T(0) },
  });
  m = recordSubmitting(
    m,
    [A, B, C, D].map((conditionId) => ({ conditionId, cycle: 0 })),
    T(1),
  );
  m = recordSubmitted(
    m,
    [
      { conditionId: A, jobId: '11' },
      { conditionId: B, jobId: '12' },
    ],
    T(2),
  );
  m = recordSubmitFailed(m, [{ conditionId: C, error: 'sbatch: error: invalid partition' }], T(2));
  return m;
}

const view = (m: Manifest, id: string) => {
  const s = manifestToSnapshot(m, {
    now: NOW,
    defaults: { memoryMb: 8000, timeMinutes: 60 },
    heldPatienceSeconds: 600,
  });
  return s.conditions.find((c) => c.id === id)?.attempts ?? [];
};

describe('manifestToSnapshot', () => {
  it('maps factors to level text and carries cycles and pause', () => {
    const m = setPaused(
      recordRelaunchCycle(manifest(), { digest: 'git:b', reason: 'r', requestedBy: 'x', at: T(5) }),
      true,
    );
    const s = manifestToSnapshot(m, { now: NOW });
    // Levels in first-use order over the (sorted) conditions.
    expect(s.factors).toEqual([
      { name: 'model', levels: ['resnet', 'vit'] },
      { name: 'fold', levels: ['0', '1'] },
    ]);
    expect(s.conditions[0]?.factors).toEqual({ model: 'resnet', fold: '0' });
    expect(s.relaunchCycles).toBe(1);
    expect(s.paused).toBe(true);
  });

  it('submitted but not observed yet is pending, with the template resources', () => {
    expect(view(manifest(), A)).toEqual([
      {
        cycle: 0,
        jobId: '11',
        state: 'PENDING',
        resources: { memoryMb: 8000, timeMinutes: 60 },
        pendingSinceSeconds: 3540,
      },
    ]);
  });

  it('a submission in flight is unknown and stale: live for F1, never cancelled', () => {
    const [a] = view(manifest(), D);
    expect(a).toMatchObject({ jobId: NO_JOB_ID, state: 'UNKNOWN', stale: true });
    expect(a && attemptStatus(a)).toBe('unknown');
  });

  it('a refused submission is a failure classified submission_rejected', () => {
    const [a] = view(manifest(), C);
    expect(a).toMatchObject({
      state: 'FAILED',
      classification: { rootCause: 'submission_rejected', evidence: ['sbatch: error: invalid partition'] },
    });
  });

  it('observed facts, classification, stale flag and escalated resources come through', () => {
    let m = applyObservations(
      manifest(),
      [
        {
          jobId: '11',
          state: 'FAILED',
          rawState: 'FAILED',
          startedAt: T(10),
          endedAt: T(20),
          exit: { code: 1, signal: null },
        },
        { jobId: '12', state: 'PENDING', rawState: 'PENDING', reason: 'PartitionTimeLimit' },
      ],
      T(30),
    ).manifest;
    m = recordClassification(m, [
      {
        ref: { conditionId: A, attempt: 0 },
        classification: { rootCause: 'gpu_oom', signature: 's', confidence: 0.9, evidence: ['oom'] },
      },
    ]);
    m = markStale(m, ['12'], T(40));
    expect(view(m, A)[0]).toMatchObject({
      state: 'FAILED',
      startedAt: T(10),
      endedAt: T(20),
      elapsedSeconds: 600,
      classification: { rootCause: 'gpu_oom', signature: 's' },
    });
    expect(view(m, B)[0]).toMatchObject({
      stale: true,
      pendingReason: 'PartitionTimeLimit',
      pendingProblem: true,
    });

    m = recordRelaunchCycle(m, { digest: 'git:b', reason: 'oom', requestedBy: 'sweepwatch', at: T(50) });
    m = recordSubmitting(
      m,
      [{ conditionId: A, cycle: 1, requested: { memoryMb: 16000, timeMinutes: null } }],
      T(51),
    );
    expect(view(m, A)[1]).toMatchObject({ cycle: 1, resources: { memoryMb: 16000, timeMinutes: 60 } });
  });
});
