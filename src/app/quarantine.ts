/**
 * Moving a failed attempt's partial outputs aside before its condition is relaunched, so the
 * new attempt neither resumes from them nor is judged by them (the outputs check would find a
 * stale file and call a failed run a success). Nothing is deleted: a person may want them.
 */
import { renderJob } from '../config/render-job.js';
import type { SweepConfig } from '../config/sweep-config.js';
import type { ConditionRecord } from '../core/manifest.js';
import type { ClusterFiles } from '../ports/cluster-files.js';

export interface Quarantined {
  readonly moved: readonly { readonly conditionId: string; readonly paths: readonly string[] }[];
  /** Set when outputs exist in the template but nothing could move them. */
  readonly note: string | null;
}

/** Where a condition's outputs of one attempt go: beside its working directory, by attempt. */
export function quarantineDir(config: SweepConfig, c: ConditionRecord, attemptIndex: number): string {
  const job = renderJob(config, c);
  const root = job.workdir ?? '.';
  return `${root}/.sweepwatch-quarantine/${c.jobName}/attempt-${attemptIndex}`;
}

function outputPaths(config: SweepConfig, c: ConditionRecord): string[] {
  const job = renderJob(config, c);
  return job.expectedOutputs.map((p) =>
    p.startsWith('/') || job.workdir === null ? p : `${job.workdir}/${p}`,
  );
}

/**
 * Moves the outputs of each condition's latest (failed) attempt. Throws when a move fails: the
 * relaunch must not start on a half-cleaned slate.
 */
export async function quarantineOutputs(
  files: ClusterFiles | undefined,
  config: SweepConfig,
  conditions: readonly ConditionRecord[],
): Promise<Quarantined> {
  if (config.outputs.expected.length === 0 || conditions.length === 0) return { moved: [], note: null };
  if (files === undefined) {
    return {
      moved: [],
      note: 'partial outputs were not moved aside: no cluster file access is configured for this scheduler',
    };
  }
  const moved: { conditionId: string; paths: string[] }[] = [];
  for (const c of conditions) {
    const result = await files.quarantine(
      outputPaths(config, c),
      quarantineDir(config, c, c.attempts.length - 1),
    );
    if (result.moved.length > 0) moved.push({ conditionId: c.id, paths: [...result.moved] });
  }
  return { moved, note: null };
}
