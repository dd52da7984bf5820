// The checklist fails where the rule was broken: each case takes the finished sweep and breaks
// one rule in its manifest.
import { beforeAll, describe, expect, it } from 'vitest';
import { NEEDS_FIX } from '../../src/app/relaunch-select.js';
import { checklist } from '../../src/core/final-report-checks.js';
import type { Attempt, ConditionRecord, Manifest } from '../../src/core/manifest.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { finishedSweep } from '../fixtures/final-report/scenario.js';

let done: Manifest;
beforeAll(async () => {
  done = (await finishedSweep()).manifest;
});

const verdicts = (m: Manifest, policy = DEFAULT_POLICY) =>
  Object.fromEntries(checklist(m, policy, NEEDS_FIX).map((c) => [c.id, c.pass]));

/** The manifest with one condition's attempts changed. */
function withAttempts(m: Manifest, id: string, change: (a: readonly Attempt[]) => Attempt[]): Manifest {
  return {
    ...m,
    conditions: m.conditions.map(
      (c): ConditionRecord => (c.id === id ? { ...c, attempts: change(c.attempts) } : c),
    ),
  };
}

const relaunched = (m: Manifest) => m.conditions.find((c) => c.attempts.length > 1)?.id ?? '';

describe('checklist', () => {
  it('passes every rule on a sweep that kept them', () => {
    expect(verdicts(done)).toEqual({ F1: true, F2: true, F3: true, F4: true, F5: true });
  });

  it('F1 fails when a relaunch opened while an earlier attempt was still running', () => {
    const early = {
      ...done,
      cycles: done.cycles.map((c) => (c.cycle === 1 ? { ...c, at: '2026-03-02T09:30:00Z' } : c)),
    };
    expect(verdicts(early).F1).toBe(false);
  });

  it('F2 fails on a failure never classified, or a cycle planned twice', () => {
    const unclassified = withAttempts(done, relaunched(done), ([first, ...rest]) =>
      first === undefined ? [...rest] : [{ ...first, classification: null }, ...rest],
    );
    expect(verdicts(unclassified).F2).toBe(false);
    const twice = {
      ...done,
      decisions: [
        ...done.decisions,
        {
          at: '2026-03-02T10:05:00Z',
          decision: 'intervene' as const,
          band: 'systemic' as const,
          reasonCode: 'x',
          note: '[dispatched cycle=1 at=2026-03-02T10:05:00Z]',
        },
        {
          at: '2026-03-02T10:06:00Z',
          decision: 'intervene' as const,
          band: 'systemic' as const,
          reasonCode: 'x',
          note: '[dispatched cycle=1 at=2026-03-02T10:06:00Z]',
        },
      ],
    };
    expect(verdicts(twice).F2).toBe(false);
  });

  it('F2 counts the dispatch a tick claimed in its record, and forgets one withdrawn', () => {
    const record = (at: string, note: string) => ({
      at,
      decision: 'intervene' as const,
      band: 'systemic' as const,
      reasonCode: 'systemic_root_cause',
      note,
    });
    const claimedTwice = {
      ...done,
      decisions: [
        ...done.decisions,
        record('2026-03-02T12:00:00Z', '[dispatched cycle=2 at=2026-03-02T12:00:00Z claim=aaaa1111]'),
        record('2026-03-02T13:00:00Z', '[dispatched cycle=2 at=2026-03-02T13:00:00Z claim=bbbb2222]'),
      ],
    };
    expect(verdicts(claimedTwice).F2).toBe(false);
    const withdrawnThenSent = {
      ...done,
      decisions: [
        ...done.decisions,
        record('2026-03-02T12:00:00Z', '[dispatched cycle=2 at=2026-03-02T12:00:00Z claim=aaaa1111]'),
        {
          ...record('2026-03-02T12:00:00Z', '[withdrawn cycle=2 of=dispatched]'),
          reasonCode: 'dispatch_failed',
        },
        record('2026-03-02T12:05:00Z', '[dispatched cycle=2 at=2026-03-02T12:05:00Z claim=bbbb2222]'),
        record('2026-03-02T12:10:00Z', '[dispatched cycle=2 at=2026-03-02T12:05:00Z]'),
      ],
    };
    expect(verdicts(withdrawnThenSent).F2).toBe(true);
  });

  it('F3 fails when a failure that needs a fix reran on the same digest, unless forced', () => {
    const nanRerun = withAttempts(done, relaunched(done), ([first, ...rest]) =>
      first === undefined || first.classification === null
        ? [...rest]
        : [{ ...first, classification: { ...first.classification, rootCause: 'nan_divergence' } }, ...rest],
    );
    const sameDigest = { ...nanRerun, cycles: nanRerun.cycles.map((c) => ({ ...c, digest: 'git:1111111' })) };
    expect(verdicts(sameDigest).F3).toBe(false);
    expect(verdicts(nanRerun).F3).toBe(true);
    const forced = {
      ...sameDigest,
      cycles: sameDigest.cycles.map((c) =>
        c.cycle === 1 ? { ...c, reason: `${c.reason}; F3 overridden with force for 1` } : c,
      ),
    };
    expect(verdicts(forced).F3).toBe(true);
  });

  it('F4 fails past the cycle budget', () => {
    expect(verdicts(done, { ...DEFAULT_POLICY, maxRelaunchCycles: 0 }).F4).toBe(false);
  });

  it('F5 fails on a condition still live, unconfirmed, or never launched', () => {
    const live = withAttempts(done, relaunched(done), (as) =>
      as.map((a, i) => (i === as.length - 1 ? { ...a, state: 'RUNNING' } : a)),
    );
    expect(verdicts(live).F5).toBe(false);
    const stale = withAttempts(done, relaunched(done), (as) =>
      as.map((a, i) => (i === as.length - 1 ? { ...a, staleSince: '2026-03-02T11:00:00Z' } : a)),
    );
    expect(verdicts(stale).F5).toBe(false);
    const never = withAttempts(done, relaunched(done), () => []);
    expect(checklist(never, DEFAULT_POLICY, NEEDS_FIX).find((c) => c.id === 'F5')?.detail).toMatch(
      /never launched/,
    );
  });
});
