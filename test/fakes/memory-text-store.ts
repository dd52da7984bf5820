/** An in-memory TextStore (the GitHub state branch's port) with compare-and-swap on a counter. */
import type { SaveResult, TextStore, VersionedText } from '../../src/ports/text-store.js';

export interface MemoryTextStore extends TextStore {
  content: string | null;
  version: number;
  /** Runs once before the next save: another writer's chance to win the race. */
  beforeSave: (() => void) | null;
}

export function createMemoryTextStore(content: string | null = null): MemoryTextStore {
  const store = {
    content,
    version: content === null ? 0 : 1,
    beforeSave: null as (() => void) | null,
    async load(): Promise<VersionedText | null> {
      return store.content === null ? null : { content: store.content, version: `v${store.version}` };
    },
    async save(next: string, expectedVersion: string | null): Promise<SaveResult> {
      const hook = store.beforeSave;
      store.beforeSave = null;
      hook?.();
      const current = store.content === null ? null : `v${store.version}`;
      if (current !== expectedVersion) return { ok: false, conflict: true };
      store.content = next;
      store.version++;
      return { ok: true, version: `v${store.version}` };
    },
  } satisfies MemoryTextStore;
  return store;
}
