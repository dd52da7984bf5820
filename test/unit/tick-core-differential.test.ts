/**
 * The tick's large-sweep paths (observations applied through typed-array lists, conditions found
 * by a position index, grid cells numbered instead of named) give exactly what the plain forms
 * they replaced gave. Each plain form is kept here as the oracle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cancelScope, inManifest } from '../../src/app/job-request.js';
import { expandConditions } from '../../src/core/conditions.js';
import { cellKey, cellKeyer } from '../../src/core/learning-value.js';
import type { Manifest } from '../../src/core/manifest.js';
import {
  ATTEMPT_SLOTS,
  type AttemptRef,
  findCondition,
  getAttempt,
  jobSlots,
} from '../../src/core/manifest-model.js';
import {
  applyObservations,
  recordClassification,
  recordRelaunchCycle,
  recordSubmitted,
  recordSubmitting,
} from '../../src/core/manifest-transitions.js';
import type { SweepSnapshot } from '../../src/core/snapshot.js';
import type { JobObservation, JobState } from '../../src/core/types.js';
import { isFailedState } from '../../src/core/types.js';
import { launchedManifest, T } from '../helpers/small-manifest.js';

const factors = [
  { name: 'model', levels: ['vit', 'resnet', 'mlp'] },
  { name: 'fold', levels: [0, 1] },
];
const conditions = expandConditions({ experiment: 'exp', factors });
const ids = conditions.map((c) => c.id);

/** Every condition launched; the first two relaunched once (two attempts each). */
function twoCycles(): Manifest {
  let m = launchedManifest(factors);
  m = recordRelaunchCycle(m, { digest: 'git:def', reason: 'oom', requestedBy: 'policy', at: T(3) });
  const again = ids.slice(0, 2);
  m = recordSubmitting(
    m,
    again.map((conditionId) => ({ conditionId, cycle: 1 })),
    T(4),
  );
  return recordSubmitted(
    m,
    again.map((conditionId, i) => ({ conditionId, jobId: String(200 + i) })),
    T(5),
  );
}

/** Job id → (condition, attempt), decoded from jobSlots. */
function jobIndex(m: Manifest): Map<string, { condition: number; attempt: number }> {
  const out = new Map<string, { condition: number; attempt: number }>();
  for (const [id, slot] of jobSlots(m)) {
    out.set(id, { condition: Math.floor(slot / ATTEMPT_SLOTS), attempt: slot % ATTEMPT_SLOTS });
  }
  return out;
}

/** What applyObservations returned before: a map per condition, keyed by attempt, last one wins. */
function oracleNewlyFailed(m: Manifest, observations: readonly JobObservation[]): AttemptRef[] {
  const index = jobIndex(m);
  const byCondition = new Map<number, Map<number, JobObservation>>();
  for (const o of observations) {
    const at = index.get(o.jobId);
    if (at === undefined) continue;
    const per = byCondition.get(at.condition) ?? new Map<number, JobObservation>();
    per.set(at.attempt, o);
    byCondition.set(at.condition, per);
  }
  const out: AttemptRef[] = [];
  m.conditions.forEach((c, ci) => {
    for (const [ai, o] of byCondition.get(ci) ?? []) {
      const before = c.attempts[ai];
      const was = before?.state !== null && before?.state !== undefined && isFailedState(before.state);
      if (before !== undefined && !was && isFailedState(o.state) && before.state !== o.state)
        out.push({ conditionId: c.id, attempt: ai });
    }
  });
  return out;
}

const STATES: JobState[] = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'OUT_OF_MEMORY', 'TIMEOUT'];
const jobIds = ['100', '101', '102', '103', '104', '105', '200', '201', '999'];
const observation = fc.record({
  jobId: fc.constantFrom(...jobIds),
  state: fc.constantFrom(...STATES),
  nodes: fc.option(fc.constantFrom('gpu01', 'gpu02'), { nil: undefined }),
});

describe('observations applied in one pass', () => {
  it('every observed job ends in the state its last observation reports, and each newly failed attempt is listed once, in first-observed order', () => {
    fc.assert(
      fc.property(fc.array(observation, { maxLength: 20 }), (raw) => {
        const m = twoCycles();
        const observations: JobObservation[] = raw.map((o) => ({
          jobId: o.jobId,
          state: o.state,
          rawState: o.state,
          ...(o.nodes !== undefined ? { nodes: o.nodes } : {}),
        }));
        const result = applyObservations(m, observations, T(9));
        const last = new Map(observations.map((o) => [o.jobId, o]));
        for (const [jobId, o] of last) {
          const at = jobIndex(m).get(jobId);
          if (at === undefined) continue;
          const a = result.manifest.conditions[at.condition]?.attempts[at.attempt];
          expect(a?.state).toBe(o.state);
          if (o.nodes !== undefined) expect(a?.used?.nodes).toBe(o.nodes);
        }
        expect(result.newlyFailed).toEqual(oracleNewlyFailed(m, observations));
        expect(result.unknownJobIds).toEqual(
          observations.filter((o) => o.jobId === '999').map((o) => o.jobId),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('an observation that changes nothing keeps the attempt record itself (and its line in the file)', () => {
    const m = applyObservations(
      twoCycles(),
      [{ jobId: '100', state: 'RUNNING', rawState: 'RUNNING' }],
      T(6),
    ).manifest;
    const again = applyObservations(m, [{ jobId: '100', state: 'RUNNING', rawState: 'RUNNING' }], T(7));
    expect(again.manifest.conditions[0]).toBe(m.conditions[0]);
    expect(again.newlyFailed).toEqual([]);
  });
});

describe('conditions found by position', () => {
  it('finds every condition of every manifest version, and its current attempt record, after transitions', () => {
    const m0 = twoCycles();
    const m1 = applyObservations(m0, [{ jobId: '101', state: 'FAILED', rawState: 'FAILED' }], T(6)).manifest;
    const m2 = recordClassification(m1, [
      {
        ref: { conditionId: ids[1] ?? '', attempt: 0 },
        classification: { rootCause: 'gpu_oom', signature: 's', confidence: 1, evidence: ['x'] },
      },
    ]);
    for (const m of [m0, m1, m2, m0]) {
      for (const c of m.conditions) expect(findCondition(m, c.id)).toBe(c);
    }
    expect(getAttempt(m2, { conditionId: ids[1] ?? '', attempt: 0 })?.classification?.rootCause).toBe(
      'gpu_oom',
    );
    expect(getAttempt(m0, { conditionId: ids[1] ?? '', attempt: 0 })?.classification).toBeNull();
  });

  it('an unknown condition id is not found, and a transition naming one is refused by name', () => {
    const m = twoCycles();
    expect(findCondition(m, 'model=nope,fold=0')).toBeNull();
    expect(() =>
      recordClassification(m, [
        {
          ref: { conditionId: 'model=nope,fold=0', attempt: 0 },
          classification: { rootCause: 'gpu_oom', signature: 's', confidence: 1, evidence: [] },
        },
      ]),
    ).toThrow(/model=nope,fold=0/);
  });

  it('a manifest whose conditions were reordered is still answered correctly', () => {
    const m = twoCycles();
    findCondition(m, ids[0] ?? '');
    const reordered: Manifest = { ...m, conditions: [...m.conditions].reverse() };
    for (const c of reordered.conditions) expect(findCondition(reordered, c.id)).toBe(c);
  });
});

describe('cancels stay inside the sweep', () => {
  it('keeps only the manifest’s own job ids, in the order asked, and scopes the cancel to them', () => {
    const m = twoCycles();
    const asked = ['201', '4242', '100', '100'];
    const kept = inManifest(m, asked);
    expect(kept).toEqual(['201', '100', '100']);
    expect([...cancelScope(m, kept).jobIds]).toEqual(kept);
    expect(inManifest(m, [])).toEqual([]);
  });
});

describe('grid cells numbered', () => {
  const level = fc.constantFrom('a', 'b', 'c', '');
  it('groups conditions into exactly the cells the named form does, with or without a replicate factor', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ f: level, g: level, seed: level }, { requiredKeys: ['f'] }), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.constantFrom<string | null>('seed', 'f', null),
        fc.boolean(),
        (rows, replicate, listAll) => {
          // Levels listed by the snapshot; a level not listed must still be grouped right.
          const levels = listAll ? ['a', 'b', 'c', ''] : ['a', 'b'];
          const snapshot: SweepSnapshot = {
            now: T(0),
            factors: ['f', 'g', 'seed'].map((name) => ({ name, levels })),
            conditions: [],
            relaunchCycles: 0,
          };
          const order = ['f', 'g', 'seed'];
          const numbered = cellKeyer(snapshot, replicate);
          const cells: Readonly<Record<string, string>>[] = rows.map((r) => ({ ...r }));
          for (const x of cells) {
            for (const y of cells) {
              const sameNamed = cellKey(x, order, replicate) === cellKey(y, order, replicate);
              const sameNumbered = numbered(x) === numbered(y);
              // The named form cannot tell a missing factor from an empty level; numbers can.
              const ambiguous = order.some(
                (n) => n !== replicate && (x[n] === undefined) !== (y[n] === undefined),
              );
              if (!ambiguous) expect(sameNumbered).toBe(sameNamed);
              else if (sameNumbered) expect(sameNamed).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
