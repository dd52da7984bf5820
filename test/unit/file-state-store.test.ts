import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/adapters/local/file-state-store.js';
import { expandConditions } from '../../src/core/conditions.js';
import { type Manifest, ManifestError, serializeManifest } from '../../src/core/manifest.js';
import { createManifest } from '../../src/core/manifest-model.js';
import { recordSubmitted, recordSubmitting } from '../../src/core/manifest-transitions.js';
import { StateConflictError, saveWithRetry } from '../../src/ports/state-store.js';
import { buildManifest } from '../fixtures/manifest/build-manifest.js';

const root = mkdtempSync(join(tmpdir(), 'sweepwatch-store-'));
let counter = 0;
const freshPath = () => join(root, `case-${++counter}`, 'manifest.json');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const conditions = expandConditions({
  experiment: 'exp',
  factors: [
    { name: 'model', levels: ['vit', 'resnet', 'convnext'] },
    { name: 'fold', levels: [0, 1, 2] },
  ],
});
const empty = (): Manifest =>
  createManifest({
    experiment: 'exp',
    sweepDigest: 'sha256:0',
    factorNames: ['model', 'fold'],
    conditions,
    launch: { digest: 'git:abc', reason: 'launch', requestedBy: 'ci', at: '2025-03-01T08:00:00Z' },
  });

/** This run's transitions: one more attempt (job `jobId`) on a condition. */
const appendAttempt = (conditionId: string, jobId: string) => (m: Manifest | null) => {
  const base = m ?? empty();
  const submitting = recordSubmitting(base, [{ conditionId, cycle: 0 }], '2025-03-01T08:01:00Z');
  return recordSubmitted(submitting, [{ conditionId, jobId }], '2025-03-01T08:02:00Z');
};

describe('the local file store', () => {
  it('creates, loads and compare-and-swaps by content hash', async () => {
    const store = new FileStateStore({ path: freshPath(), experiment: 'exp' });
    expect(await store.load()).toBeNull();
    const first = await store.save(empty(), null);
    expect(first).toEqual({ ok: true, version: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const loaded = await store.load();
    expect(loaded?.manifest).toEqual(empty());
    expect(loaded?.version).toBe(first.ok ? first.version : '');

    expect(await store.save(empty(), null)).toEqual({
      ok: false,
      conflict: true,
      currentVersion: loaded?.version,
    });
    const changed = appendAttempt(conditions[0]?.id ?? '', '1')(loaded?.manifest ?? null);
    const second = await store.save(changed, loaded?.version ?? null);
    expect(second.ok).toBe(true);
    expect(await store.save(changed, loaded?.version ?? null)).toMatchObject({ ok: false, conflict: true });
    expect(readdirSync(join(store.path, '..')).sort()).toEqual(['manifest.json']);
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, 700), 'the manifest is truncated: it ends after 700 bytes'],
    [
      'corrupt',
      (text: string) => text.replace('"paused":false', '"paused":nope'),
      'the manifest is not valid JSON at line 7',
    ],
    [
      'from a newer schema',
      (text: string) => text.replace('"schema_version":2', '"schema_version":9'),
      'the manifest has schema_version 9, written by a newer sweepwatch',
    ],
    [
      'of another experiment',
      (text: string) => text.replaceAll('"experiment":"cifar100-calib"', '"experiment":"mnist"'),
      'the manifest belongs to experiment "mnist", not "cifar100-calib"',
    ],
  ])(
    'refuses a manifest that is %s, naming the file, and never overwrites it',
    async (_name, damage, problem) => {
      const path = freshPath();
      const store = new FileStateStore({ path, experiment: 'cifar100-calib' });
      expect((await store.save(buildManifest(200, 2), null)).ok).toBe(true);
      const bad = damage(readFileSync(path, 'utf8'));
      writeFileSync(path, bad);
      const bytes = readFileSync(path);

      const load = store.load();
      await expect(load).rejects.toBeInstanceOf(ManifestError);
      await expect(load).rejects.toThrow(`${path}: ${problem}`);
      expect(await store.save(buildManifest(200, 3), null)).toMatchObject({ ok: false, conflict: true });
      await expect(saveWithRetry(store, () => buildManifest(200, 3))).rejects.toThrow(`${path}: ${problem}`);
      expect(readFileSync(path).equals(bytes)).toBe(true);
    },
  );

  it('refuses to save a manifest of another experiment, keeping the last good one', async () => {
    const path = freshPath();
    const store = new FileStateStore({ path, experiment: 'exp' });
    await store.save(empty(), null);
    const bytes = readFileSync(path);
    await expect(store.save(buildManifest(200, 1), null)).rejects.toThrow(
      `${path}: the manifest belongs to experiment "cifar100-calib", not "exp"`,
    );
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('takes over a lock left by a dead process, and by a process gone too long', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    for (const holder of [
      { pid: dead, host: hostname(), token: 'dead', at: Date.now() },
      { pid: process.pid, host: 'elsewhere', token: 'old', at: Date.now() - 60_000 },
    ]) {
      const path = freshPath();
      const store = new FileStateStore({ path, lockTimeoutMs: 2000 });
      await store.save(empty(), null);
      writeFileSync(`${path}.lock`, JSON.stringify(holder));
      const loaded = await store.load();
      const saved = await store.save(
        appendAttempt(conditions[1]?.id ?? '', '9')(loaded?.manifest ?? null),
        loaded?.version ?? null,
      );
      expect(saved.ok).toBe(true);
      expect(readdirSync(join(path, '..')).sort()).toEqual(['manifest.json']);
    }
  });

  it('waits for a live lock and then says who holds it', async () => {
    const path = freshPath();
    const store = new FileStateStore({ path, lockTimeoutMs: 150 });
    await store.save(empty(), null);
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ pid: process.pid, host: 'ci-runner-7', token: 't', at: Date.now() }),
    );
    const loaded = await store.load();
    await expect(store.save(empty(), loaded?.version ?? null)).rejects.toThrow(
      `${path}.lock: still locked by pid ${process.pid} on ci-runner-7 after 150 ms; if no sweepwatch is running, delete the lock file`,
    );
  });
});

describe('saveWithRetry', () => {
  it('re-applies this run on top of a concurrent save instead of overwriting it', async () => {
    const store = new FileStateStore({ path: freshPath() });
    await store.save(empty(), null);
    const [a = '', b = ''] = conditions.map((c) => c.id);
    // A second writer slips in between our load and our save.
    let interfered = false;
    const racing = {
      load: () => store.load(),
      save: async (m: Manifest, version: string | null) => {
        if (!interfered) {
          interfered = true;
          await saveWithRetry(store, appendAttempt(b, 'other-1'));
        }
        return store.save(m, version);
      },
    };
    const result = await saveWithRetry(racing, appendAttempt(a, 'mine-1'));
    expect(result).toMatchObject({ saved: true, rounds: 2 });
    const jobs = (await store.load())?.manifest.conditions.flatMap((c) => c.attempts.map((x) => x.jobId));
    expect(jobs?.sort()).toEqual(['mine-1', 'other-1']);
  });

  it('does not write when the transitions change nothing, and gives up after maxAttempts', async () => {
    const store = new FileStateStore({ path: freshPath() });
    await store.save(empty(), null);
    expect(await saveWithRetry(store, (m) => m ?? empty())).toMatchObject({ saved: false, rounds: 1 });
    const alwaysLoses = {
      load: () => store.load(),
      save: async () => ({ ok: false as const, conflict: true as const, currentVersion: 'x' }),
    };
    await expect(
      saveWithRetry(alwaysLoses, appendAttempt(conditions[0]?.id ?? '', '1'), {
        maxAttempts: 3,
        sleep: async () => undefined,
      }),
    ).rejects.toBeInstanceOf(StateConflictError);
  });

  it('loses no attempt when several writers append at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat(conditions.length - 1), { minLength: 1, maxLength: 4 }), {
          minLength: 2,
          maxLength: 5,
        }),
        async (writers) => {
          const store = new FileStateStore({ path: freshPath(), lockTimeoutMs: 10_000 });
          await Promise.all(
            writers.map(async (picks, w) => {
              for (const [k, pick] of picks.entries()) {
                const apply = appendAttempt(conditions[pick]?.id ?? '', `w${w}-${k}`);
                await saveWithRetry(store, apply, { maxAttempts: 50, backoffMs: () => Math.random() * 5 });
              }
            }),
          );
          const stored = (await store.load())?.manifest;
          const jobs = stored?.conditions.flatMap((c) => c.attempts.map((a) => a.jobId)) ?? [];
          const expected = writers.flatMap((picks, w) => picks.map((_, k) => `w${w}-${k}`));
          expect([...jobs].sort()).toEqual([...expected].sort());
          expect(serializeManifest(stored ?? empty())).toBe(readFileSync(store.path, 'utf8'));
        },
      ),
      { numRuns: 15 },
    );
  });
});
