/**
 * From a condition of the sweep to what the scheduler is asked: the rendered job (config),
 * the resources (template, or the relaunch plan's escalation), and the sweep's name scope.
 */
import { renderJob } from '../config/render-job.js';
import type { Resources, SweepConfig } from '../config/sweep-config.js';
import { type Condition, jobName } from '../core/conditions.js';
import type { Manifest } from '../core/manifest.js';
import type { ResourcesRequested } from '../core/manifest-model.js';
import { isTerminal } from '../core/types.js';
import type { CancelScope, SubmitRequest, SubmitResources } from '../ports/scheduler.js';

/**
 * `sw-<experiment>-`: every job name of the sweep starts with it (see conditions.jobName), so
 * adoption and cancels can be scoped to it. Derived from jobName itself rather than repeating
 * its rule, so the two cannot drift apart.
 */
export function sweepNamePrefix(experiment: string): string {
  return jobName(experiment, '').replace(/[0-9a-f]{8}$/, '');
}

/** `a100:2` → 2. The port carries a count only; the type stays in the template's constraint. */
function gpuCount(gpus: Resources['gpus']): number | undefined {
  if (gpus === null) return undefined;
  if (typeof gpus === 'number') return gpus > 0 ? gpus : undefined;
  const count = Number(gpus.split(':').at(-1));
  return Number.isInteger(count) && count > 0 ? count : undefined;
}

function submitResources(r: Resources, override: ResourcesRequested | null): SubmitResources {
  const timeMinutes = override?.timeMinutes ?? r.timeMinutes;
  const memMb = override?.memoryMb ?? r.memoryMb;
  const gpus = gpuCount(r.gpus);
  return {
    ...(timeMinutes !== null ? { timeMinutes } : {}),
    ...(memMb !== null ? { memMb } : {}),
    ...(r.cpus !== null ? { cpusPerTask: r.cpus } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(r.partition !== null ? { partition: r.partition } : {}),
    ...(r.account !== null ? { account: r.account } : {}),
    ...(r.qos !== null ? { qos: r.qos } : {}),
    ...(r.constraint !== null ? { constraint: r.constraint } : {}),
  };
}

/** The scheduler request of one condition; `override` carries a relaunch's escalated resources. */
export function submitRequestFor(
  config: SweepConfig,
  condition: Condition,
  override: ResourcesRequested | null = null,
): SubmitRequest {
  const job = renderJob(config, condition);
  const [first, ...rest] = job.argv;
  // A script command stays a script (its #SBATCH lines apply); an argv is wrapped.
  const command =
    config.template.command.kind === 'script' && first !== undefined
      ? { kind: 'script' as const, path: first, args: rest }
      : { kind: 'argv' as const, argv: job.argv };
  const logs =
    job.logDir === null
      ? {}
      : { stdout: `${job.logDir}/${job.jobName}-%j.out`, stderr: `${job.logDir}/${job.jobName}-%j.err` };
  return {
    name: job.jobName,
    command,
    ...(job.workdir !== null ? { workdir: job.workdir } : {}),
    ...logs,
    resources: submitResources(job.resources, override),
    ...(Object.keys(job.env).length > 0 ? { env: job.env } : {}),
  };
}

/** Every job id the manifest has ever recorded: the outer bound of what may be cancelled. */
export function manifestJobIds(m: Manifest): Set<string> {
  const ids = new Set<string>();
  for (const c of m.conditions) for (const a of c.attempts) if (a.jobId !== null) ids.add(a.jobId);
  return ids;
}

/** Those of `wanted` that are job ids of the manifest, in `wanted`'s order (no set of all ids). */
export function inManifest(m: Manifest, wanted: readonly string[]): string[] {
  if (wanted.length === 0) return [];
  const asked = new Set(wanted);
  const found = new Set<string>();
  for (const c of m.conditions)
    for (const a of c.attempts) if (a.jobId !== null && asked.has(a.jobId)) found.add(a.jobId);
  return wanted.filter((id) => found.has(id));
}

/**
 * What a cancel may touch: the manifest's jobs (or `among`, when the caller already kept only
 * manifest jobs: a tick's few cancels need no set of a large sweep's every id), named as ours.
 */
export function cancelScope(m: Manifest, among?: readonly string[]): CancelScope {
  return { jobIds: among ?? manifestJobIds(m), namePrefix: sweepNamePrefix(m.experiment) };
}

/** Ids of submitted attempts not known to be terminal: what a tick observes. */
export function liveJobIds(m: Manifest): string[] {
  const ids: string[] = [];
  for (const c of m.conditions) {
    for (const a of c.attempts) {
      if (a.phase === 'submitted' && a.jobId !== null && (a.state === null || !isTerminal(a.state)))
        ids.push(a.jobId);
    }
  }
  return ids;
}
