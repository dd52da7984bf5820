/**
 * Suite 5: manifest size and FileStateStore load/save. A sweep of `size` conditions goes
 * through three cycles with the real transitions: launch, every job observed failed and
 * classified from a real log excerpt, relaunch cycle 1 likewise, cycle 2 completed. That is
 * 3 attempts per condition with states, exits, times, nodes and classifications (interned).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../src/adapters/local/file-state-store.js';
import { type Manifest, serializeManifest } from '../../src/core/manifest.js';
import {
  applyObservations,
  recordClassification,
  recordRelaunchCycle,
  recordSubmitted,
  recordSubmitting,
} from '../../src/core/manifest-transitions.js';
import { classify } from '../../src/core/root-cause.js';
import type { JobObservation } from '../../src/core/types.js';
import { excerptFor } from '../sim/logs.js';
import { buildSweep, mix } from '../sim/sweep.js';
import { median } from '../support/stats.js';

export interface ManifestResult {
  readonly conditions: number;
  readonly attempts: number;
  readonly bytes: number;
  readonly bytesPerAttempt: number;
  /** Medians over `repeats` rounds, ms. */
  readonly loadMs: number;
  readonly saveMs: number;
  readonly repeats: number;
}

const STATES = ['FAILED', 'OUT_OF_MEMORY', 'TIMEOUT'] as const;

/** Every attempt of `cycle` observed ended (failed, or completed in the last cycle) and diagnosed. */
function finishCycle(m: Manifest, cycle: number, last: boolean, at: string): Manifest {
  const ended = Date.parse(at);
  const observations: JobObservation[] = [];
  for (const [i, c] of m.conditions.entries()) {
    const a = c.attempts[cycle];
    if (a?.jobId == null) continue;
    const seed = mix(i, 10 + cycle);
    const state = last ? 'COMPLETED' : (STATES[seed % STATES.length] ?? 'FAILED');
    const elapsed = 600 + (seed % 20_000);
    observations.push({
      jobId: a.jobId,
      state,
      rawState: state,
      source: 'sacct',
      exit: state === 'FAILED' ? { code: 1, signal: null } : { code: 0, signal: null },
      startedAt: new Date(ended - elapsed * 1000).toISOString(),
      endedAt: at,
      elapsedSeconds: elapsed,
      nodes: `gpu-a${String(seed % 64).padStart(3, '0')}`,
    });
  }
  const seen = applyObservations(m, observations, at);
  const byJob = new Map(observations.map((o) => [o.jobId, o]));
  const entries = seen.newlyFailed.map((ref, k) => {
    const a = seen.manifest.conditions.find((c) => c.id === ref.conditionId)?.attempts[ref.attempt];
    const state = byJob.get(a?.jobId ?? '')?.state ?? 'FAILED';
    const log = excerptFor(state, mix(k, 20 + cycle)).log;
    return {
      ref,
      classification: classify({ log, schedulerState: state, exitCode: state === 'FAILED' ? '1:0' : '0:0' }),
    };
  });
  return entries.length > 0 ? recordClassification(seen.manifest, entries) : seen.manifest;
}

export function threeAttemptManifest(size: number): Manifest {
  const sweep = buildSweep(size);
  let m = finishCycle(sweep.launched, 0, false, '2026-11-26T09:00:00Z');
  for (const cycle of [1, 2]) {
    const at = `2026-11-2${6 + cycle}T06:00:00Z`;
    m = recordRelaunchCycle(m, {
      digest: `git:${cycle}111111`,
      reason: 'systemic_root_cause',
      requestedBy: 'sweepwatch',
      at,
    });
    m = recordSubmitting(
      m,
      m.conditions.map((c) => ({
        conditionId: c.id,
        cycle,
        requested: { memoryMb: 32_768 * 2 ** cycle, timeMinutes: null },
      })),
      at,
    );
    m = recordSubmitted(
      m,
      m.conditions.map((c, i) => {
        const id = String(6_000_000 * cycle + i);
        const out = `/scratch/alice/logs/${c.jobName}-${id}`;
        return { conditionId: c.id, jobId: id, stdoutPath: `${out}.out`, stderrPath: `${out}.err` };
      }),
      at,
    );
    m = finishCycle(m, cycle, cycle === 2, at.replace('T06', 'T09'));
  }
  return m;
}

export async function runManifest(size: number, repeats: number): Promise<ManifestResult> {
  const m = threeAttemptManifest(size);
  const attempts = m.conditions.reduce((n, c) => n + c.attempts.length, 0);
  const bytes = Buffer.byteLength(serializeManifest(m));
  const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-bench-manifest-'));
  try {
    const store = new FileStateStore({ path: join(dir, 'bench.json'), experiment: m.experiment });
    let version: string | null = null;
    const loads: number[] = [];
    const saves: number[] = [];
    for (let i = 0; i < repeats; i++) {
      let t = performance.now();
      const saved = await store.save(m, version);
      saves.push(performance.now() - t);
      if (!saved.ok) throw new Error('manifest bench: unexpected save conflict');
      version = saved.version;
      t = performance.now();
      await store.load();
      loads.push(performance.now() - t);
    }
    return {
      conditions: m.conditions.length,
      attempts,
      bytes,
      bytesPerAttempt: bytes / attempts,
      loadMs: median(loads),
      saveMs: median(saves),
      repeats,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
