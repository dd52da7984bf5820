import { describe, expect, it } from 'vitest';
import { cancelSweep } from '../../src/app/cancel.js';
import { ago, type Harness, harness, jobsWhere, launched, runTick } from '../fakes/sweep-fixture.js';

const run = (h: Harness, match?: Record<string, string>) =>
  cancelSweep(
    { store: h.store, scheduler: h.scheduler, clock: h.clock, saveOptions: h.saveOptions },
    { experiment: 'calib', requestedBy: 'alice', ...(match !== undefined ? { match } : {}) },
  );

describe('cancel', () => {
  it('cancels the live jobs of the matching conditions only, scoped to the manifest and prefix', async () => {
    const h = harness();
    await launched(h);
    const [done = ''] = jobsWhere(h, { model: 'vit' });
    h.scheduler.set(done, 'COMPLETED', { exit: { code: 0, signal: null }, endedAt: ago(h, 10) });
    await runTick(h);
    const result = await run(h, { model: 'vit' });
    const live = jobsWhere(h, { model: 'vit' }).filter((id) => id !== done);
    expect(result.reasonCode).toBe('cancelled');
    expect([...result.cancelled].sort()).toEqual(live.sort());
    expect(h.scheduler.calls.cancel[0]).toMatchObject({ prefix: 'sw-calib-' });
    expect(h.scheduler.calls.cancel[0]?.scope.sort()).toEqual(jobsWhere(h).sort());
    for (const id of jobsWhere(h, { model: 'resnet' }))
      expect(h.scheduler.jobs.get(id)?.observation.state).toBe('PENDING');
    expect(h.store.current()?.decisions.at(-1)).toMatchObject({ reasonCode: 'cancelled_by_request' });
    expect(result.summaryMarkdown).toContain('5 of 5 live jobs cancelled (model=vit) by alice');
  });

  it('does nothing (and writes nothing) when nothing is live', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h)) h.scheduler.set(id, 'COMPLETED', { exit: { code: 0, signal: null } });
    await runTick(h);
    const saves = h.store.saves.length;
    const result = await run(h);
    expect(result.reasonCode).toBe('nothing_to_cancel');
    expect(h.scheduler.calls.cancel).toEqual([]);
    expect(h.store.saves).toHaveLength(saves);
  });
});
