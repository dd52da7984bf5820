import type { Manifest } from '../core/manifest.js';
import type { LoadedManifest, SaveManifestResult, StateStore } from '../ports/state-store.js';

/**
 * A manifest held in memory, for replay: nothing is read from or written to disk. Versions are
 * a counter, so compare-and-swap behaves as with the file store.
 */
export class MemoryStateStore implements StateStore {
  private version = 0;

  constructor(private manifest: Manifest | null) {}

  async load(): Promise<LoadedManifest | null> {
    return this.manifest === null ? null : { manifest: this.manifest, version: `memory:${this.version}` };
  }

  async save(manifest: Manifest, expectedVersion: string | null): Promise<SaveManifestResult> {
    const current = this.manifest === null ? null : `memory:${this.version}`;
    if (current !== expectedVersion) return { ok: false, conflict: true, currentVersion: current };
    this.manifest = manifest;
    this.version++;
    return { ok: true, version: `memory:${this.version}` };
  }
}
