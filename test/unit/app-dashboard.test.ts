import { describe, expect, it } from 'vitest';
import { parsePayload } from '../../src/app/relaunch-payload.js';
import { type TickInput, tick } from '../../src/app/tick.js';
import type { TrackedIssue } from '../../src/ports/issue-tracker.js';
import {
  ago,
  type Harness,
  harness,
  jobsWhere,
  launched,
  OOM_LOG,
  RELAUNCH_WORKFLOW,
} from '../fakes/sweep-fixture.js';

const MARKER = '<!-- sweepwatch:dashboard:calib -->';

/** A tick with the dashboard on and, unless told otherwise, the conversation port. */
function dashTick(h: Harness, input: Partial<TickInput> = {}, conversation = true) {
  return tick(
    {
      store: h.store,
      scheduler: h.scheduler,
      issues: h.issues,
      ...(conversation ? { conversation: h.issues } : {}),
      dispatcher: h.dispatcher,
      clock: h.clock,
      saveOptions: h.saveOptions,
    },
    { config: h.config, relaunchWorkflow: RELAUNCH_WORKFLOW, dashboard: true, ...input },
  );
}

function dashboard(h: Harness): TrackedIssue {
  const found = [...h.issues.issues.values()].find((i) => i.body.includes(MARKER));
  if (found === undefined) throw new Error('no dashboard');
  return found;
}

/** Edits the dashboard's body as a person would in the web UI. */
function edit(h: Harness, change: (body: string) => string) {
  const d = dashboard(h);
  h.issues.issues.set(d.number, { ...d, body: change(d.body) });
}

function fail(h: Harness, jobId: string, elapsed = 600, endedAgo = 100) {
  h.scheduler.set(jobId, 'FAILED', {
    exit: { code: 1, signal: null },
    startedAt: ago(h, endedAgo + elapsed),
    endedAt: ago(h, endedAgo),
    elapsedSeconds: elapsed,
    log: OOM_LOG,
  });
}

function succeed(h: Harness, jobId: string) {
  h.scheduler.set(jobId, 'COMPLETED', {
    exit: { code: 0, signal: null },
    startedAt: ago(h, 4000),
    endedAt: ago(h, 400),
    elapsedSeconds: 3600,
  });
}

/** Every vit job OOMs, every resnet job succeeds: a systemic batch with a relaunch plan of 6. */
async function systemicOom(h: Harness) {
  await launched(h);
  for (const id of jobsWhere(h, { model: 'vit' })) fail(h, id);
  for (const id of jobsWhere(h, { model: 'resnet' })) succeed(h, id);
}

/** Three identical OOMs across two vit configurations, the rest of vit just started: the doomed jobs. */
async function killSwitchBatch(h: Harness): Promise<string[]> {
  await launched(h);
  const failed = [
    ...jobsWhere(h, { model: 'vit', loss: 'ce' }).slice(0, 2),
    ...jobsWhere(h, { model: 'vit', loss: 'focal' }).slice(0, 1),
  ];
  for (const id of failed) fail(h, id, 600, 60);
  const doomed = jobsWhere(h, { model: 'vit' }).filter((id) => !failed.includes(id));
  for (const id of doomed) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 100) });
  // The other model runs past the failure point: no batch-wide crash pattern.
  for (const id of jobsWhere(h, { model: 'resnet' }))
    h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 3000) });
  return doomed;
}

describe('dashboard issue', () => {
  it('is created on the first tick, not even looked up while nothing changes, updated when something does', async () => {
    const h = harness();
    await launched(h);
    const first = await dashTick(h);
    expect(first.actions.errors).toEqual([]);
    expect(h.issues.writes).toEqual([{ kind: 'create', number: 1 }]);
    const d = dashboard(h);
    expect(d.title).toBe('sweepwatch dashboard: calib');
    expect(d.labels).toEqual(['sweepwatch', 'sweepwatch:dashboard']);
    expect(d.body.startsWith(MARKER)).toBe(true);
    expect(d.body).toContain('| ⏳ pending | 12 |');
    expect(d.body).not.toContain('Approve relaunch');

    // Time passes, nothing changes: no write, and no lookup either (a listing on GitHub).
    h.clock.advance(600);
    h.issues.lookups.length = 0;
    const second = await dashTick(h);
    expect(second.changed).toBe(false);
    expect(h.issues.writes).toEqual([{ kind: 'create', number: 1 }]);
    expect(h.issues.lookups).toEqual([]);

    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 60) });
    h.clock.advance(600);
    await dashTick(h);
    expect(h.issues.writes).toEqual([
      { kind: 'create', number: 1 },
      { kind: 'update', number: 1 },
    ]);
    expect(dashboard(h).body).toContain('| ▶️ running | 12 |');
    h.clock.advance(600);
    await dashTick(h);
    expect(h.issues.writes).toHaveLength(2);
  });

  it('is recorded by the first changed tick that finds it; from then on written by number, without a lookup', async () => {
    const h = harness();
    await launched(h);
    await dashTick(h);
    // Created after the save: not recorded yet.
    expect(h.store.current()?.dashboardIssue).toBeUndefined();
    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 60) });
    h.clock.advance(600);
    await dashTick(h);
    expect(h.store.current()?.dashboardIssue).toBe(1);

    h.issues.lookups.length = 0;
    for (const id of jobsWhere(h, { model: 'resnet' })) succeed(h, id);
    h.clock.advance(600);
    const saves = h.store.saves.length;
    const third = await dashTick(h);
    expect(third.changed).toBe(true);
    expect(h.issues.lookups).toEqual([]);
    expect(h.issues.writes.at(-1)).toEqual({ kind: 'update', number: 1 });
    expect(dashboard(h).body).toContain('| ✅ succeeded | 6 |');
    expect(h.store.saves.length).toBe(saves + 1);
  });

  it('a recorded dashboard that was deleted is filed again, and its new number recorded with one more save', async () => {
    const h = harness();
    await launched(h);
    await dashTick(h);
    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 60) });
    h.clock.advance(600);
    await dashTick(h);
    expect(h.store.current()?.dashboardIssue).toBe(1);

    h.issues.issues.delete(1);
    for (const id of jobsWhere(h, { model: 'resnet' })) succeed(h, id);
    h.clock.advance(600);
    const saves = h.store.saves.length;
    const moved = await dashTick(h);
    expect(moved.actions.errors).toEqual([]);
    expect(dashboard(h).number).toBe(2);
    expect(h.store.current()?.dashboardIssue).toBe(2);
    expect(moved.manifest.dashboardIssue).toBe(2);
    expect(h.store.saves.length).toBe(saves + 2);

    h.issues.lookups.length = 0;
    for (const id of jobsWhere(h, { model: 'vit' })) succeed(h, id);
    h.clock.advance(600);
    await dashTick(h);
    expect(h.issues.lookups).toEqual([]);
    expect(h.issues.writes.at(-1)).toEqual({ kind: 'update', number: 2 });
  });

  it('is not maintained unless asked for (the default)', async () => {
    const h = harness();
    await launched(h);
    await dashTick(h, { dashboard: false });
    expect(h.issues.writes).toEqual([]);
  });

  it('shows an approval box when auto_relaunch is off and a plan exists; a ticked box dispatches once', async () => {
    const h = harness('auto_relaunch: false');
    await systemicOom(h);
    const first = await dashTick(h);
    expect(first.actions.dispatch).toBeNull();
    expect(h.dispatcher.runs).toEqual([]);
    const body = dashboard(h).body;
    expect(body).toMatch(
      /^- \[ \] Approve relaunch cycle 1: 6 conditions \(`gpu_oom` ×6\) <!-- sweepwatch-approve cycle=1 plan=[0-9a-f]+ -->$/m,
    );

    // Unticked, later: still nothing dispatched, nothing rewritten.
    h.clock.advance(600);
    await dashTick(h);
    expect(h.dispatcher.runs).toEqual([]);
    expect(h.issues.writes).toHaveLength(1);

    edit(h, (b) => b.replace('- [ ] Approve relaunch cycle 1', '- [x] Approve relaunch cycle 1'));
    h.clock.advance(600);
    const approved = await dashTick(h);
    expect(approved.actions.dispatch).toMatchObject({ cycle: 1, conditions: 6 });
    expect(h.dispatcher.runs).toHaveLength(1);
    expect(parsePayload(h.dispatcher.runs[0]?.inputs.payload ?? '')).toMatchObject({
      cycle: 1,
      requested_by: 'dashboard checkbox',
    });
    // The box stays ticked, so the dashboard does not undo the approval.
    expect(dashboard(h).body).toMatch(/^- \[x\] Approve relaunch cycle 1: /m);

    h.clock.advance(600);
    const again = await dashTick(h);
    expect(again.actions.dispatch).toBeNull();
    expect(again.actions.notes.join()).toContain('already dispatched');
    expect(h.dispatcher.runs).toHaveLength(1);
  });

  it('a ticked box of an older cycle or another plan approves nothing', async () => {
    const h = harness('auto_relaunch: false');
    await systemicOom(h);
    await dashTick(h);
    edit(h, (b) =>
      b
        .replace('- [ ] Approve relaunch cycle 1', '- [x] Approve relaunch cycle 0')
        .replace('sweepwatch-approve cycle=1 ', 'sweepwatch-approve cycle=0 '),
    );
    h.clock.advance(600);
    await dashTick(h);
    expect(h.dispatcher.runs).toEqual([]);
    // The stale box is replaced by a fresh, unticked one for the current cycle.
    expect(dashboard(h).body).toMatch(/^- \[ \] Approve relaunch cycle 1: /m);
    expect(dashboard(h).body).not.toContain('cycle=0');

    edit(h, (b) =>
      b.replace('- [ ] Approve', '- [x] Approve').replace(/plan=[0-9a-f]+/, 'plan=0123456789abcdef'),
    );
    h.clock.advance(600);
    await dashTick(h);
    expect(h.dispatcher.runs).toEqual([]);
  });

  it('no box when auto_relaunch is on: the policy dispatches by itself', async () => {
    const h = harness();
    await systemicOom(h);
    await dashTick(h);
    expect(h.dispatcher.runs).toHaveLength(1);
    expect(dashboard(h).body).not.toContain('Approve relaunch');
  });

  it('kill switch: one comment on the dashboard naming the cancelled jobs and why', async () => {
    const h = harness();
    const doomed = await killSwitchBatch(h);
    const result = await dashTick(h);
    expect(result.reasonCode).toBe('kill_switch');
    expect(result.actions.cancelled.length).toBe(doomed.length);
    expect(h.issues.comments).toHaveLength(1);
    const comment = h.issues.comments[0];
    expect(comment?.number).toBe(dashboard(h).number);
    expect(comment?.body).toContain('`kill_switch`');
    for (const id of doomed) expect(comment?.body).toContain(`\`${id}\``);

    h.clock.advance(300);
    await dashTick(h);
    expect(h.issues.comments).toHaveLength(1);
  });

  it('without the conversation port, cancels but does not comment', async () => {
    const h = harness();
    await killSwitchBatch(h);
    const result = await dashTick(h, {}, false);
    expect(result.actions.cancelled.length).toBeGreaterThan(0);
    expect(h.issues.comments).toEqual([]);
    expect(result.actions.errors).toEqual([]);
  });
});
