/**
 * preflight(): before anything launches. One call for the host (the remote user, that sky is
 * there and its version, writable directories), then the task YAML check (task-check.ts,
 * cached for the launches): a task that does not pin a container image is an error naming the
 * file and the key. Slurm's partitions, accounts and QOS mean nothing to SkyPilot: named, they
 * are reported as ignored.
 *
 * The port has no problem code for a task file; its problems use `query_failed` with the file
 * and key as the subject (see the report: the port should grow `task_invalid`).
 */
import type { PreflightProblem, PreflightReport, PreflightRequest } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { clip } from '../slurm/fields.js';
import { parseSkyVersion } from './dialects.js';
import { parseFramed, SKY_PRELUDE } from './script.js';
import type { TaskChecks } from './task-check.js';

/** $1 nonce, $2 n, then n directories, then the sky argv. */
export const PREFLIGHT_SCRIPT = `${SKY_PRELUDE}
n=$2
shift 2
begin dirs 0
i=0
while [ "$i" -lt "$n" ]; do
  d=$1
  shift
  if [ -d "$d" ] && [ -w "$d" ]; then echo "$i ok"; elif [ -e "$d" ]; then echo "$i not_writable"; else echo "$i missing"; fi
  i=$((i + 1))
done
end dirs 0 0
if command -v "$1" >/dev/null 2>&1; then meta found 1; run version 0 "$@" --version; fi
finish
`;

export interface PreflightContext {
  readonly transport: Transport;
  readonly skyCommand: readonly string[];
  readonly taskYaml: string | undefined;
  /** Where a relative task YAML is read ('' = the login directory), as at launch. */
  readonly workdir: string;
  readonly checks: TaskChecks;
  readonly nonce: string;
  readonly timeoutMs: number;
}

export async function runSkyPreflight(
  ctx: PreflightContext,
  request: PreflightRequest,
): Promise<PreflightReport> {
  const dirs = [...(request.writableDirs ?? [])];
  const argv = [
    'sh',
    '-c',
    PREFLIGHT_SCRIPT,
    'sweepwatch-sky-preflight',
    ctx.nonce,
    String(dirs.length),
    ...dirs,
    ...ctx.skyCommand,
  ];
  const out = await ctx.transport.exec(argv, { timeoutMs: ctx.timeoutMs });
  const framed = parseFramed(out.stdout, out.stderr, ctx.nonce);
  const problems: PreflightProblem[] = [];
  const user = framed.meta.get('user') ?? null;
  if (user === null) {
    const why = framed.meta.get('error') ?? (out.stderr.trim().split('\n')[0] || 'no answer');
    problems.push({ code: 'user_unknown', severity: 'error', subject: 'id -un', message: clip(why) });
  }

  const sky = ctx.skyCommand.join(' ');
  let version: string | null = null;
  const v = framed.sections.find((s) => s.source === 'version');
  if (!framed.meta.has('found')) {
    problems.push({
      code: 'command_missing',
      severity: 'error',
      subject: sky,
      message: `${sky} is not on the remote PATH`,
    });
  } else if (v?.rc !== 0) {
    const why = v?.stderr.trim().split('\n').pop() ?? 'no answer';
    problems.push({
      code: 'query_failed',
      severity: 'error',
      subject: `${sky} --version`,
      message: clip(why),
    });
  } else {
    version = parseSkyVersion(v.lines.join('\n')) ?? v.lines.find((l) => l.trim() !== '')?.trim() ?? null;
  }

  const verdicts = framed.sections.find((s) => s.source === 'dirs')?.lines ?? [];
  dirs.forEach((dir, i) => {
    const verdict = verdicts.find((l) => l.startsWith(`${i} `))?.slice(String(i).length + 1) ?? 'unchecked';
    if (verdict === 'ok') return;
    const why =
      verdict === 'missing'
        ? 'does not exist'
        : verdict === 'not_writable'
          ? 'is not a writable directory'
          : 'could not be checked';
    problems.push({
      code: 'dir_not_writable',
      severity: 'error',
      subject: dir,
      message: `${dir} ${why} for ${user ?? 'the remote user'}`,
    });
  });

  for (const [code, names] of [
    ['partition_unknown', request.partitions],
    ['account_unknown', request.accounts],
    ['qos_unknown', request.qos],
  ] as const) {
    for (const name of names ?? []) {
      problems.push({
        code,
        severity: 'warning',
        subject: name,
        message: `'${name}' is a Slurm setting; SkyPilot ignores it`,
      });
    }
  }

  if (ctx.taskYaml !== undefined && ctx.taskYaml !== '') {
    const { check } = await ctx.checks.get(ctx.workdir, ctx.taskYaml);
    if (!check.ok) {
      problems.push({
        code: 'query_failed',
        severity: 'error',
        subject: `${check.file}: ${check.key}`,
        message: check.message,
      });
    } else {
      for (const w of check.warnings)
        problems.push({ code: 'query_failed', severity: 'warning', subject: check.file, message: w });
    }
  }

  return {
    ok: !problems.some((p) => p.severity === 'error'),
    user,
    versions: { sky: version },
    // SkyPilot keeps finished managed jobs in its own queue: there is no separate accounting.
    accountingAvailable: true,
    problems,
  };
}
