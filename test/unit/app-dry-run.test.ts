import { describe, expect, it } from 'vitest';
import {
  DryRunRecorder,
  dryRunDispatcher,
  dryRunIssues,
  dryRunScheduler,
  dryRunStore,
} from '../../src/app/dry-run.js';
import { launch } from '../../src/app/launch.js';
import { tick } from '../../src/app/tick.js';
import {
  ago,
  CODE_ERROR_LOG,
  DIGEST,
  harness,
  jobsWhere,
  launched,
  OOM_LOG,
  RELAUNCH_WORKFLOW,
} from '../fakes/sweep-fixture.js';

describe('dry run', () => {
  it('launch: records the 12 submissions, submits and saves nothing', async () => {
    const h = harness();
    const recorder = new DryRunRecorder();
    const result = await launch(
      {
        store: dryRunStore(h.store, recorder),
        scheduler: dryRunScheduler(h.scheduler, recorder),
        clock: h.clock,
        saveOptions: h.saveOptions,
      },
      { config: h.config, digest: DIGEST, requestedBy: 'alice' },
    );
    expect(result.reasonCode).toBe('launched');
    expect(recorder.of('submit')).toHaveLength(12);
    expect(recorder.of('save').length).toBeGreaterThan(0);
    expect(h.scheduler.calls.submit).toEqual([]);
    expect(h.store.current()).toBeNull();
  });

  it('tick: observes for real, records the issue, the dispatch and the save instead of doing them', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h, { model: 'vit' })) {
      h.scheduler.set(id, 'FAILED', {
        exit: { code: 1, signal: null },
        startedAt: ago(h, 700),
        endedAt: ago(h, 100),
        log: OOM_LOG,
      });
    }
    const [bug1 = '', bug2 = '', ...fine] = jobsWhere(h, { model: 'resnet' });
    for (const id of [bug1, bug2]) {
      h.scheduler.set(id, 'FAILED', {
        exit: { code: 1, signal: null },
        startedAt: ago(h, 130),
        endedAt: ago(h, 100),
        log: CODE_ERROR_LOG,
      });
    }
    for (const id of fine) {
      h.scheduler.set(id, 'COMPLETED', {
        exit: { code: 0, signal: null },
        startedAt: ago(h, 4000),
        endedAt: ago(h, 100),
      });
    }
    const text = h.store.text;
    const recorder = new DryRunRecorder();
    const result = await tick(
      {
        store: dryRunStore(h.store, recorder),
        scheduler: dryRunScheduler(h.scheduler, recorder),
        issues: dryRunIssues(h.issues, recorder),
        dispatcher: dryRunDispatcher(recorder),
        clock: h.clock,
        saveOptions: h.saveOptions,
      },
      { config: h.config, relaunchWorkflow: RELAUNCH_WORKFLOW },
    );
    expect(result.decision).toBe('intervene');
    expect(h.scheduler.calls.observe).toHaveLength(1);
    expect(recorder.of('ensure_issue').map((a) => a.outcome)).toEqual(['created']);
    expect(recorder.of('dispatch')).toHaveLength(1);
    // One save, before the dispatch: the tick's record, carrying the dispatch's claim.
    expect(recorder.of('save').map((a) => a.manifest.decisions.at(-1)?.reasonCode)).toEqual([
      'systemic_root_cause',
    ]);
    expect(recorder.actions.map((a) => a.kind).filter((k) => k === 'save' || k === 'dispatch')).toEqual([
      'save',
      'dispatch',
    ]);
    expect(h.issues.writes).toEqual([]);
    expect(h.dispatcher.runs).toEqual([]);
    expect(h.store.text).toBe(text);
  });
});
