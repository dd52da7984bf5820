/**
 * Issue #10: the tick that dispatches a relaunch writes the manifest once, before the dispatch
 * (each write is a GitHub request): its whole record is the dispatch's claim. The claim keeps
 * its guarantees: of two racing ticks one dispatches, and the other's tick is still recorded.
 */
import { describe, expect, it } from 'vitest';
import { readLedger } from '../../src/app/ledger.js';
import { tick } from '../../src/app/tick.js';
import { latestAttempt, type Manifest } from '../../src/core/manifest-model.js';
import { setPaused } from '../../src/core/manifest-transitions.js';
import type { StateStore } from '../../src/ports/state-store.js';
import type { WorkflowDispatcher } from '../../src/ports/workflow-dispatcher.js';
import {
  failedBatch,
  type Harness,
  harness,
  jobsWhere,
  RELAUNCH_WORKFLOW,
  runTick,
} from '../fakes/sweep-fixture.js';

/** A tick whose saves and dispatches are logged, in the order they happen. */
function loggedTick(h: Harness, log: string[], dispatcher: WorkflowDispatcher = h.dispatcher) {
  const store: StateStore = {
    load: () => h.store.load(),
    save: (manifest, version) => {
      log.push('save');
      return h.store.save(manifest, version);
    },
  };
  return tick(
    {
      store,
      scheduler: h.scheduler,
      issues: h.issues,
      dispatcher: {
        dispatch: (file, ref, inputs) => {
          log.push('dispatch');
          return dispatcher.dispatch(file, ref, inputs);
        },
      },
      clock: h.clock,
      saveOptions: h.saveOptions,
    },
    { config: h.config, relaunchWorkflow: RELAUNCH_WORKFLOW },
  );
}

function stored(h: Harness): Manifest {
  const m = h.store.current();
  if (m === null) throw new Error('no manifest');
  return m;
}

const attemptOf = (m: Manifest | undefined, jobId: string) =>
  m?.conditions.map((c) => latestAttempt(c)).find((a) => a?.jobId === jobId);

describe('the tick that dispatches a relaunch', () => {
  it('saves the manifest once, before the dispatch, with everything it saw and decided', async () => {
    const h = harness();
    await failedBatch(h);
    h.store.loads = 0;
    const log: string[] = [];
    const result = await loggedTick(h, log);
    expect(result.actions.dispatch).toMatchObject({ cycle: 1, release: false });
    expect(log).toEqual(['save', 'dispatch']);
    expect(h.store.loads).toBe(1);

    // That one save is the tick's whole record: the claim, the observed and diagnosed
    // failures, the issue it filed, and its decision.
    const m = stored(h);
    expect(readLedger(m).dispatched.has(1)).toBe(true);
    const latest = m.conditions.map((c) => latestAttempt(c));
    expect(latest.every((a) => a?.state === 'FAILED' || a?.state === 'COMPLETED')).toBe(true);
    const failed = latest.filter((a) => a?.state === 'FAILED');
    expect(failed).toHaveLength(8);
    expect(failed.every((a) => a?.classification !== null)).toBe(true);
    expect(Object.values(m.issues)).toEqual(result.actions.issuesCreated);
    expect(result.actions.issuesCreated).toHaveLength(1);
    expect(m.decisions.at(-1)).toMatchObject({
      decision: result.decision,
      band: result.health.band,
      reasonCode: result.reasonCode,
    });
    expect(m.decisions.at(-1)?.note).toContain('dispatching the relaunch of cycle 1 (6 conditions)');
    expect(result.manifest).toEqual(m);
  });

  it('is followed by a tick that, seeing nothing new, writes nothing and dispatches nothing', async () => {
    const h = harness();
    await failedBatch(h);
    await runTick(h);
    const saves = h.store.saves.length;
    h.clock.advance(600);
    const next = await runTick(h);
    expect(next.changed).toBe(false);
    expect(h.store.saves).toHaveLength(saves);
    expect(h.dispatcher.runs).toHaveLength(1);
  });

  it("two ticks racing to dispatch the same cycle: exactly one dispatch, and the loser's observations are kept", async () => {
    const h = harness();
    await failedBatch(h);
    // The loser is told on which node a job ran; the winner, asked a moment later, is not.
    const jobId = jobsWhere(h, { model: 'resnet', loss: 'focal' })[0] ?? '';
    h.scheduler.set(jobId, 'COMPLETED', { nodes: 'gpu-a07' });
    const saves = h.store.saves.length;
    let winner: Awaited<ReturnType<typeof runTick>> | undefined;
    // Right before the loser's claim is saved, the winner runs to the end from the same manifest.
    h.store.beforeSave = async () => {
      const job = h.scheduler.jobs.get(jobId);
      if (job !== undefined) {
        const { nodes: _, ...untold } = job.observation;
        job.observation = untold;
      }
      winner = await runTick(h);
    };
    const loser = await runTick(h);

    expect(h.dispatcher.runs).toHaveLength(1);
    expect(winner?.actions.dispatch).toMatchObject({ cycle: 1 });
    expect(loser.actions.dispatch).toBeNull();
    expect(loser.actions.notes.join()).toContain('already dispatched by another sweepwatch run');
    // One save each: the winner's record (its claim), then the loser's, re-applied on top.
    expect(h.store.saves.slice(saves)).toHaveLength(2);
    expect(attemptOf(h.store.saves[saves], jobId)?.used?.nodes ?? null).toBeNull();
    const m = stored(h);
    expect(attemptOf(m, jobId)?.used?.nodes).toBe('gpu-a07');
    expect(readLedger(m).dispatched.has(1)).toBe(true);
    expect(m.decisions.at(-1)?.note).toContain('already dispatched by another sweepwatch run');
  });

  it('whose save loses to another writer is re-applied on what that writer saved, then dispatched', async () => {
    const h = harness();
    await failedBatch(h);
    // Another writer (a person's /sweepwatch command, say) saves while the tick acts.
    h.store.beforeSave = (store) => {
      const other = store.current();
      if (other !== null) store.put(setPaused(other, false));
    };
    const log: string[] = [];
    const result = await loggedTick(h, log);
    expect(h.store.conflicts).toBe(1);
    expect(log).toEqual(['save', 'save', 'dispatch']);
    expect(result.actions.dispatch).toMatchObject({ cycle: 1 });
    const m = stored(h);
    expect(readLedger(m).dispatched.has(1)).toBe(true);
    const latest = m.conditions.map((c) => latestAttempt(c));
    expect(latest.every((a) => a?.state === 'FAILED' || a?.state === 'COMPLETED')).toBe(true);
    expect(Object.values(m.issues)).toEqual(result.actions.issuesCreated);
  });

  it('whose dispatch fails: its record saved before, the withdrawal after, the failure said in the manifest', async () => {
    const h = harness();
    await failedBatch(h);
    const refused: WorkflowDispatcher = {
      async dispatch() {
        throw new Error('Server Error (500)');
      },
    };
    const saves = h.store.saves.length;
    const log: string[] = [];
    const result = await loggedTick(h, log, refused);
    expect(log).toEqual(['save', 'dispatch', 'save']);
    expect(result.changed).toBe(true);
    const [record, withdrawal] = h.store.saves.slice(saves);
    expect(record?.decisions.at(-1)).toMatchObject({ reasonCode: result.reasonCode });
    expect(record?.decisions.at(-1)?.note).toMatch(/^\[dispatched cycle=1 at=\S+ claim=\S+\]/);
    expect(withdrawal?.decisions.at(-1)).toMatchObject({ reasonCode: 'dispatch_failed' });
    expect(withdrawal?.decisions.at(-1)?.note).toContain('[withdrawn cycle=1 of=dispatched]');
    expect(withdrawal?.decisions.at(-1)?.note).toContain('Server Error (500)');
    expect(readLedger(stored(h)).dispatched.has(1)).toBe(false);
  });
});

describe('a tick that decides not to dispatch', () => {
  it('saves once, after acting, as before', async () => {
    const h = harness('auto_relaunch: false');
    await failedBatch(h);
    const log: string[] = [];
    const result = await loggedTick(h, log);
    expect(log).toEqual(['save']);
    expect(result.actions.notes.join()).toContain('awaits approval');
    expect(stored(h).decisions.at(-1)?.note).toContain('awaits approval');
  });
});
