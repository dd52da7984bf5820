import { describe, expect, it } from 'vitest';
import { zipSingleFile } from '../../src/adapters/github/artifact-zip.js';
import { ManifestError, serializeManifest } from '../../src/core/manifest.js';
import { saveWithRetry } from '../../src/ports/state-store.js';
import type { FakeArtifacts, FakeRun } from '../helpers/fake-actions-artifacts/index.js';
import { appendAttempt, emptyManifest, jobIds } from '../helpers/fake-actions-artifacts/sample-manifest.js';
import { artifactStores, plantState } from '../helpers/fake-actions-artifacts/state-store.js';
import { useArtifactWorld } from '../helpers/fake-actions-artifacts/world.js';
import type { FakeGitHub } from '../helpers/fake-github/index.js';

// The manifest kept as workflow artifacts, against the fake results service, blob storage and the
// OpenAPI-validating fake GitHub. Each "run" has its own runtime token, as separate Action runs do.
let gh: FakeGitHub;
let artifacts: FakeArtifacts;
let nextRun = 100;

useArtifactWorld((w) => {
  gh = w.gh;
  artifacts = w.artifacts;
});

let experimentCount = 0;
/** A fresh experiment per test: the fakes are shared, the state is not. */
function experiment(): string {
  experimentCount += 1;
  return `exp${experimentCount}`;
}

function run(options: { fork?: boolean } = {}): FakeRun {
  nextRun += 1;
  return artifacts.run({ runId: nextRun, ...options });
}

const stateOf = (exp: string) =>
  artifacts.artifacts().filter((a) => a.name.startsWith(`sweepwatch-state-${exp}`));
const saved = (version: string | undefined) => Number(version);

describe('the manifest as workflow artifacts', () => {
  it('a later run finds the newest manifest by name, whichever run saved it', async () => {
    const exp = experiment();
    const first = artifactStores(gh, artifacts, run(), exp).store;
    expect(await first.load()).toBeNull();
    const one = await first.save(appendAttempt(0, 'job-1')(emptyManifest(exp)), null);
    if (!one.ok) throw new Error('first save conflicted');

    const second = artifactStores(gh, artifacts, run(), exp).store;
    const loaded = await second.load();
    expect(loaded?.version).toBe(one.version);
    const two = await second.save(appendAttempt(1, 'job-2')(loaded?.manifest ?? null), one.version);
    if (!two.ok) throw new Error('second save conflicted');

    const third = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(third?.version).toBe(two.version);
    expect(jobIds(third?.manifest)).toEqual(['job-1', 'job-2']);
    // The second save deleted the first run's state, which it superseded.
    expect(stateOf(exp).map((a) => a.run.runId)).toEqual([nextRun - 1]);
  });

  it('uploads a new artifact on every save, and a run keeps only its newest', async () => {
    const exp = experiment();
    const mine = run();
    const { store } = artifactStores(gh, artifacts, mine, exp);
    const before = artifacts.backend.finalizedCount();
    const versions: string[] = [];
    let current: string | null = null;
    for (const k of [0, 1, 2, 3]) {
      const loaded = await store.load();
      const result = await store.save(
        appendAttempt(k, `job-${k}`)(loaded?.manifest ?? emptyManifest(exp)),
        current,
      );
      if (!result.ok) throw new Error('conflict');
      versions.push(result.version);
      current = result.version;
    }
    expect(artifacts.backend.finalizedCount() - before).toBe(4);
    expect(new Set(versions).size).toBe(4);
    expect(versions.map(saved)).toEqual([...versions.map(saved)].sort((a, b) => a - b));
    // The results service takes a name once per run: the run alternates between two.
    expect(stateOf(exp).map((a) => [a.id, a.name])).toEqual([
      [saved(current ?? ''), `sweepwatch-state-${exp}+1`],
    ]);
    expect(jobIds((await store.load())?.manifest)).toEqual(['job-0', 'job-1', 'job-2', 'job-3']);
  });

  it('answers a stale version with a conflict and uploads nothing', async () => {
    const exp = experiment();
    const a = artifactStores(gh, artifacts, run(), exp).store;
    const b = artifactStores(gh, artifacts, run(), exp).store;
    const first = await a.save(emptyManifest(exp), null);
    if (!first.ok) throw new Error('conflict');
    const second = await b.save(appendAttempt(0, 'job-b')(emptyManifest(exp)), first.version);
    if (!second.ok) throw new Error('conflict');
    const uploads = artifacts.backend.finalizedCount();
    const calls = artifacts.results.calls.length;

    const stale = await a.save(appendAttempt(1, 'job-a')(emptyManifest(exp)), first.version);
    expect(stale).toEqual({ ok: false, conflict: true, currentVersion: second.version });
    expect(await a.save(emptyManifest(exp), null)).toMatchObject({
      ok: false,
      currentVersion: second.version,
    });
    expect(artifacts.backend.finalizedCount()).toBe(uploads);
    expect(artifacts.results.calls.slice(calls).map((c) => c.method)).not.toContain('CreateArtifact');
  });

  it('skips the expired artifacts of earlier runs without downloading them', async () => {
    const exp = experiment();
    const old = artifactStores(gh, artifacts, run(), exp).store;
    const first = await old.save(appendAttempt(0, 'job-old')(emptyManifest(exp)), null);
    if (!first.ok) throw new Error('conflict');
    // A token without actions: write cannot delete the superseded state, which so stays behind.
    gh.faults.inject({ method: 'DELETE', route: 'actions/delete-artifact', status: 403 });
    const { store } = artifactStores(gh, artifacts, run(), exp);
    const second = await store.save(appendAttempt(1, 'job-new')(emptyManifest(exp)), first.version);
    if (!second.ok) throw new Error('conflict');
    artifacts.expire(saved(first.version));
    const gets = artifacts.blob.requests.filter((r) => r.method === 'GET').length;

    const loaded = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(loaded?.version).toBe(second.version);
    expect(jobIds(loaded?.manifest)).toEqual(['job-new']);
    expect(artifacts.blob.requests.filter((r) => r.method === 'GET').length - gets).toBe(1);
  });

  it('refuses an expired newest state instead of rolling back to an older one', async () => {
    const exp = experiment();
    const a = artifactStores(gh, artifacts, run(), exp).store;
    const first = await a.save(emptyManifest(exp), null);
    if (!first.ok) throw new Error('conflict');
    const second = await artifactStores(gh, artifacts, run(), exp).store.save(
      appendAttempt(0, 'job-1')(emptyManifest(exp)),
      first.version,
    );
    if (!second.ok) throw new Error('conflict');
    artifacts.expire(saved(second.version));
    const uploads = artifacts.backend.finalizedCount();

    const later = artifactStores(gh, artifacts, run(), exp).store;
    const name = artifacts.backend.byId(saved(second.version))?.name;
    const refusal = `artifact ${name} (id ${second.version}) in acme/sweeps, the newest state of experiment ${exp}, expired`;
    await expect(later.load()).rejects.toThrow(refusal);
    await expect(saveWithRetry(later, appendAttempt(2, 'job-2'))).rejects.toThrow(/expired/);
    expect(artifacts.backend.finalizedCount()).toBe(uploads);
  });

  it('reads again when the newest artifact vanishes between listing and download', async () => {
    const exp = experiment();
    const saved1 = await artifactStores(gh, artifacts, run(), exp).store.save(emptyManifest(exp), null);
    if (!saved1.ok) throw new Error('conflict');
    // Storage answers 404 once, as when a run deletes its previous save just after the listing.
    artifacts.blob.inject('GET', 404);
    const loaded = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(loaded?.version).toBe(saved1.version);
  });

  it('asks for the retention it is given', async () => {
    const exp = experiment();
    const { store } = artifactStores(gh, artifacts, run(), exp, { retentionDays: 3 });
    const result = await store.save(emptyManifest(exp), null);
    if (!result.ok) throw new Error('conflict');
    const expires = Date.parse(stateOf(exp)[0]?.expiresAt ?? '');
    expect(Math.abs(expires - (artifacts.backend.now() + 3 * 86_400_000))).toBeLessThan(60_000);
  });

  it.each([
    ['truncated', (zip: Buffer) => zip.subarray(0, zip.length - 40), 'truncated', /the zip ends early/],
    ['not a zip', () => Buffer.from('<html>502 Bad Gateway</html>'), 'corrupt', /not a zip/],
    [
      'a zip without the manifest',
      () => zipSingleFile('notes.txt', Buffer.from('hello')),
      'corrupt',
      /the zip has no manifest\.json \(entries: notes\.txt\)/,
    ],
    [
      'a manifest cut off mid-JSON',
      (_zip: Buffer, text: string) =>
        zipSingleFile('manifest.json', Buffer.from(text.slice(0, text.length / 2))),
      'truncated',
      /the manifest is truncated: it ends after \d+ bytes/,
    ],
    [
      'a manifest that is not JSON',
      (_zip: Buffer, text: string) =>
        zipSingleFile('manifest.json', Buffer.from(text.replace('"experiment"', '"experiment" ?'))),
      'corrupt',
      /the manifest is not valid JSON at line \d+/,
    ],
  ])(
    'refuses %s, naming the artifact and the problem, and uploads nothing',
    async (_, damage, kind, problem) => {
      const exp = experiment();
      const { store } = artifactStores(gh, artifacts, run(), exp);
      const manifest = appendAttempt(0, 'job-1')(emptyManifest(exp));
      const first = await store.save(manifest, null);
      if (!first.ok) throw new Error('conflict');
      const id = saved(first.version);
      const record = artifacts.backend.byId(id);
      const zip = record === undefined ? undefined : artifacts.backend.blobs.get(record.blobPath)?.bytes;
      if (!zip) throw new Error('no bytes stored');
      artifacts.replaceBytes(id, damage(zip, serializeManifest(manifest)));
      const uploads = artifacts.backend.finalizedCount();

      const later = artifactStores(gh, artifacts, run(), exp).store;
      const refused = await later.load().then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ManifestError);
      expect(refused).toMatchObject({ kind });
      const message = refused instanceof Error ? refused.message : '';
      expect(message).toContain(`artifact sweepwatch-state-${exp} (id ${id}) in acme/sweeps`);
      expect(message).toMatch(problem);
      expect(message).toContain('will not overwrite it');
      await expect(saveWithRetry(later, appendAttempt(1, 'job-2'))).rejects.toBeInstanceOf(ManifestError);
      // A blind save cannot name the refused version: it loses, or is refused while saying so.
      const blind = await later.save(emptyManifest(exp), null).catch((error: unknown) => error);
      expect(blind instanceof ManifestError || (blind as { ok?: boolean }).ok === false).toBe(true);
      expect(artifacts.backend.finalizedCount()).toBe(uploads);
    },
  );

  it('ignores artifacts that pull requests from forks upload under the same name', async () => {
    const exp = experiment();
    const { store } = artifactStores(gh, artifacts, run(), exp);
    const mine = await store.save(appendAttempt(0, 'job-mine')(emptyManifest(exp)), null);
    if (!mine.ok) throw new Error('conflict');
    // A fork's workflow can upload any name.
    const evil = serializeManifest(appendAttempt(1, 'job-evil')(emptyManifest(exp)));
    await plantState(artifacts, run({ fork: true }), `sweepwatch-state-${exp}+1`, evil);
    expect(stateOf(exp)).toHaveLength(2);

    const loaded = await artifactStores(gh, artifacts, run(), exp).store.load();
    expect(loaded?.version).toBe(mine.version);
    expect(jobIds(loaded?.manifest)).toEqual(['job-mine']);
  });
});
