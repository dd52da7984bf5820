/**
 * SkyPilot has no log files we could read: logs come from `sky jobs logs`. The port speaks of
 * log paths, so a job's "path" is a reference, `sky-jobs-logs:<id>` (the job's own log) or
 * `sky-jobs-logs:<id>:controller` (its controller's log); readLogTails resolves them. It is
 * the same for stdout and stderr (sky merges them), so the caller asks once per job.
 */

const PREFIX = 'sky-jobs-logs:';
const REF = /^sky-jobs-logs:(\d+)(:controller)?$/;

export type LogKind = 'job' | 'controller';

export function logRef(jobId: string, kind: LogKind = 'job'): string {
  return kind === 'controller' ? `${PREFIX}${jobId}:controller` : `${PREFIX}${jobId}`;
}

export function parseLogRef(path: string): { jobId: string; kind: LogKind } | undefined {
  const m = REF.exec(path);
  if (!m?.[1]) return undefined;
  return { jobId: m[1], kind: m[2] ? 'controller' : 'job' };
}

/** Managed job ids are positive integers; nothing else ever reaches a sky command line. */
export function isSkyJobId(id: string): boolean {
  return /^[1-9]\d{0,17}$/.test(id);
}
