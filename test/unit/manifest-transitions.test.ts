import { describe, expect, it } from 'vitest';
import { expandConditions } from '../../src/core/conditions.js';
import { type Manifest, parseManifest, serializeManifest } from '../../src/core/manifest.js';
import {
  applyObservations,
  markStale,
  recordClassification,
  recordDecision,
  recordIssue,
  recordRelaunchCycle,
  recordSubmitFailed,
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
const [A = '', B = ''] = ids;

const fresh = () => freshManifest(factors);
const launched = () => launchedManifest(factors);

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

describe('the attempt chain', () => {
  it('opens an attempt before submitting and gives it the job id after', () => {
    const submitting = recordSubmitting(
      fresh(),
      [{ conditionId: A, cycle: 0, requested: { memoryMb: 16_384, timeMinutes: null } }],
      T(1),
    );
    expect(submitting.conditions[0]?.attempts).toEqual([
      expect.objectContaining({ phase: 'submitting', jobId: null, cycle: 0, submittedAt: T(1), state: null }),
    ]);
    const submitted = recordSubmitted(
      submitting,
      [{ conditionId: A, jobId: '4812345', stdoutPath: '/logs/a.out' }],
      T(2),
    );
    expect(submitted.conditions[0]?.attempts[0]).toMatchObject({
      phase: 'submitted',
      jobId: '4812345',
      stdoutPath: '/logs/a.out',
      stderrPath: '/logs/a.out',
      requested: { memoryMb: 16_384, timeMinutes: null },
    });
    expect(submitted.conditions[1]).toBe(submitting.conditions[1]);
  });

  it('records the image each job was launched with, kept through the file', () => {
    const m = recordSubmitting(
      fresh(),
      [
        { conditionId: A, cycle: 0 },
        { conditionId: B, cycle: 0 },
      ],
      T(1),
    );
    const image = 'docker:ghcr.io/lab/train@sha256:0f3a9c';
    const submitted = recordSubmitted(
      m,
      [
        { conditionId: A, jobId: '7', image },
        { conditionId: B, jobId: '8' },
      ],
      T(2),
    );
    const reloaded = parseManifest(serializeManifest(submitted), { source: 'test' });
    for (const x of [submitted, reloaded]) {
      expect(x.conditions[0]?.attempts[0]?.image).toBe(image);
      expect(x.conditions[1]?.attempts[0]?.image).toBeNull();
    }
  });

  it('closes a refused submission without a job', () => {
    const m = recordSubmitting(fresh(), [{ conditionId: A, cycle: 0 }], T(1));
    const failed = recordSubmitFailed(
      m,
      [{ conditionId: A, error: 'sbatch: error: invalid partition specified: gpuu' }],
      T(2),
    );
    expect(failed.conditions[0]?.attempts[0]).toMatchObject({
      phase: 'submit_failed',
      jobId: null,
      submitError: 'sbatch: error: invalid partition specified: gpuu',
    });
  });

  it.each([
    [
      'a second submission in flight',
      (m: Manifest) => recordSubmitting(m, [{ conditionId: A, cycle: 0 }], T(3)),
      'manifest of exp: condition model=resnet,fold=0 already has a submission in flight',
    ],
    [
      'an unknown condition',
      (m: Manifest) => recordSubmitting(m, [{ conditionId: 'model=lstm,fold=0', cycle: 0 }], T(3)),
      'manifest of exp: unknown condition(s): model=lstm,fold=0',
    ],
    [
      'a cycle not recorded yet',
      (m: Manifest) => recordSubmitting(m, [{ conditionId: B, cycle: 1 }], T(3)),
      'manifest of exp: cycle 1 is not recorded yet (record the relaunch cycle first)',
    ],
    [
      'a job id twice',
      (m: Manifest) =>
        recordSubmitted(
          m,
          [
            { conditionId: A, jobId: '7' },
            { conditionId: B, jobId: '7' },
          ],
          T(3),
        ),
      'manifest of exp: job 7 is already recorded',
    ],
    [
      'a job for a condition with nothing in flight',
      (m: Manifest) => recordSubmitted(m, [{ conditionId: B, jobId: '8' }], T(3)),
      'manifest of exp: condition model=resnet,fold=1 has no submission in flight',
    ],
  ])('refuses %s', (_name, change, message) => {
    const m = recordSubmitting(fresh(), [{ conditionId: A, cycle: 0 }], T(1));
    expect(() => change(m)).toThrow(message);
  });
});

describe('observations', () => {
  it('change only what changed and report the attempts newly seen failed', () => {
    const m = launched();
    const first = applyObservations(
      m,
      [
        obs('100', 'RUNNING', { startedAt: '2025-03-01T08:03:00.500Z' }),
        obs('101', 'PENDING', { reason: 'Priority' }),
      ],
      T(5),
    );
    expect(first.newlyFailed).toEqual([]);
    expect(first.manifest.conditions[0]?.attempts[0]).toMatchObject({
      state: 'RUNNING',
      startedAt: '2025-03-01T08:03:00Z',
      observedAt: T(5),
    });
    expect(first.manifest.conditions[2]).toBe(m.conditions[2]);

    const again = applyObservations(first.manifest, [obs('100', 'RUNNING'), obs('101', 'PENDING')], T(10));
    expect(again.manifest.conditions).toEqual(first.manifest.conditions);
    for (const [i, c] of again.manifest.conditions.entries()) expect(c).toBe(first.manifest.conditions[i]);
    expect(again.manifest.observedAt).toBe(T(10));

    const failed = applyObservations(
      again.manifest,
      [obs('100', 'FAILED', { exit: { code: 1, signal: null } }), obs('999', 'RUNNING')],
      T(20),
    );
    expect(failed.newlyFailed).toEqual([{ conditionId: A, attempt: 0 }]);
    expect(failed.unknownJobIds).toEqual(['999']);
    expect(failed.manifest.conditions[0]?.attempts[0]).toMatchObject({
      state: 'FAILED',
      startedAt: '2025-03-01T08:03:00Z',
      exit: { code: 1, signal: null },
    });
    expect(applyObservations(failed.manifest, [obs('100', 'FAILED')], T(25)).newlyFailed).toEqual([]);
  });

  it('keep the last known state when observing fails, marked stale until seen again', () => {
    const running = applyObservations(launched(), [obs('100', 'RUNNING')], T(5)).manifest;
    const stale = markStale(running, ['100', 'nope'], T(10));
    expect(stale.conditions[0]?.attempts[0]).toMatchObject({
      state: 'RUNNING',
      staleSince: T(10),
      observedAt: T(5),
    });
    expect(markStale(stale, ['100'], T(15))).toBe(stale);
    const back = applyObservations(stale, [obs('100', 'RUNNING')], T(20)).manifest;
    expect(back.conditions[0]?.attempts[0]).toMatchObject({
      state: 'RUNNING',
      staleSince: null,
      observedAt: T(20),
    });
  });
});

describe('classification, cycles, decisions, issues, pause', () => {
  it('bounds the evidence it stores', () => {
    const m = recordClassification(launched(), [
      {
        ref: { conditionId: A, attempt: 0 },
        classification: {
          rootCause: 'gpu_oom',
          signature: 's',
          confidence: 0.9312,
          evidence: ['1', '2', '3', '4', '5', '6', 'x'.repeat(500)],
        },
      },
    ]);
    const k = m.conditions[0]?.attempts[0]?.classification;
    expect(k?.evidence).toHaveLength(5);
    expect(k?.evidence.at(-1)).toHaveLength(300);
    expect(k?.confidence).toBe(0.93);
  });

  it('allows two relaunch cycles and refuses a third', () => {
    const cycle = { digest: 'git:def', reason: 'gpu_oom', requestedBy: 'bob', at: T(30) };
    const twice = recordRelaunchCycle(recordRelaunchCycle(launched(), cycle), cycle);
    expect(twice.cycles.map((c) => c.cycle)).toEqual([0, 1, 2]);
    expect(() => recordRelaunchCycle(twice, cycle)).toThrow(
      'manifest of exp: all 2 relaunch cycles are used',
    );
  });

  it('keeps the last 50 decisions', () => {
    let m = launched();
    for (let i = 0; i < 60; i++)
      m = recordDecision(m, {
        at: T(i % 60),
        decision: 'watch',
        band: 'degraded',
        reasonCode: `r${i}`,
        note: null,
      });
    expect(m.decisions).toHaveLength(50);
    expect(m.decisions[0]?.reasonCode).toBe('r10');
  });

  it('returns the same manifest when nothing changes', () => {
    const m = recordIssue(setPaused(launched(), true), 'gpu_oom:1a2b', 12);
    expect(setPaused(m, true)).toBe(m);
    expect(recordIssue(m, 'gpu_oom:1a2b', 12)).toBe(m);
    expect(m.issues).toEqual({ 'gpu_oom:1a2b': 12 });
    expect(() => recordIssue(m, 'bad fingerprint', 1)).toThrow(
      'manifest of exp: "bad fingerprint" is not a fingerprint',
    );
  });
});
