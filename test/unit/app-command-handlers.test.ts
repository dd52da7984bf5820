import { describe, expect, it } from 'vitest';
import { createCommandHandlers } from '../../src/app/command-handlers.js';
import { readLedger } from '../../src/app/ledger.js';
import { parsePayload, type RelaunchPayload } from '../../src/app/relaunch-payload.js';
import type { CommandFilter } from '../../src/core/commands.js';
import { recordRelaunchCycle } from '../../src/core/manifest-transitions.js';
import {
  ago,
  CODE_ERROR_LOG,
  DIGEST,
  type Harness,
  harness,
  jobsWhere,
  launched,
  OOM_LOG,
  RELAUNCH_WORKFLOW,
  runTick,
} from '../fakes/sweep-fixture.js';

type Workflow = typeof RELAUNCH_WORKFLOW | null;

const handlersFor = (h: Harness, relaunchWorkflow: Workflow = RELAUNCH_WORKFLOW) =>
  createCommandHandlers(
    {
      store: h.store,
      scheduler: h.scheduler,
      dispatcher: h.dispatcher,
      issues: h.issues,
      clock: h.clock,
      saveOptions: h.saveOptions,
    },
    { config: h.config, relaunchWorkflow },
  );

const ALL: CommandFilter = { kind: 'all' };
const VIT: CommandFilter = { kind: 'conditions', match: { model: 'vit' } };
const asAlice = { dryRun: false, force: false, requestedBy: 'alice' };

function finish(h: Harness, jobId: string, state: 'FAILED' | 'COMPLETED', log = '') {
  h.scheduler.set(jobId, state, {
    exit: { code: state === 'COMPLETED' ? 0 : 1, signal: null },
    startedAt: ago(h, 3700),
    endedAt: ago(h, 100),
    elapsedSeconds: 3600,
    log,
  });
}

/** Every vit job OOMs, resnet completes (two of them with a code error when asked); a tick records it, dispatching nothing. */
async function vitOutOfMemory(h: Harness, codeErrors = 0): Promise<void> {
  await launched(h);
  for (const id of jobsWhere(h, { model: 'vit' })) finish(h, id, 'FAILED', OOM_LOG);
  for (const [i, id] of jobsWhere(h, { model: 'resnet' }).entries()) {
    finish(h, id, i < codeErrors ? 'FAILED' : 'COMPLETED', CODE_ERROR_LOG);
  }
  await runTick(h, { relaunchWorkflow: null });
}

function conditionIds(h: Harness, model: string): string[] {
  const m = h.store.current();
  return (m?.conditions ?? []).filter((c) => c.values.model === model).map((c) => c.id);
}

function lastPayload(h: Harness): RelaunchPayload {
  return parsePayload(h.dispatcher.runs.at(-1)?.inputs.payload ?? '');
}

describe('status', () => {
  it('shows the observed sweep and what the next tick would do, changing nothing', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h, { model: 'vit' })) finish(h, id, 'FAILED', OOM_LOG);
    for (const id of jobsWhere(h, { model: 'resnet' })) finish(h, id, 'FAILED', CODE_ERROR_LOG);
    const text = h.store.text;
    const saves = h.store.saves.length;

    const reply = await handlersFor(h).status();
    expect(reply).toContain('## sweepwatch · calib');
    expect(reply).toContain('nothing was saved, cancelled, dispatched or written to an issue');
    expect(reply).toMatch(/### What the next tick would do\n\n- Opened issue #\d+/);
    expect(reply).toContain('- Dispatched relaunch cycle 1');
    expect(reply.length).toBeLessThanOrEqual(60_000);
    expect(h.scheduler.calls.observe).toHaveLength(1);
    expect(h.store.text).toBe(text);
    expect(h.store.saves).toHaveLength(saves);
    expect(h.issues.writes).toEqual([]);
    expect(h.dispatcher.runs).toEqual([]);
  });

  it('does not cancel the jobs the kill switch would cancel', async () => {
    const h = harness();
    await launched(h);
    // Three identical OOMs across two configurations of vit, the rest of vit just started.
    const failed = [
      ...jobsWhere(h, { model: 'vit', loss: 'ce' }).slice(0, 2),
      ...jobsWhere(h, { model: 'vit', loss: 'focal' }).slice(0, 1),
    ];
    for (const id of failed) {
      h.scheduler.set(id, 'FAILED', {
        exit: { code: 1, signal: null },
        startedAt: ago(h, 660),
        endedAt: ago(h, 60),
        elapsedSeconds: 600,
        log: OOM_LOG,
      });
    }
    const doomed = jobsWhere(h, { model: 'vit' }).filter((id) => !failed.includes(id));
    for (const id of doomed) h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 100) });
    // The other model runs past the failure point: the kill switch aims at vit alone.
    for (const id of jobsWhere(h, { model: 'resnet' }))
      h.scheduler.set(id, 'RUNNING', { startedAt: ago(h, 3000) });

    const reply = await handlersFor(h).status();
    expect(reply).toContain('`kill_switch`');
    expect(reply).toContain('- Cancelled 3 jobs');
    expect(h.scheduler.calls.cancel).toEqual([]);
    for (const id of doomed) expect(h.scheduler.jobs.get(id)?.observation.state).toBe('RUNNING');
  });
});

describe('relaunch', () => {
  it('--dry-run shows which conditions rerun with how much memory, and dispatches nothing', async () => {
    const h = harness('canary: false');
    await vitOutOfMemory(h);
    const text = h.store.text;
    const reply = await handlersFor(h).relaunch(ALL, { ...asAlice, dryRun: true });
    expect(reply.markdown).toContain('**Dry run: nothing dispatched.**');
    expect(reply.markdown).toContain('### Relaunched (6)');
    for (const id of conditionIds(h, 'vit')) expect(reply.markdown).toContain(`\`${id}\``);
    expect(reply.markdown).toContain('`gpu_oom`, escalated: memory 16384 MB → 32768 MB');
    expect(reply.runUrl).toBeUndefined();
    expect(h.dispatcher.runs).toEqual([]);
    expect(h.store.text).toBe(text);
  });

  it('dispatches the relaunch workflow once, as the person who asked, and links the run', async () => {
    const h = harness();
    await vitOutOfMemory(h);
    const reply = await handlersFor(h).relaunch(ALL, asAlice);
    expect(h.dispatcher.runs).toHaveLength(1);
    expect(h.dispatcher.runs[0]?.workflowFile).toBe(RELAUNCH_WORKFLOW.workflowFile);
    expect(Object.keys(h.dispatcher.runs[0]?.inputs ?? {})).toEqual(['payload']);
    const payload = lastPayload(h);
    expect(payload).toMatchObject({ experiment: 'calib', cycle: 1, requested_by: 'alice', force: false });
    expect([...(payload.conditions === 'plan' ? [] : payload.conditions)].sort()).toEqual(
      conditionIds(h, 'vit').sort(),
    );
    // Canary on: one goes first, the others wait for it (the relaunch run splits them again).
    expect(reply.markdown).toContain(
      '**Dispatched** the relaunch workflow for 6 conditions, requested by alice',
    );
    expect(reply.markdown).toContain('### Relaunched (1)');
    expect(reply.markdown).toContain('### Held behind a canary (5)');
    expect(reply.runUrl).toBe('https://github.test/runs/1');
  });

  it('records the dispatch, so neither the next tick nor a second command dispatches it again', async () => {
    const h = harness();
    await vitOutOfMemory(h);
    await handlersFor(h).relaunch(ALL, asAlice);
    const m = h.store.current();
    expect(m && readLedger(m).dispatched.get(1)).toBe(h.clock.now().toISOString());

    h.clock.advance(600);
    const next = await runTick(h);
    expect(next.actions.dispatch).toBeNull();
    expect(next.actions.notes.join()).toContain('already dispatched');
    const again = await handlersFor(h).relaunch(ALL, asAlice);
    expect(again.markdown).toContain('**Not dispatched again:** relaunch cycle 1 was dispatched at');
    expect(h.dispatcher.runs).toHaveLength(1);
  });

  it('refuses while jobs are live, naming how many (F1)', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h, { model: 'vit' }).slice(0, 2)) finish(h, id, 'FAILED', OOM_LOG);
    await runTick(h, { relaunchWorkflow: null });
    const reply = await handlersFor(h).relaunch(ALL, asAlice);
    expect(reply.markdown).toContain(
      '**Not relaunched:** 10 jobs are still pending, running or being submitted',
    );
    expect(reply.markdown).toContain('rule F1');
    expect(h.dispatcher.runs).toEqual([]);
  });

  it('refuses once every relaunch cycle is used (F4)', async () => {
    const h = harness();
    await vitOutOfMemory(h);
    const m = h.store.current();
    if (m === null) throw new Error('no manifest');
    const cycle = { digest: DIGEST, reason: 'r', requestedBy: 'x', at: ago(h, 10) };
    h.store.put(recordRelaunchCycle(recordRelaunchCycle(m, cycle), cycle));
    const reply = await handlersFor(h).relaunch(ALL, { ...asAlice, dryRun: true });
    expect(reply.markdown).toContain(
      '**Not relaunched:** all 2 relaunch cycles of this sweep are used (rule F4',
    );
    expect(h.dispatcher.runs).toEqual([]);
  });

  it.each([
    [{ kind: 'conditions', match: { model: 'resnet' } }, 'none of its 6 conditions has failed (6 succeeded)'],
    [{ kind: 'conditions', match: { model: 'mlp' } }, 'no condition matches `model=mlp`'],
    [
      { kind: 'root_cause', rootCause: 'timeout' },
      'no condition has currently failed with root cause `timeout`',
    ],
  ] as const)('says nothing failed for %o', async (filter, said) => {
    const h = harness();
    await vitOutOfMemory(h);
    const reply = await handlersFor(h).relaunch(filter, asAlice);
    expect(reply.markdown).toContain('**Nothing to relaunch');
    expect(reply.markdown).toContain(said);
    expect(h.dispatcher.runs).toEqual([]);
  });

  it('reruns code errors only when named by a filter, passing --force through', async () => {
    const h = harness('canary: false');
    await vitOutOfMemory(h, 2);
    const broad = await handlersFor(h).relaunch(ALL, { ...asAlice, dryRun: true });
    expect(broad.markdown).toContain('### Relaunched (6)');
    expect(broad.markdown).toMatch(
      /### Not relaunched \(2\)\n\n- `model=resnet[^\n]*`code_error`, needs a fix/,
    );

    const named = await handlersFor(h).relaunch(
      { kind: 'root_cause', rootCause: 'code_error' },
      { ...asAlice, force: true },
    );
    expect(named.markdown).toContain('### Rerun as they were, because you named them (2)');
    expect(named.markdown).toContain('F3 overridden by `--force`');
    const payload = lastPayload(h);
    expect(payload.force).toBe(true);
    expect(payload.conditions).toHaveLength(2);
  });

  it('from the CLI (no relaunch workflow) says relaunches run from the workflow', async () => {
    const h = harness();
    await vitOutOfMemory(h);
    const reply = await handlersFor(h, null).relaunch(ALL, asAlice);
    expect(reply.markdown).toContain('relaunches run from the relaunch workflow');
    expect(h.dispatcher.runs).toEqual([]);
    const plan = await handlersFor(h, null).relaunch(ALL, { ...asAlice, dryRun: true });
    expect(plan.markdown).toContain('**Dry run: nothing dispatched.**');
  });
});

describe('cancel', () => {
  it('cancels the live jobs of the matching conditions only', async () => {
    const h = harness();
    await launched(h);
    const reply = await handlersFor(h).cancel(VIT, 'alice');
    expect(h.scheduler.calls.cancel.map((c) => c.ids.sort())).toEqual([
      jobsWhere(h, { model: 'vit' }).sort(),
    ]);
    expect(reply).toContain('6 of 6 live jobs cancelled (model=vit) by alice');
    expect(reply).toContain('### Cancelled (6)');
    for (const id of jobsWhere(h, { model: 'resnet' })) {
      expect(h.scheduler.jobs.get(id)?.observation.state).toBe('PENDING');
    }
  });

  it('by root cause cancels nothing and says why', async () => {
    const h = harness();
    await launched(h);
    const reply = await handlersFor(h).cancel({ kind: 'root_cause', rootCause: 'gpu_oom' }, 'alice');
    expect(reply).toContain('**Nothing cancelled:** only live jobs can be cancelled');
    expect(h.scheduler.calls.cancel).toEqual([]);
  });
});

describe('pause and resume', () => {
  it('pause stops ticks acting until resume, noting who, and says so when repeated', async () => {
    const h = harness();
    await launched(h);
    const handlers = handlersFor(h);
    expect(await handlers.pause('alice')).toContain('⏸️ **Paused** `calib` (by alice)');
    const paused = h.store.current();
    expect(paused?.paused).toBe(true);
    expect(paused?.decisions.at(-1)).toMatchObject({
      reasonCode: 'paused_by_request',
      note: 'paused by alice',
    });
    const saves = h.store.saves.length;
    expect(await handlers.pause('bob')).toContain('already paused for `calib` since');
    expect(h.store.saves).toHaveLength(saves);

    expect(await handlers.resume('bob')).toContain('▶️ **Resumed** `calib` (by bob)');
    expect(h.store.current()?.paused).toBe(false);
    expect(h.store.current()?.decisions.at(-1)?.note).toBe('resumed by bob');
    expect(await handlers.resume('bob')).toContain('is not paused');
  });
});

describe('escaping', () => {
  const sneaky: CommandFilter = { kind: 'conditions', match: { model: '@octocat_<b>' } };

  it.each([
    [
      'relaunch',
      (h: Harness) =>
        handlersFor(h)
          .relaunch(sneaky, asAlice)
          .then((r) => r.markdown),
      // In a code span: HTML shows as text, the mention is defused.
      '`model=@\u200doctocat_<b>`',
    ],
    ['cancel', (h: Harness) => handlersFor(h).cancel(sneaky, 'alice'), 'model=@\u200doctocat\\_&lt;b&gt;'],
  ])('%s quotes a filter without mentioning anyone or rendering HTML', async (_, send, quoted) => {
    const h = harness();
    await vitOutOfMemory(h);
    const reply = await send(h);
    expect(reply).toContain(quoted);
    expect(reply).not.toMatch(/@octocat/);
  });
});
