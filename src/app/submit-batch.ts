/**
 * Submitting conditions without ever submitting one twice: per chunk, the attempts are opened
 * as `submitting` and saved before the scheduler is called, and the job ids are saved after.
 * A crash in between leaves `submitting` attempts, which adopt.ts resolves on the next run.
 * Shared by launch (cycle 0) and relaunch (cycles 1-2).
 */
import type { SweepConfig } from '../config/sweep-config.js';
import type { ConditionId } from '../core/conditions.js';
import type { ConditionRecord, Manifest, ResourcesRequested } from '../core/manifest.js';
import { findCondition } from '../core/manifest-model.js';
import {
  recordSubmitFailed,
  recordSubmitted,
  recordSubmitting,
  type SubmitFailedEntry,
  type SubmittedEntry,
} from '../core/manifest-transitions.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import { type SaveWithRetryOptions, type StateStore, saveWithRetry } from '../ports/state-store.js';
import { manifestJobIds, submitRequestFor } from './job-request.js';

export interface SubmitEntry {
  readonly conditionId: ConditionId;
  readonly cycle: number;
  /** Escalated resources of a relaunch; null: the template's. */
  readonly requested: ResourcesRequested | null;
}

export interface BatchDeps {
  readonly store: StateStore;
  readonly scheduler: Pick<Scheduler, 'submit'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly saveOptions?: SaveWithRetryOptions;
}

export interface BatchOptions {
  /** Conditions opened (and saved) per round; bounds both the saves and a crash's blast radius. */
  readonly chunkSize: number;
  /**
   * Applied before the first chunk's attempts are opened, in the same save: create the manifest,
   * open the relaunch cycle. Must be a function of the manifest it gets (it is re-applied on a
   * conflict) and idempotent.
   */
  readonly prepare?: (current: Manifest | null) => Manifest;
  /** Whether the condition still needs this submission in `current` (another run may have done it). */
  readonly wanted: (condition: ConditionRecord) => boolean;
}

export interface BatchResult {
  readonly submitted: readonly { readonly conditionId: ConditionId; readonly jobId: string }[];
  readonly rejected: readonly { readonly conditionId: ConditionId; readonly message: string }[];
  /** The scheduler call threw: outcome unknown; the attempt stays `submitting` for adoption. */
  readonly interrupted: string | null;
  readonly manifest: Manifest;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function submitBatch(
  deps: BatchDeps,
  config: SweepConfig,
  entries: readonly SubmitEntry[],
  options: BatchOptions,
): Promise<BatchResult> {
  const submitted: { conditionId: ConditionId; jobId: string }[] = [];
  const rejected: { conditionId: ConditionId; message: string }[] = [];
  let interrupted: string | null = null;
  let manifest: Manifest | null = null;
  const parts = chunks(entries, Math.max(1, options.chunkSize));
  if (parts.length === 0 && options.prepare !== undefined) parts.push([]);
  for (const [index, part] of parts.entries()) {
    const now = deps.clock.now().toISOString();
    // Set by the round that saved: only what this run claimed is submitted by it.
    let claimed: SubmitEntry[] = [];
    const opened = await saveWithRetry(
      deps.store,
      (current) => {
        const base = index === 0 && options.prepare ? options.prepare(current) : current;
        if (base === null) throw new Error('the manifest disappeared during the submission');
        claimed = part.filter((e) => {
          const c = findCondition(base, e.conditionId);
          return c !== null && options.wanted(c);
        });
        return claimed.length === 0 ? base : recordSubmitting(base, claimed, now);
      },
      deps.saveOptions,
    );
    manifest = opened.manifest;
    const done: SubmittedEntry[] = [];
    const refused: SubmitFailedEntry[] = [];
    for (const entry of claimed) {
      const condition = findCondition(manifest, entry.conditionId);
      if (condition === null) continue;
      try {
        const result = await deps.scheduler.submit(submitRequestFor(config, condition, entry.requested));
        if (result.ok) {
          done.push({
            conditionId: entry.conditionId,
            jobId: result.jobId,
            stdoutPath: result.stdoutPath,
            stderrPath: result.stderrPath,
            ...(result.imageDigest !== undefined ? { image: result.imageDigest } : {}),
          });
        } else
          refused.push({
            conditionId: entry.conditionId,
            error: result.message,
            rootCause: result.rootCause,
          });
      } catch (error) {
        interrupted = error instanceof Error ? error.message : String(error);
        deps.logger.warning(`submission interrupted at ${entry.conditionId}: ${interrupted}`);
        break;
      }
    }
    const after = deps.clock.now().toISOString();
    const recorded = await saveWithRetry(
      deps.store,
      (current) => {
        if (current === null) throw new Error('the manifest disappeared during the submission');
        const known = manifestJobIds(current);
        const inFlight = (id: ConditionId) =>
          findCondition(current, id)?.attempts.at(-1)?.phase === 'submitting';
        const ok = done.filter((d) => inFlight(d.conditionId) && !known.has(d.jobId));
        const no = refused.filter((r) => inFlight(r.conditionId));
        if (ok.length === 0 && no.length === 0) return current;
        return recordSubmitFailed(recordSubmitted(current, ok, after), no, after);
      },
      deps.saveOptions,
    );
    manifest = recorded.manifest;
    submitted.push(...done.map(({ conditionId, jobId }) => ({ conditionId, jobId })));
    rejected.push(...refused.map(({ conditionId, error }) => ({ conditionId, message: error })));
    deps.logger.info(`submitted ${submitted.length} of ${entries.length} (${rejected.length} rejected)`);
    if (interrupted !== null) break;
  }
  if (manifest === null) {
    const loaded = await deps.store.load();
    if (loaded === null) throw new Error('nothing to submit and no manifest');
    manifest = loaded.manifest;
  }
  return { submitted, rejected, interrupted, manifest };
}
