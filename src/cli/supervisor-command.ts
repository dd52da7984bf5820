/**
 * How the local backend starts a job's supervisor: this very CLI, with the hidden
 * `__supervise <jobDir>` command. From the bundle that is `node dist/cli/index.js`; from
 * source (tests, `node --import tsx src/cli/index.ts`) the TypeScript entry under tsx. The
 * supervisor inherits this process's working directory, where tsx resolved for us already.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUPERVISE_COMMAND = '__supervise';

export function supervisorCommand(moduleUrl: string = import.meta.url): readonly string[] {
  const file = fileURLToPath(moduleUrl);
  // In the bundle every module is the one file dist/cli/index.js, so this file *is* the entry.
  if (file.endsWith('.js')) return [process.execPath, file, SUPERVISE_COMMAND];
  return [process.execPath, '--import', 'tsx', join(dirname(file), 'index.ts'), SUPERVISE_COMMAND];
}

/** How a person reruns this very CLI from `cwd`, for the report's runbook. */
export function commandLine(cwd: string, moduleUrl: string = import.meta.url): string {
  const [, ...args] = supervisorCommand(moduleUrl);
  const entry = args.slice(0, -1).map((a) => (a.startsWith('/') ? relative(cwd, a) || a : a));
  return ['node', ...entry].join(' ');
}
