import { describe, expect, it } from 'vitest';
import { readLedger } from '../../src/app/ledger.js';
import { parsePayload } from '../../src/app/relaunch-payload.js';
import { tick } from '../../src/app/tick.js';
import { setPaused } from '../../src/core/manifest-transitions.js';
import { issueFingerprint } from '../../src/core/report.js';
import type { WorkflowDispatcher } from '../../src/ports/workflow-dispatcher.js';
import {
  ago,
  CODE_ERROR_LOG,
  fail,
  failedBatch,
  type Harness,
  harness,
  jobsWhere,
  launched,
  OOM_LOG,
  RELAUNCH_WORKFLOW,
  runTick,
  succeed,
} from '../fakes/sweep-fixture.js';

describe('tick', () => {
  it('pending only: no intervention, polls again in 10 to 15 minutes', async () => {
    const h = harness();
    await launched(h);
    const result = await runTick(h);
    expect(result.decision).toBe('no-intervention');
    expect(result.reasonCode).toBe('pending_legit');
    expect(result.nextPollSeconds).toBeGreaterThanOrEqual(600);
    expect(result.nextPollSeconds).toBeLessThanOrEqual(900);
    expect(h.scheduler.calls.observe).toEqual([jobsWhere(h)]);
    expect(h.scheduler.calls.logTails).toEqual([]);
    expect(h.scheduler.calls.cancel).toEqual([]);
    expect(h.issues.writes).toEqual([]);
    expect(h.dispatcher.runs).toEqual([]);
    expect(result.result).toMatchObject({ reason_code: 'pending_legit', changed: true });
  });

  it('reads the stored manifest once per tick, changed or not (a save conflict still reloads)', async () => {
    const h = harness();
    await launched(h);
    h.store.loads = 0;
    const changed = await runTick(h);
    expect(changed.changed).toBe(true);
    expect(h.store.loads).toBe(1);
    h.clock.advance(600);
    h.store.loads = 0;
    const unchanged = await runTick(h);
    expect(unchanged.changed).toBe(false);
    expect(h.store.loads).toBe(1);

    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 60) });
    h.clock.advance(600);
    h.store.loads = 0;
    // Another writer saves between this tick's load and its save: the save reloads, once.
    h.store.beforeSave = (store) => {
      const other = store.current();
      if (other !== null) store.put(setPaused(other, false));
    };
    await runTick(h);
    expect(h.store.conflicts).toBe(1);
    expect(h.store.loads).toBe(2);
  });

  it('kill switch: cancels only the doomed running jobs of the failing configuration', async () => {
    const h = harness();
    await launched(h);
    const outsider = await h.scheduler.submit({
      name: 'sw-other-00000000',
      command: { kind: 'argv', argv: ['x'] },
    });
    const [f1 = '', f2 = '', f3 = ''] = [
      ...jobsWhere(h, { model: 'vit', loss: 'ce' }).slice(0, 2),
      ...jobsWhere(h, { model: 'vit', loss: 'focal' }).slice(0, 1),
    ];
    for (const id of [f1, f2, f3]) fail(h, id, OOM_LOG, 600, 60);
    const doomed = jobsWhere(h, { model: 'vit' }).filter((id) => ![f1, f2, f3].includes(id));
    for (const id of doomed) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 100) });
    // The other model runs past the failure point: no batch-wide crash pattern.
    for (const id of jobsWhere(h, { model: 'resnet' }))
      h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 3000) });

    const result = await runTick(h);
    expect(result.reasonCode).toBe('kill_switch');
    expect([...result.actions.cancelled].sort()).toEqual([...doomed].sort());
    expect(h.scheduler.calls.cancel).toHaveLength(1);
    const call = h.scheduler.calls.cancel[0];
    expect(call?.ids.sort()).toEqual([...doomed].sort());
    // The scope is the sweep's jobs being cancelled: never wider than the manifest, never wider than asked.
    expect(call?.scope.sort()).toEqual([...doomed].sort());
    for (const id of call?.scope ?? []) expect(jobsWhere(h)).toContain(id);
    expect(call?.prefix).toBe('sw-calib-');
    expect(outsider.ok && h.scheduler.jobs.get(outsider.jobId)?.observation.state).toBe('PENDING');
    for (const id of jobsWhere(h, { model: 'resnet' })) {
      expect(h.scheduler.jobs.get(id)?.observation.state).toBe('RUNNING');
    }
  });

  it('systemic OOM when all are terminal: one issue per unrecoverable group, one dispatch, nothing twice', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h, { model: 'vit' })) fail(h, id, OOM_LOG);
    const codeErrors = jobsWhere(h, { model: 'resnet', loss: 'ce' }).slice(0, 2);
    for (const id of codeErrors) fail(h, id, CODE_ERROR_LOG, 30);
    for (const id of jobsWhere(h, { model: 'resnet' }).filter((id) => !codeErrors.includes(id)))
      succeed(h, id);

    const first = await runTick(h);
    expect(first.decision).toBe('intervene');
    expect(first.reasonCode).toBe('systemic_root_cause');
    // gpu_oom is relaunched with more memory; code_error goes to a person.
    expect(first.actions.issuesCreated).toEqual([1]);
    const issue = h.issues.issues.get(1);
    expect(issue?.labels).toEqual(['sweepwatch', 'root-cause:code_error']);
    expect(issue?.body).toContain('<!-- sweepwatch:root-cause:code_error.');
    expect(issue?.body).toContain("KeyError: 'temperature'");
    expect(issue?.body.length).toBeLessThanOrEqual(65_536);
    const group = first.groups.find((g) => g.rootCause === 'code_error');
    expect(group && h.store.current()?.issues[issueFingerprint(group)]).toBe(1);

    expect(h.dispatcher.runs).toHaveLength(1);
    const run = h.dispatcher.runs[0];
    expect(run?.workflowFile).toBe(RELAUNCH_WORKFLOW.workflowFile);
    expect(Object.keys(run?.inputs ?? {})).toEqual(['payload']);
    const payload = parsePayload(run?.inputs.payload ?? '');
    expect(payload).toEqual({
      experiment: 'calib',
      conditions: expect.any(Array),
      cycle: 1,
      reason: 'systemic_root_cause',
      requested_by: 'sweepwatch',
    });
    const vit = h.store
      .current()
      ?.conditions.filter((c) => c.values.model === 'vit')
      .map((c) => c.id);
    expect([...(payload.conditions === 'plan' ? [] : payload.conditions)].sort()).toEqual(vit?.sort());

    const second = await runTick(h);
    expect(second.changed).toBe(false);
    expect(second.actions.dispatch).toBeNull();
    h.clock.advance(900);
    const third = await runTick(h);
    expect(third.actions.notes.join()).toContain('already dispatched');
    expect(h.issues.writes).toEqual([{ kind: 'create', number: 1 }]);
    expect(h.dispatcher.runs).toHaveLength(1);
  });

  it('reads log tails only for attempts newly seen failed, in one call per tick', async () => {
    const h = harness();
    await launched(h);
    const [a = '', b = '', c = ''] = jobsWhere(h);
    fail(h, a, OOM_LOG);
    fail(h, b, OOM_LOG);
    const first = await runTick(h);
    expect(first.logTailRequests).toBe(2);
    fail(h, c, CODE_ERROR_LOG);
    const second = await runTick(h);
    expect(second.logTailRequests).toBe(1);
    await runTick(h);
    expect(h.scheduler.calls.logTails.map((call) => call.map((r) => r.jobId))).toEqual([[a, b], [c]]);
    // Terminal jobs are not observed again.
    expect(h.scheduler.calls.observe[1]).not.toContain(a);
    expect(h.scheduler.calls.observe[2]).not.toContain(c);
    const m = h.store.current();
    const classified = m?.conditions.flatMap((x) => x.attempts).filter((x) => x.classification !== null);
    expect(classified?.map((x) => x.classification?.rootCause).sort()).toEqual([
      'code_error',
      'gpu_oom',
      'gpu_oom',
    ]);
  });

  it('closes the issue once relaunches of its conditions succeed', async () => {
    const h = harness();
    await launched(h);
    const broken = jobsWhere(h, { model: 'resnet' });
    for (const id of broken) fail(h, id, CODE_ERROR_LOG, 30);
    for (const id of jobsWhere(h, { model: 'vit' })) succeed(h, id);
    const first = await runTick(h);
    expect(first.actions.issuesCreated).toEqual([1]);
    // Simulate the fixed relaunch: new attempts of cycle 1 that complete.
    const { recordRelaunchCycle, recordSubmitting, recordSubmitted } = await import(
      '../../src/core/manifest-transitions.js'
    );
    const m0 = h.store.current();
    if (m0 === null) throw new Error('no manifest');
    const ids = m0.conditions.filter((c) => c.values.model === 'resnet').map((c) => c.id);
    let m = recordRelaunchCycle(m0, {
      digest: 'git:fix',
      reason: 'fix',
      requestedBy: 'alice',
      at: ago(h, 50),
    });
    m = recordSubmitting(
      m,
      ids.map((conditionId) => ({ conditionId, cycle: 1 })),
      ago(h, 50),
    );
    const jobs = await Promise.all(
      ids.map(() => h.scheduler.submit({ name: 'sw-calib-x', command: { kind: 'argv', argv: ['x'] } })),
    );
    m = recordSubmitted(
      m,
      ids.map((conditionId, i) => ({ conditionId, jobId: jobs[i]?.ok ? jobs[i].jobId : '' })),
      ago(h, 40),
    );
    h.store.put(m);
    for (const j of jobs) if (j.ok) succeed(h, j.jobId);
    const after = await runTick(h);
    expect(after.reasonCode).toBe('complete');
    expect(after.actions.issuesClosed).toEqual([1]);
    expect(h.issues.issues.get(1)?.state).toBe('closed');
  });
});

/** A tick with its own dispatcher (the harness's always succeeds). */
function tickWith(h: Harness, dispatcher: WorkflowDispatcher) {
  return tick(
    {
      store: h.store,
      scheduler: h.scheduler,
      issues: h.issues,
      dispatcher,
      clock: h.clock,
      saveOptions: h.saveOptions,
    },
    { config: h.config, relaunchWorkflow: RELAUNCH_WORKFLOW },
  );
}

describe('the relaunch dispatch is claimed in the ledger before it is sent', () => {
  it('two ticks at once: the one whose save lands first dispatches, the other sees its claim and does not', async () => {
    const h = harness();
    await failedBatch(h);
    const loaded = h.store.current();
    // Tick A has loaded and planned; right before A saves its claim, tick B runs to the end
    // from the same manifest (B's own saves win), so A's save loses the compare-and-swap.
    let b: Awaited<ReturnType<typeof runTick>> | undefined;
    h.store.beforeSave = async () => {
      b = await runTick(h);
    };
    const a = await runTick(h);
    expect(b?.actions.dispatch).toMatchObject({ cycle: 1, release: false });
    expect(a.actions.dispatch).toBeNull();
    expect(a.actions.notes.join()).toContain('already dispatched by another sweepwatch run');
    expect(h.dispatcher.runs).toHaveLength(1);
    expect(h.store.conflicts).toBeGreaterThan(0);
    const m = h.store.current();
    if (m === null || loaded === null) throw new Error('no manifest');
    expect(readLedger(m).dispatched.has(1)).toBe(true);
    // A's decision was re-applied on top of B's, not lost: B's record (its claim), then A's.
    expect(m.decisions.length).toBe(loaded.decisions.length + 2);
    // A later tick does not dispatch cycle 1 again.
    h.clock.advance(900);
    await runTick(h);
    expect(h.dispatcher.runs).toHaveLength(1);
  });

  it('a dispatch that fails is withdrawn, so the next tick dispatches it (once)', async () => {
    const h = harness();
    await failedBatch(h);
    let failures = 1;
    const flaky: WorkflowDispatcher = {
      async dispatch(file, ref, inputs) {
        if (failures-- > 0) throw new Error('Server Error (500)');
        return h.dispatcher.dispatch(file, ref, inputs);
      },
    };
    const first = await tickWith(h, flaky);
    expect(first.actions.dispatch).toBeNull();
    expect(first.actions.errors.join()).toContain('relaunch dispatch failed: Server Error (500)');
    const m = h.store.current();
    expect(m && readLedger(m).dispatched.has(1)).toBe(false);
    expect(m?.decisions.some((d) => d.note?.includes('[withdrawn cycle=1 of=dispatched]'))).toBe(true);
    const second = await tickWith(h, flaky);
    expect(second.actions.dispatch).toMatchObject({ cycle: 1 });
    const third = await tickWith(h, flaky);
    expect(third.actions.dispatch).toBeNull();
    expect(h.dispatcher.runs).toHaveLength(1);
  });

  it('a pause saved between the plan and the claim stops the dispatch', async () => {
    const h = harness();
    await failedBatch(h);
    h.store.beforeSave = (store) => {
      const m = store.current();
      if (m !== null) store.put(setPaused(m, true));
    };
    const result = await runTick(h);
    expect(result.actions.dispatch).toBeNull();
    expect(result.actions.notes.join()).toContain('paused');
    expect(h.dispatcher.runs).toEqual([]);
    expect(h.store.current()?.paused).toBe(true);
  });
});
