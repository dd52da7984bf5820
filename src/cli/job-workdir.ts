import { resolve } from 'node:path';
import type { Scheduler } from '../ports/scheduler.js';

/**
 * Local jobs run in the sweep's working directory (--workdir), whatever the CLI's own current
 * directory is: a relative `workdir:` in the sweep file, or none, is taken from there, as
 * sbatch takes it from where it is called.
 */
export function inWorkdir(inner: Scheduler, workdir: string): Scheduler {
  return {
    observe: (ids) => inner.observe(ids),
    readLogTails: (requests, max) => inner.readLogTails(requests, max),
    preflight: (request) => inner.preflight(request),
    findByName: (prefix) => inner.findByName(prefix),
    cancel: (ids, scope) => inner.cancel(ids, scope),
    submit: (request) => inner.submit({ ...request, workdir: resolve(workdir, request.workdir ?? '.') }),
  };
}
