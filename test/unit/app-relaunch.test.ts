import { describe, expect, it } from 'vitest';
import { readLedger } from '../../src/app/ledger.js';
import { relaunch } from '../../src/app/relaunch.js';
import { parsePayload, type RelaunchPayload } from '../../src/app/relaunch-payload.js';
import { recordRelaunchCycle } from '../../src/core/manifest-transitions.js';
import {
  ago,
  DIGEST,
  ENV_IMPORT_LOG,
  FIXED_DIGEST,
  type Harness,
  harness,
  jobsWhere,
  launched,
  OOM_LOG,
  runTick,
} from '../fakes/sweep-fixture.js';

const run = (h: Harness, payload: RelaunchPayload, digest = FIXED_DIGEST, force = false) =>
  relaunch(
    { store: h.store, scheduler: h.scheduler, files: h.files, clock: h.clock, saveOptions: h.saveOptions },
    { config: h.config, payload, digest, force },
  );

function finish(h: Harness, jobId: string, state: 'FAILED' | 'TIMEOUT' | 'COMPLETED', log = '') {
  h.scheduler.set(jobId, state, {
    exit: { code: state === 'COMPLETED' ? 0 : 1, signal: null },
    startedAt: ago(h, 3700),
    endedAt: ago(h, 100),
    elapsedSeconds: 3600,
    log,
  });
}

/** The payload the tick dispatched last. */
function dispatched(h: Harness): RelaunchPayload {
  const run = h.dispatcher.runs.at(-1);
  if (run === undefined) throw new Error('nothing dispatched');
  return parsePayload(run.inputs.payload ?? '');
}

describe('relaunch', () => {
  it('resubmits only the failed conditions, with escalated memory or time, after moving outputs aside', async () => {
    const h = harness('canary: false');
    await launched(h);
    const [oom1 = '', oom2 = ''] = jobsWhere(h, { model: 'vit', loss: 'ce' });
    const [late = ''] = jobsWhere(h, { model: 'resnet', loss: 'focal' });
    for (const id of jobsWhere(h)) finish(h, id, 'COMPLETED');
    finish(h, oom1, 'FAILED', OOM_LOG);
    finish(h, oom2, 'FAILED', OOM_LOG);
    finish(h, late, 'TIMEOUT');
    await runTick(h);
    const submittedBefore = h.scheduler.calls.submit.length;

    const result = await run(h, dispatched(h));
    expect(result.reasonCode).toBe('relaunched');
    const submits = h.scheduler.calls.submit.slice(submittedBefore);
    expect(submits).toHaveLength(3);
    const byName = new Map(submits.map((s) => [s.name, s.resources]));
    const m = h.store.current();
    const nameOf = (jobId: string) =>
      m?.conditions.find((c) => c.attempts.some((a) => a.jobId === jobId))?.jobName ?? '';
    expect(byName.get(nameOf(oom1))).toMatchObject({ memMb: 32_768, timeMinutes: 60 });
    expect(byName.get(nameOf(oom2))).toMatchObject({ memMb: 32_768 });
    expect(byName.get(nameOf(late))).toMatchObject({ memMb: 16_384, timeMinutes: 90 });
    expect(m?.cycles.map((c) => [c.cycle, c.digest])).toEqual([
      [0, DIGEST],
      [1, FIXED_DIGEST],
    ]);
    const escalated = m?.conditions.flatMap((c) => c.attempts.filter((a) => a.cycle === 1));
    expect(
      escalated?.map((a) => a.requested).sort((a, b) => (a?.memoryMb ?? 0) - (b?.memoryMb ?? 0)),
    ).toEqual([
      { memoryMb: 16_384, timeMinutes: 90 },
      { memoryMb: 32_768, timeMinutes: 60 },
      { memoryMb: 32_768, timeMinutes: 60 },
    ]);
    expect(h.files.moves).toHaveLength(3);
    expect(h.files.moves[0]?.paths[0]).toMatch(/^results\/.+\/metrics\.json$/);

    // The same payload again (a retried dispatch) submits nothing more.
    const again = await run(h, dispatched(h));
    expect(again.reasonCode).toBe('nothing_to_relaunch');
    expect(h.scheduler.calls.submit.length).toBe(submittedBefore + 3);
  });

  it('refuses a third cycle (F4)', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h)) finish(h, id, 'FAILED', OOM_LOG);
    const m0 = h.store.current();
    if (m0 === null) throw new Error('no manifest');
    const at = ago(h, 10);
    const twice = recordRelaunchCycle(
      recordRelaunchCycle(m0, { digest: DIGEST, reason: 'r1', requestedBy: 'x', at }),
      {
        digest: DIGEST,
        reason: 'r2',
        requestedBy: 'x',
        at,
      },
    );
    h.store.put(twice);
    const result = await run(h, {
      experiment: 'calib',
      conditions: 'plan',
      cycle: 3,
      reason: 'again',
      requested_by: 'sweepwatch',
    });
    expect(result.reasonCode).toBe('relaunch_budget_exhausted');
    expect(result.manifest).toBeNull();
  });

  describe('F3: a cause that needs a fix', () => {
    async function envFailures(h: Harness): Promise<RelaunchPayload> {
      await launched(h);
      for (const id of jobsWhere(h)) finish(h, id, 'COMPLETED');
      const broken = jobsWhere(h, { model: 'vit', seed: '1' });
      for (const id of broken) finish(h, id, 'FAILED', ENV_IMPORT_LOG);
      await runTick(h);
      const ids = h.store
        .current()
        ?.conditions.filter((c) => c.values.model === 'vit' && c.values.seed === 1)
        .map((c) => c.id);
      return {
        experiment: 'calib',
        conditions: ids ?? [],
        cycle: 1,
        reason: 'fixed the image',
        requested_by: 'alice',
      };
    }

    it('is refused on the digest that failed', async () => {
      const h = harness();
      const payload = await envFailures(h);
      const before = h.scheduler.calls.submit.length;
      const result = await run(h, payload, DIGEST);
      expect(result.reasonCode).toBe('fix_required');
      expect(result.refused.map((r) => r.reason)).toEqual([
        expect.stringMatching(/^same_digest/),
        expect.stringMatching(/^same_digest/),
      ]);
      expect(h.scheduler.calls.submit.length).toBe(before);
    });

    it('runs on a new digest, or with force (recorded)', async () => {
      const fixed = harness();
      const ok = await run(fixed, await envFailures(fixed), FIXED_DIGEST);
      expect(ok.reasonCode).toBe('relaunched');
      expect(ok.submitted).toHaveLength(2);

      const forced = harness();
      const result = await run(forced, await envFailures(forced), DIGEST, true);
      expect(result.reasonCode).toBe('relaunched');
      expect(result.forced).toHaveLength(2);
      expect(forced.store.current()?.cycles.at(-1)?.reason).toContain('F3 overridden with force');
    });
  });

  it('canary: one condition first, the rest held until a tick sees it succeed and releases them', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h, { model: 'resnet' })) finish(h, id, 'COMPLETED');
    for (const id of jobsWhere(h, { model: 'vit' })) finish(h, id, 'FAILED', OOM_LOG);
    await runTick(h);
    const first = await run(h, dispatched(h));
    expect(first.reasonCode).toBe('canary_submitted');
    expect(first.submitted).toHaveLength(1);
    expect(first.held).toHaveLength(5);
    expect(
      readLedger(
        h.store.current() ??
          (() => {
            throw new Error('no manifest');
          })(),
      ).holds.get(1),
    ).toEqual(['gpu_oom']);

    const canaryJob = first.submitted[0]?.jobId ?? '';
    h.scheduler.set(canaryJob, 'RUNNING', { startedAt: ago(h, 60) });
    const waiting = await runTick(h);
    expect(waiting.actions.dispatch).toBeNull();
    finish(h, canaryJob, 'COMPLETED');
    const release = await runTick(h);
    expect(release.actions.dispatch).toMatchObject({ cycle: 1, conditions: 5, release: true });
    const payload = dispatched(h);
    expect(payload).toMatchObject({ cycle: 1, reason: 'canary_passed' });

    const released = await run(h, payload);
    expect(released.reasonCode).toBe('released');
    expect(released.submitted).toHaveLength(5);
    expect(h.store.current()?.cycles).toHaveLength(2);
    for (const s of h.scheduler.calls.submit.slice(-5)) expect(s.resources?.memMb).toBe(32_768);
    // Nothing else is dispatched while the released jobs run.
    const after = await runTick(h);
    expect(after.actions.dispatch).toBeNull();
    expect(h.dispatcher.runs).toHaveLength(2);
  });
});
