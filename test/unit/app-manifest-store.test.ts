import { describe, expect, it } from 'vitest';
import { ManifestStore } from '../../src/adapters/github/manifest-store.js';
import { launch } from '../../src/app/launch.js';
import { ManifestError, parseManifest, serializeManifest } from '../../src/core/manifest.js';
import { setPaused } from '../../src/core/manifest-transitions.js';
import { createMemoryTextStore } from '../fakes/memory-text-store.js';
import { DIGEST, harness } from '../fakes/sweep-fixture.js';

const SOURCE = 'branch sweepwatch-state:sweepwatch/calib.json';

describe('the use cases over the GitHub state store (ManifestStore on a TextStore)', () => {
  it('launches into the text store and reads the manifest back', async () => {
    const h = harness();
    const text = createMemoryTextStore();
    const store = new ManifestStore(text, { source: SOURCE, experiment: 'calib' });
    const result = await launch(
      { store, scheduler: h.scheduler, clock: h.clock },
      { config: h.config, digest: DIGEST, requestedBy: 'alice' },
    );
    expect(result.submitted).toHaveLength(12);
    const stored = parseManifest(text.content ?? '', { source: SOURCE });
    expect(stored.conditions.every((c) => c.attempts[0]?.jobId !== null)).toBe(true);
    expect((await store.load())?.version).toBe(`v${text.version}`);
  });

  it('maps a lost race to a conflict naming the winner', async () => {
    const h = harness();
    const text = createMemoryTextStore();
    const store = new ManifestStore(text, { source: SOURCE });
    await launch(
      { store, scheduler: h.scheduler, clock: h.clock },
      { config: h.config, digest: DIGEST, requestedBy: 'alice' },
    );
    const loaded = await store.load();
    if (loaded === null) throw new Error('no manifest');
    text.beforeSave = () => {
      text.content = serializeManifest(setPaused(loaded.manifest, true));
      text.version++;
    };
    const result = await store.save(loaded.manifest, loaded.version);
    expect(result).toEqual({ ok: false, conflict: true, currentVersion: `v${text.version}` });
  });

  it('refuses a corrupt manifest on load and leaves it alone', async () => {
    const text = createMemoryTextStore('{"schema_version":2,"experiment":"calib"');
    const store = new ManifestStore(text, { source: SOURCE });
    await expect(store.load()).rejects.toThrow(ManifestError);
    await expect(store.load()).rejects.toThrow(SOURCE);
    expect(text.content).toBe('{"schema_version":2,"experiment":"calib"');
  });
});
