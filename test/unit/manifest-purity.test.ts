import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandConditions } from '../../src/core/conditions.js';
import type { Manifest } from '../../src/core/manifest.js';
import {
  applyObservations,
  markStale,
  recordClassification,
  recordDecision,
  recordIssue,
  recordRelaunchCycle,
  recordSubmitted,
  recordSubmitting,
  setPaused,
} from '../../src/core/manifest-transitions.js';
import type { JobObservation } from '../../src/core/types.js';
import { freshManifest, launchedManifest, T } from '../helpers/small-manifest.js';

const factors = [
  { name: 'model', levels: ['vit', 'resnet'] },
  { name: 'fold', levels: [0, 1] },
];
const conditions = expandConditions({ experiment: 'exp', factors });
const ids = conditions.map((c) => c.id);
const [, , C = ''] = ids;

const fresh = () => freshManifest(factors);
const launched = () => launchedManifest(factors);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const obs = (
  jobId: string,
  state: JobObservation['state'],
  extra: Partial<JobObservation> = {},
): JobObservation => ({
  jobId,
  state,
  rawState: state,
  ...extra,
});

describe('purity', () => {
  const jobsOf = (m: Manifest) =>
    m.conditions.flatMap((c) => c.attempts.flatMap((a) => (a.jobId === null ? [] : [a.jobId])));
  type Step = (m: Manifest) => Manifest;
  const steps: fc.Arbitrary<Step>[] = [
    fc.constantFrom(...ids).map(
      (id): Step =>
        (m) =>
          m.conditions.find((c) => c.id === id)?.attempts.at(-1)?.phase === 'submitting'
            ? m
            : recordSubmitting(m, [{ conditionId: id, cycle: m.cycles.length - 1 }], T(1)),
    ),
    fc.nat(50).map(
      (n): Step =>
        (m) => {
          const open = m.conditions.find((c) => c.attempts.at(-1)?.phase === 'submitting');
          return open === undefined
            ? m
            : recordSubmitted(
                m,
                [{ conditionId: open.id, jobId: `${n}-${m.conditions.flatMap((c) => c.attempts).length}` }],
                T(2),
              );
        },
    ),
    fc.constantFrom<JobObservation['state']>('RUNNING', 'FAILED', 'COMPLETED').map(
      (state): Step =>
        (m) => {
          return applyObservations(
            m,
            jobsOf(m).map((j) => obs(j, state)),
            T(3),
          ).manifest;
        },
    ),
    fc.constant((m: Manifest) => markStale(m, jobsOf(m), T(4))),
    fc.constant((m: Manifest) =>
      m.cycles.length > 2
        ? m
        : recordRelaunchCycle(m, { digest: 'd', reason: 'r', requestedBy: 'p', at: T(5) }),
    ),
    fc.constant((m: Manifest) =>
      recordDecision(m, { at: T(6), decision: 'watch', band: 'degraded', reasonCode: 'x', note: null }),
    ),
    fc.boolean().map(
      (p): Step =>
        (m) =>
          setPaused(m, p),
    ),
    fc.nat(9).map(
      (n): Step =>
        (m) =>
          recordIssue(m, `fp${n}`, n + 1),
    ),
    fc.constant((m: Manifest) => {
      const c = m.conditions.find((x) => x.attempts.length > 0);
      return c === undefined
        ? m
        : recordClassification(m, [
            {
              ref: { conditionId: c.id, attempt: 0 },
              classification: { rootCause: 'crash', signature: 's', confidence: 1, evidence: ['e'] },
            },
          ]);
    }),
  ];

  it('never mutates its input (every input is deep-frozen)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(...steps), { maxLength: 25 }), (sequence) => {
        let m = deepFreeze(fresh());
        for (const step of sequence) {
          const before = structuredClone(m);
          const next = step(m);
          expect(m).toEqual(before);
          m = deepFreeze(next);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps C untouched when only A changes', () => {
    const m = deepFreeze(launched());
    const next = applyObservations(m, [obs('100', 'RUNNING')], T(9)).manifest;
    expect(next.conditions[ids.indexOf(C)]).toBe(m.conditions[ids.indexOf(C)]);
  });
});
