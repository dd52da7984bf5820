/**
 * submit(): check the task YAML (task-check.ts, cached), then ONE remote call that re-checks
 * its digest and runs `sky jobs launch … -y -d` as an argv. A refusal by sky is
 * `submission_rejected` with sky's own words, or `provisioning` when those words say no cloud
 * could provide the resources (judged by the same rules as a failed job's log, so the same
 * evidence gets the same root cause). Exit 0 without a job id leaves it unknown whether a job
 * exists: that is thrown (SchedulerError), so the caller adopts by name instead of launching twice.
 */
import { classify } from '../../core/root-cause.js';
import { SchedulerError, type SubmitRequest, type SubmitResult } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { clip } from '../slurm/fields.js';
import { buildLaunchArgs, launchRejection, parseLaunchJobId, taskSource } from './launch.js';
import { logRef } from './log-refs.js';
import type { SkyResourceDefaults } from './resource-defaults.js';
import { parseFramed, SKY_PRELUDE } from './script.js';
import { DIGEST_FN, type TaskChecks } from './task-check.js';

/** $1 nonce, $2 workdir ('' = none), $3 the YAML, $4 its checked sha256, then the sky argv. */
export const LAUNCH_SCRIPT = `${SKY_PRELUDE}
${DIGEST_FN}
wd=$2
f=$3
want=$4
shift 4
if [ -n "$wd" ] && ! cd -- "$wd" 2>/dev/null; then meta error "cannot enter the workdir"; finish; exit 0; fi
got=$(digest "$f")
if [ "$got" != "$want" ]; then meta changed "$got"; finish; exit 0; fi
run launch 0 "$@"
finish
`;

export interface SubmitContext {
  readonly transport: Transport;
  readonly checks: TaskChecks;
  readonly skyCommand: readonly string[];
  readonly taskYaml: string | undefined;
  readonly defaults: SkyResourceDefaults;
  readonly timeoutMs: number;
  readonly nonce: () => string;
}

const rejected = (message: string): SubmitResult => ({
  ok: false,
  rootCause: 'submission_rejected',
  message,
});

/** sky refused the launch: a provisioning failure when its output says so, else a rejection. */
function refusedBySky(stdout: string, stderr: string, rc: number): SubmitResult {
  const message = launchRejection(stdout, stderr, rc);
  const verdict = classify({ log: `${stdout}\n${stderr}`, schedulerState: null, exitCode: rc });
  return verdict.rootCause === 'provisioning'
    ? { ok: false, rootCause: 'provisioning', message }
    : rejected(message);
}

export async function submitJob(ctx: SubmitContext, req: SubmitRequest): Promise<SubmitResult> {
  const source = taskSource(req, ctx.taskYaml);
  if (typeof source === 'string') return rejected(`refused before launch: ${source}`);
  const workdir = req.workdir ?? '';
  // The file may change between the check and the launch: re-check once, then give up.
  for (let attempt = 0; attempt < 2; attempt++) {
    const { check, digest } = await ctx.checks.get(workdir, source.yaml);
    if (!check.ok) return rejected(`refused before launch: ${check.message}`);
    const args = buildLaunchArgs(req, source, check, ctx.defaults);
    if (typeof args === 'string') return rejected(`refused before launch: ${args}`);
    const nonce = ctx.nonce();
    const argv = ['sh', '-c', LAUNCH_SCRIPT, 'sweepwatch-sky-launch', nonce, workdir, source.yaml, digest];
    // A TransportError propagates: whether sky launched is then unknown (adoption tells).
    const out = await ctx.transport.exec([...argv, ...ctx.skyCommand, ...args], { timeoutMs: ctx.timeoutMs });
    const framed = parseFramed(out.stdout, out.stderr, nonce);
    if (framed.meta.has('changed')) {
      ctx.checks.forget(workdir, source.yaml);
      continue;
    }
    const error = framed.meta.get('error');
    if (error !== undefined) return rejected(`refused before launch: ${source.yaml}: ${error}`);
    const launch = framed.sections.find((s) => s.source === 'launch');
    if (!launch || launch.rc === null) {
      throw new SchedulerError(
        'sky',
        `sky jobs launch did not finish (${clip(out.stderr.trim()) || 'no output'}); adopt by name`,
      );
    }
    const stdout = launch.lines.join('\n');
    if (launch.rc !== 0) return refusedBySky(stdout, launch.stderr, launch.rc);
    const jobId = parseLaunchJobId(stdout, launch.stderr);
    if (jobId === undefined) {
      throw new SchedulerError(
        'sky',
        `sky jobs launch exited 0 but printed no job id for ${req.name}; adopt by name`,
      );
    }
    const ref = logRef(jobId);
    return {
      ok: true,
      jobId,
      stdoutPath: ref,
      stderrPath: ref,
      ...(check.imageDigest !== undefined ? { imageDigest: check.imageDigest } : {}),
    };
  }
  return rejected(`refused before launch: ${source.yaml} changed while it was being checked; try again`);
}
