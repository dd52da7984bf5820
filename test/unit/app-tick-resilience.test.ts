import { describe, expect, it } from 'vitest';
import { UseCaseError } from '../../src/app/errors.js';
import { factorialOf } from '../../src/config/sweep-config.js';
import { expandConditions } from '../../src/core/conditions.js';
import { ManifestError } from '../../src/core/manifest.js';
import { latestAttempt } from '../../src/core/manifest-model.js';
import { recordSubmitted, recordSubmitting, setPaused } from '../../src/core/manifest-transitions.js';
import { TransportError } from '../../src/ports/transport.js';
import { ago, type Harness, harness, jobsWhere, launched, OOM_LOG, runTick } from '../fakes/sweep-fixture.js';

function fail(h: Harness, jobId: string) {
  h.scheduler.set(jobId, 'FAILED', {
    exit: { code: 1, signal: null },
    startedAt: ago(h, 700),
    endedAt: ago(h, 60),
    elapsedSeconds: 640,
    log: OOM_LOG,
  });
}

/** A batch the kill switch would act on: vit fails identically, the rest of vit runs. */
function killSwitchBatch(h: Harness): void {
  const vit = jobsWhere(h, { model: 'vit' });
  for (const id of vit.slice(0, 3)) fail(h, id);
  for (const id of vit.slice(3)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 100) });
  for (const id of jobsWhere(h, { model: 'resnet' }))
    h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 3000) });
}

describe('tick when the cluster refuses us', () => {
  it.each([
    ['host_key', 'ssh: the host key of 127.0.0.1:22 is not the pinned one'],
    ['auth', 'ssh: alice@127.0.0.1:22 was refused'],
  ] as const)(
    'a refused %s fails the tick loudly instead of passing as an outage, and writes nothing',
    async (kind, message) => {
      const h = harness();
      await launched(h);
      const before = h.store.current();
      h.scheduler.failObserve = new TransportError(kind, message);
      await expect(runTick(h)).rejects.toMatchObject({ kind });
      expect(h.store.current()).toEqual(before);
      expect(h.scheduler.calls.cancel).toEqual([]);
      expect(h.issues.writes).toEqual([]);
    },
  );
});

describe('tick when observing fails', () => {
  it.each([
    [
      'the transport throws',
      (h: Harness) => {
        h.scheduler.failObserve = new TransportError('timeout', 'ssh: command timed out after 30 s');
      },
    ],
    [
      'every job comes back unobserved',
      (h: Harness) => {
        for (const id of jobsWhere(h)) h.scheduler.unobserved.add(id);
      },
    ],
  ])('%s: jobs are stale, none failed, nothing acted on', async (_name, breakIt) => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 300) });
    await runTick(h);
    killSwitchBatch(h);
    breakIt(h);
    const result = await runTick(h);
    expect(result.reasonCode).toBe('observation_failed');
    expect(result.decision).toBe('watch');
    expect(result.newlyFailed).toEqual([]);
    expect(result.counts.failed).toBe(0);
    expect(h.scheduler.calls.cancel).toEqual([]);
    expect(h.scheduler.calls.logTails).toEqual([]);
    expect(h.issues.writes).toEqual([]);
    expect(h.dispatcher.runs).toEqual([]);
    const attempts = h.store.current()?.conditions.map((c) => latestAttempt(c));
    expect(attempts?.every((a) => a?.state === 'RUNNING' && a.staleSince !== null)).toBe(true);
    expect(result.result.reason_code).toBe('observation_failed');
    expect(result.summaryMarkdown).toContain('nothing was marked failed');
  });

  it('a missing manifest says to launch first; a corrupt one is refused untouched', async () => {
    const h = harness();
    await expect(runTick(h)).rejects.toThrow(UseCaseError);
    await expect(runTick(h)).rejects.toThrow(/launch first/);
    h.store.text = '{"schema_version": 2, "experiment": ';
    await expect(runTick(h)).rejects.toThrow(ManifestError);
    expect(h.store.text).toBe('{"schema_version": 2, "experiment": ');
    expect(h.store.saves).toEqual([]);
  });
});

describe('tick bookkeeping', () => {
  it('re-applies its transitions when another writer saved first, losing no attempt', async () => {
    const h = harness();
    const victim = expandConditions(factorialOf(h.config)).find((c) => c.id === 'model=vit,loss=ce,seed=1');
    if (victim === undefined) throw new Error('no such condition');
    h.scheduler.reject.set(victim.jobName, 'sbatch: error: QOSMaxSubmitJobPerUserLimit');
    await launched(h);
    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 300) });
    h.scheduler.reject.clear();
    const retry = await h.scheduler.submit({ name: victim.jobName, command: { kind: 'argv', argv: ['x'] } });
    const retryId = retry.ok ? retry.jobId : '';
    // Between this tick's load and its save, a launch retry records the new attempt.
    h.store.beforeSave = (store) => {
      const m = store.current();
      if (m === null) return;
      const opened = recordSubmitting(m, [{ conditionId: victim.id, cycle: 0 }], ago(h, 1));
      store.put(recordSubmitted(opened, [{ conditionId: victim.id, jobId: retryId }], ago(h, 1)));
    };
    const result = await runTick(h);
    expect(h.store.conflicts).toBe(1);
    const m = h.store.current();
    const attempts = m?.conditions.find((c) => c.id === victim.id)?.attempts;
    expect(attempts?.map((a) => [a.phase, a.jobId])).toEqual([
      ['submit_failed', null],
      ['submitted', retryId],
    ]);
    const others = m?.conditions.filter((c) => c.id !== victim.id).map((c) => latestAttempt(c)?.state);
    expect(others?.every((s) => s === 'RUNNING')).toBe(true);
    expect(m?.decisions.at(-1)?.reasonCode).toBe(result.reasonCode);
  });

  it('paused: observes and records, never acts', async () => {
    const h = harness();
    await launched(h);
    const m = h.store.current();
    if (m !== null) h.store.put(setPaused(m, true));
    killSwitchBatch(h);
    const result = await runTick(h);
    expect(result.reasonCode).toBe('paused');
    expect(result.newlyFailed).toHaveLength(3);
    expect(h.scheduler.calls.cancel).toEqual([]);
    expect(h.issues.writes).toEqual([]);
    expect(h.dispatcher.runs).toEqual([]);
    const classified = h.store
      .current()
      ?.conditions.flatMap((c) => c.attempts)
      .filter((a) => a.classification);
    expect(classified).toHaveLength(3);
  });

  it('an unchanged tick writes nothing and says so', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 300) });
    const first = await runTick(h);
    expect(first.changed).toBe(true);
    const saves = h.store.saves.length;
    h.clock.advance(240);
    const second = await runTick(h);
    expect(second.changed).toBe(false);
    expect(second.result.changed).toBe(false);
    expect(second.summaryMarkdown).toContain('No material change');
    expect(h.store.saves).toHaveLength(saves);
    expect(h.issues.writes).toEqual([]);
  });
});
