/**
 * An in-memory StateStore with compare-and-swap. It keeps the serialized text, as the real
 * stores do, so every save goes through serializeManifest/parseManifest and a transition that
 * does not survive the file format fails here too. `beforeSave` runs once before the next
 * save: the place to let "another writer" win the race.
 */
import { type Manifest, parseManifest, serializeManifest } from '../../src/core/manifest.js';
import type { LoadedManifest, SaveManifestResult, StateStore } from '../../src/ports/state-store.js';

export interface MemoryStore extends StateStore {
  readonly saves: Manifest[];
  conflicts: number;
  /** How often the manifest was read (a request each on GitHub). */
  loads: number;
  text: string | null;
  beforeSave: ((store: MemoryStore) => Promise<void> | void) | null;
  /** Makes every save throw (a process that died). */
  dead: boolean;
  /** The stored manifest (parsed), or null. */
  current(): Manifest | null;
  /** Writes directly, as another writer would. */
  put(manifest: Manifest): void;
}

export function createMemoryStore(initial: Manifest | null = null): MemoryStore {
  let version = 0;
  const store = {
    saves: [] as Manifest[],
    conflicts: 0,
    loads: 0,
    text: initial === null ? null : serializeManifest(initial),
    beforeSave: null as MemoryStore['beforeSave'],
    dead: false,
    current(): Manifest | null {
      return store.text === null ? null : parseManifest(store.text, { source: 'memory' });
    },
    put(manifest: Manifest): void {
      store.text = serializeManifest(manifest);
      version++;
    },
    async load(): Promise<LoadedManifest | null> {
      store.loads++;
      const manifest = store.current();
      return manifest === null ? null : { manifest, version: String(version) };
    },
    async save(manifest: Manifest, expectedVersion: string | null): Promise<SaveManifestResult> {
      if (store.dead) throw new Error('memory store: the process died');
      const hook = store.beforeSave;
      store.beforeSave = null;
      await hook?.(store);
      const currentVersion = store.text === null ? null : String(version);
      if (currentVersion !== expectedVersion) {
        store.conflicts++;
        return { ok: false, conflict: true, currentVersion };
      }
      store.put(manifest);
      store.saves.push(manifest);
      return { ok: true, version: String(version) };
    },
  } satisfies MemoryStore;
  return store;
}
