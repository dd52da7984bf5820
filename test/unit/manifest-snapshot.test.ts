import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countStates } from '../../src/core/aggregate.js';
import { expandConditions } from '../../src/core/conditions.js';
import { createManifest, type Manifest, parseManifest, serializeManifest } from '../../src/core/manifest.js';
import { countManifestStates, manifestToSnapshot, NO_JOB_ID } from '../../src/core/manifest-snapshot.js';
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
import { attemptStatus, currentConditions } from '../../src/core/snapshot.js';
import { manifestArb } from '../fixtures/manifest/arbitrary-manifest.js';

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

describe('a refused submission', () => {
  it('for want of resources is a provisioning failure (kept through the file), any other a rejection', () => {
    let m = createManifest({
      experiment: 'exp',
      sweepDigest: 'sha256:0',
      factorNames: ['model', 'fold'],
      conditions,
      launch: { digest: 'git:a', reason: 'launch', requestedBy: 'alice', at: T(0) },
    });
    m = recordSubmitting(
      m,
      [A, B].map((conditionId) => ({ conditionId, cycle: 0 })),
      T(1),
    );
    m = recordSubmitFailed(
      m,
      [
        {
          conditionId: A,
          error: 'ResourcesUnavailableError: no launchable resource',
          rootCause: 'provisioning',
        },
        { conditionId: B, error: 'sbatch: error: invalid partition', rootCause: 'submission_rejected' },
      ],
      T(2),
    );
    const reloaded = parseManifest(serializeManifest(m), { source: 'test' });
    for (const manifest of [m, reloaded]) {
      expect(view(manifest, A)[0]?.classification).toMatchObject({
        rootCause: 'provisioning',
        evidence: ['ResourcesUnavailableError: no launchable resource'],
      });
      expect(view(manifest, B)[0]?.classification?.rootCause).toBe('submission_rejected');
    }
  });
});

describe('countManifestStates', () => {
  it("gives the previous tick's counts exactly as the full snapshot would, for any manifest", () => {
    fc.assert(
      fc.property(manifestArb, fc.integer({ min: 0, max: 3600 }), (m, heldPatienceSeconds) => {
        const options = { now: NOW, defaults: { memoryMb: 8000, timeMinutes: 60 }, heldPatienceSeconds };
        expect(countManifestStates(m, options)).toEqual(
          countStates(currentConditions(manifestToSnapshot(m, options))),
        );
      }),
      { numRuns: 200 },
    );
  });
});
