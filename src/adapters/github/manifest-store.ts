/**
 * The manifest's StateStore on top of a TextStore (a file on the state branch): the text is
 * parsed and serialized by the manifest module, so the same rules apply as for the local file.
 * A manifest that does not parse is refused on load (ManifestError), and since no caller can
 * then hold its version, nothing can overwrite it.
 */
import { type Manifest, parseManifest, serializeManifest } from '../../core/manifest.js';
import type { LoadedManifest, SaveManifestResult, StateStore } from '../../ports/state-store.js';
import type { TextStore } from '../../ports/text-store.js';

export interface ManifestStoreOptions {
  /** Shown in every message, e.g. `branch sweepwatch-state:sweepwatch/exp.json`. */
  readonly source: string;
  /** When given, a manifest of another experiment is refused on load and on save. */
  readonly experiment?: string;
  /**
   * Where one loaded version is, when the text store can say more than `source` (an artifact's
   * id, say); a refused manifest is then named exactly.
   */
  readonly describe?: (version: string) => string;
}

export class ManifestStore implements StateStore {
  constructor(
    private readonly text: TextStore,
    private readonly options: ManifestStoreOptions,
  ) {}

  private parse(content: string, source = this.options.source): Manifest {
    const { experiment } = this.options;
    return parseManifest(content, experiment === undefined ? { source } : { source, experiment });
  }

  async load(): Promise<LoadedManifest | null> {
    const loaded = await this.text.load();
    if (loaded === null) return null;
    const source = this.options.describe?.(loaded.version);
    return { manifest: this.parse(loaded.content, source), version: loaded.version };
  }

  async save(manifest: Manifest, expectedVersion: string | null): Promise<SaveManifestResult> {
    const content = serializeManifest(manifest);
    // Never replace the last good manifest with one that would not load back.
    this.parse(content);
    const result = await this.text.save(content, expectedVersion);
    if (result.ok) return { ok: true, version: result.version };
    // The text store does not say who won; its current version is one cheap read away.
    const current = await this.text.load();
    return { ok: false, conflict: true, currentVersion: current?.version ?? null };
  }
}
