/**
 * preflight(): what a local launch needs. The state directory must be writable (it is the
 * scheduler), the supervisor's program must exist, the job directories must be writable.
 * Without /proc jobs still run but memory limits are not enforced: a warning. Partitions,
 * accounts and QOS mean nothing here: asked for, they are warnings, not errors, so a sweep
 * written for a cluster can still be tried locally.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PreflightProblem, PreflightReport, PreflightRequest } from '../../ports/scheduler.js';
import { errorMessage, removeFile, writeFileAtomic } from './local-layout.js';
import { hasProc } from './local-proc.js';
import { currentUser } from './local-user.js';

export interface PreflightContext {
  readonly stateDir: string;
  readonly supervisorCommand: readonly string[];
}

export function preflightLocal(request: PreflightRequest, ctx: PreflightContext): PreflightReport {
  const problems: PreflightProblem[] = [];
  try {
    mkdirSync(ctx.stateDir, { recursive: true });
    const probe = join(ctx.stateDir, `.preflight-${process.pid}`);
    writeFileAtomic(probe, 'ok\n');
    removeFile(probe);
  } catch (error) {
    problems.push({
      code: 'dir_not_writable',
      severity: 'error',
      subject: ctx.stateDir,
      message: `the local scheduler's state directory is not writable: ${errorMessage(error)}`,
    });
  }
  const program = ctx.supervisorCommand[0] ?? '';
  if (!isExecutable(program)) {
    problems.push({
      code: 'command_missing',
      severity: 'error',
      subject: program,
      message: 'the supervisor program cannot be executed',
    });
  }
  if (!hasProc()) {
    problems.push({
      code: 'command_missing',
      severity: 'warning',
      subject: '/proc',
      message: 'no /proc on this system: memory limits are not enforced and peak memory is not recorded',
    });
  }
  for (const dir of request.writableDirs ?? []) {
    const why = notWritable(dir);
    if (why !== undefined)
      problems.push({ code: 'dir_not_writable', severity: 'error', subject: dir, message: why });
  }
  const ignored = [
    ['partition_unknown', 'partitions', request.partitions],
    ['account_unknown', 'accounts', request.accounts],
    ['qos_unknown', 'QOS', request.qos],
  ] as const;
  for (const [code, what, names] of ignored) {
    for (const name of names ?? []) {
      problems.push({
        code,
        severity: 'warning',
        subject: name,
        message: `the local scheduler has no ${what}; '${name}' is ignored`,
      });
    }
  }
  return {
    ok: !problems.some((p) => p.severity === 'error'),
    user: currentUser().name,
    versions: { node: process.version },
    // The state directory is the accounting: finished jobs stay observable.
    accountingAvailable: true,
    problems,
  };
}

/** A bare name is looked up on PATH by spawn, so only paths are checked. */
function isExecutable(program: string): boolean {
  if (program === '') return false;
  if (!program.includes('/')) return true;
  try {
    accessSync(program, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function notWritable(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}
