import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitBranchStore } from '../../src/adapters/github/git-branch-store.js';
import { ManifestStore } from '../../src/adapters/github/manifest-store.js';
import { expandConditions } from '../../src/core/conditions.js';
import type { Manifest } from '../../src/core/manifest.js';
import { createManifest } from '../../src/core/manifest-model.js';
import { recordSubmitted, recordSubmitting } from '../../src/core/manifest-transitions.js';
import { saveWithRetry } from '../../src/ports/state-store.js';
import { fakeGitHubRepo } from '../helpers/fake-github/client.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';

// Several Action runs (a tick, a relaunch, a comment) saving the manifest on the state branch at
// once: each write names the blob sha of the file it replaces (a compare-and-swap), and a loser
// reloads and re-applies its own transitions, so no attempt is ever lost. Checked against the
// OpenAPI-validating fake GitHub.
let gh: FakeGitHub;
let n = 0;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

const conditions = expandConditions({
  experiment: 'exp',
  factors: [
    { name: 'model', levels: ['vit', 'resnet'] },
    { name: 'fold', levels: [0, 1, 2] },
  ],
});

const empty = (): Manifest =>
  createManifest({
    experiment: 'exp',
    sweepDigest: 'sha256:0',
    factorNames: ['model', 'fold'],
    conditions,
    launch: { digest: 'git:abc', reason: 'launch', requestedBy: 'ci', at: '2026-03-01T08:00:00Z' },
  });

const appendAttempt = (conditionId: string, jobId: string) => (m: Manifest | null) => {
  const base = m ?? empty();
  const submitting = recordSubmitting(base, [{ conditionId, cycle: 0 }], '2026-03-01T08:01:00Z');
  return recordSubmitted(submitting, [{ conditionId, jobId }], '2026-03-01T08:02:00Z');
};

describe('the manifest on the state branch', () => {
  it('loses no attempt when several runs save at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat(conditions.length - 1), { minLength: 1, maxLength: 3 }), {
          minLength: 2,
          maxLength: 4,
        }),
        async (writers) => {
          n += 1;
          const repo = fakeGitHubRepo(gh, `conc${n}`, 'sweeps');
          const store = () =>
            new ManifestStore(new GitBranchStore(repo, { path: 'sweepwatch/exp.json' }), {
              source: 'state',
              experiment: 'exp',
            });
          await Promise.all(
            writers.map(async (picks, w) => {
              // Each run has its own store, as separate processes would.
              const mine = store();
              for (const [k, pick] of picks.entries()) {
                const apply = appendAttempt(conditions[pick]?.id ?? '', `w${w}-${k}`);
                await saveWithRetry(mine, apply, { maxAttempts: 60, backoffMs: () => Math.random() * 5 });
              }
            }),
          );
          const stored = (await store().load())?.manifest;
          const jobs = stored?.conditions.flatMap((c) => c.attempts.map((a) => a.jobId)) ?? [];
          const expected = writers.flatMap((picks, w) => picks.map((_, k) => `w${w}-${k}`));
          expect([...jobs].sort()).toEqual([...expected].sort());
        },
      ),
      { numRuns: 8 },
    );
  }, 90_000);
});
