/**
 * `sacct` (and `squeue`) answering with partial or garbage rows: the real lab outputs of
 * test/fixtures/slurm/ replayed by a fake transport through the real SlurmScheduler and the real
 * tick, corrupted by fast-check. Whatever the corruption, a tick may see less, never more: no
 * attempt lost, no job failed (or cancelled) that the clean output does not fail (or cancel),
 * no untyped error, no hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { launch } from '../../src/app/launch.js';
import { tick } from '../../src/app/tick.js';
import { parseSweepConfig } from '../../src/config/sweep-config.js';
import type { Manifest } from '../../src/core/manifest.js';
import type { JobState } from '../../src/core/types.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import { createFakeClock, createFakeDispatcher, createFakeIssues } from '../fakes/fake-ports.js';
import { createFakeTransport } from '../fakes/fake-transport.js';
import { createMemoryStore } from '../fakes/memory-store.js';
import { crashOf, RELAUNCH_WORKFLOW, settle } from '../helpers/reliability/drive.js';
import { fuzz, fuzzRuns, fuzzTimeoutMs } from '../helpers/reliability/fuzz.js';
import { cancelsOutside, falseFailures, lostAttempts, spyOn } from '../helpers/reliability/invariants.js';
import { noProblems, recorder } from '../helpers/reliability/recorder.js';
import { writeReliabilityReport } from '../helpers/reliability/report.js';
import {
  framedObserve,
  REPLAYED_JOBS,
  type Replay,
  replayArb,
  replayRows,
} from '../helpers/reliability/slurm-replay.js';

const rec = recorder(import.meta.url);
const NONCE = 'n0nce';
const config = parseSweepConfig(
  `experiment: replay
scheduler: slurm
factors:
  job: [${REPLAYED_JOBS.map((_, i) => i).join(', ')}]
template:
  command: [python, train.py, '{job}']
  resources: {time: 10, memory: 256M, partition: debug}
`,
  'replay.yml',
);
let launched: Manifest;
let truth: Map<string, JobState>;
let cleanCancels: Set<string>;

/** The SlurmScheduler over a transport that answers observe with the (corrupted) replay. */
function replaying(r: Replay | null): Scheduler {
  const clean = { sacct: [], squeue: [], cutAt: undefined };
  const transport = createFakeTransport((argv) => {
    if (argv[3] !== 'sweepwatch-observe') return { stdout: '', code: 0 };
    const rows = replayRows(r ?? clean);
    return framedObserve(NONCE, rows, r?.cutAt);
  });
  return new SlurmScheduler({ transport, nonce: () => NONCE });
}

async function tickOver(scheduler: Scheduler) {
  const store = createMemoryStore(launched);
  const { scheduler: spied, spy } = spyOn(scheduler as SlurmScheduler);
  const outcome = await settle(() =>
    tick(
      {
        store,
        scheduler: spied,
        issues: createFakeIssues(),
        dispatcher: createFakeDispatcher(),
        clock: createFakeClock('2026-11-26T05:10:00Z'),
        saveOptions: { sleep: async () => {} },
      },
      { config, relaunchWorkflow: RELAUNCH_WORKFLOW },
    ),
  );
  return { outcome, after: store.current(), cancels: spy.cancelRequested };
}

beforeAll(async () => {
  // The manifest of a launch whose jobs got the fixture's job ids, in order.
  const ids = [...REPLAYED_JOBS];
  const store = createMemoryStore();
  const submitter = {
    preflight: async () => ({
      ok: true,
      user: 'alice',
      versions: {},
      accountingAvailable: true,
      problems: [],
    }),
    findByName: async () => [],
    submit: async () => {
      const jobId = ids.shift() ?? '0';
      return {
        ok: true as const,
        jobId,
        stdoutPath: `/home/alice/sc/${jobId}.out`,
        stderrPath: `/home/alice/sc/${jobId}.err`,
      };
    },
  };
  await launch(
    { store, scheduler: submitter, clock: createFakeClock('2026-11-26T05:06:00Z') },
    { config, digest: 'git:replay', requestedBy: 'alice' },
  );
  const m = store.current();
  if (m === null) throw new Error('no manifest');
  launched = m;
  const clean = await tickOver(replaying(null));
  if (!clean.outcome.ok) throw clean.outcome.error;
  truth = new Map(
    (clean.after?.conditions ?? []).flatMap((c) =>
      c.attempts.flatMap((a) => (a.jobId !== null && a.state !== null ? [[a.jobId, a.state] as const] : [])),
    ),
  );
  cleanCancels = new Set(clean.cancels);
});
afterAll(() => writeReliabilityReport());

describe('sacct and squeue answering with partial or garbage rows', () => {
  it('the clean replay reads every fixture job, failures included', () => {
    expect(truth.size).toBe(REPLAYED_JOBS.length);
    expect(truth.get('70')).toBe('FAILED');
    expect(truth.get('71')).toBe('OUT_OF_MEMORY');
    expect(truth.get('68')).toBe('COMPLETED');
  });

  it(
    'corrupted rows are skipped and reported: nothing lost, nothing failed or cancelled that did not fail',
    async () => {
      const outcome = await fuzz(
        rec,
        {
          area: 'Scheduler',
          klass: 'sacct/squeue partial or garbage rows',
          against: 'fake transport replaying the lab fixtures, fast-check corruptions',
          expected: 'bad rows skipped with a diagnostic; jobs they hid stay unobserved (stale), never failed',
        },
        replayArb,
        async (r) => {
          const { outcome: ticked, after, cancels } = await tickOver(replaying(r));
          const problems = noProblems();
          problems.crash.push(...crashOf(ticked));
          problems.lost.push(...lostAttempts(launched, after));
          problems.falseFailure.push(...falseFailures(after, (id) => truth.get(id)));
          problems.falseFailure.push(
            ...cancels.filter((id) => !cleanCancels.has(id)).map((id) => `cancelled ${id} on corrupted rows`),
          );
          problems.leak.push(...cancelsOutside(cancels, after));
          return problems;
        },
        { runs: fuzzRuns(150), caseBudgetMs: 2000 },
      );
      expect(outcome.failure).toBeNull();
      expect(outcome.cases).toBeGreaterThan(0);
    },
    fuzzTimeoutMs(60_000),
  );
});
