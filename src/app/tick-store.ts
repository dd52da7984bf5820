/**
 * The state store as one tick sees it: every read after the first is answered from what this
 * tick last loaded or saved, so a tick reads the manifest once and saves without re-reading it
 * (each read is a GitHub request on the state branch). Safe because every save is still a
 * compare-and-swap: when another writer got in between, the save loses, the cache is dropped,
 * and saveWithRetry's next round reads the store for real.
 */
import type { LoadedManifest, SaveManifestResult, StateStore } from '../ports/state-store.js';

export function readYourWrites(store: StateStore): StateStore {
  let known: LoadedManifest | null | undefined;
  return {
    async load() {
      known ??= await store.load();
      return known;
    },
    async save(manifest, expectedVersion): Promise<SaveManifestResult> {
      known = undefined;
      const result = await store.save(manifest, expectedVersion);
      if (result.ok) known = { manifest, version: result.version };
      return result;
    },
  };
}
