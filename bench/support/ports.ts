/** The in-memory ports the benchmarks tick with, where the port itself is not what is measured. */
import type { Manifest } from '../../src/core/manifest.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { createFakeDispatcher, createFakeIssues } from '../../test/fakes/fake-ports.js';

/** Holds the manifest object: serialization is measured on its own (suite 5), not in every tick. */
export function objectStore(initial: Manifest): StateStore {
  let current = { manifest: initial, version: '0' };
  return {
    load: async () => current,
    save: async (manifest, expected) => {
      if (expected !== current.version) return { ok: false, conflict: true, currentVersion: current.version };
      current = { manifest, version: String(Number(current.version) + 1) };
      return { ok: true, version: current.version };
    },
  };
}

/** Issues, dispatcher and a clock pinned at `now`, plus saves that never back off. */
export function quietPorts(now: string) {
  return {
    issues: createFakeIssues(),
    dispatcher: createFakeDispatcher(),
    clock: { now: () => new Date(now) },
    saveOptions: { sleep: async () => {} },
  };
}

export interface ObservingScheduler
  extends Pick<Scheduler, 'prepare' | 'observe' | 'readLogTails' | 'cancel'> {
  /** Jobs the tick asked to cancel (kill switch, hard stops); none was sent. */
  readonly cancelRequests: string[];
}

/**
 * The scheduler without its acting half: cancels are recorded, never sent. A benchmark must not
 * cancel its own lab jobs between measurements, and what is compared with the floor is the
 * tick's observing and deciding, the same every time.
 */
export function observingOnly(scheduler: Scheduler): ObservingScheduler {
  const cancelRequests: string[] = [];
  return {
    cancelRequests,
    prepare: () => scheduler.prepare?.(),
    observe: (ids) => scheduler.observe(ids),
    readLogTails: (requests, max) => scheduler.readLogTails(requests, max),
    cancel: async (ids) => {
      cancelRequests.push(...ids);
      return { cancelled: [], refused: [] };
    },
  };
}
