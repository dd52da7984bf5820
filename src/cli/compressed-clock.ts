import type { Scheduler } from '../ports/scheduler.js';

/**
 * The demo's compressed clock: a sweep file's time limits are whole minutes, which would make
 * a demo of a timeout and its escalated relaunch last minutes. Under this decorator one
 * minute of the sweep file lasts `secondsPerMinute` seconds of wall time for the local
 * backend's limit; the manifest and the report keep the sweep file's minutes. Only
 * `sweepwatch demo` uses it, and it says so in its output.
 */
export function compressTime(inner: Scheduler, secondsPerMinute: number): Scheduler {
  const factor = secondsPerMinute / 60;
  return {
    observe: (ids) => inner.observe(ids),
    readLogTails: (requests, max) => inner.readLogTails(requests, max),
    preflight: (request) => inner.preflight(request),
    findByName: (prefix) => inner.findByName(prefix),
    cancel: (ids, scope) => inner.cancel(ids, scope),
    submit: (request) => {
      const minutes = request.resources?.timeMinutes;
      if (minutes === undefined) return inner.submit(request);
      return inner.submit({ ...request, resources: { ...request.resources, timeMinutes: minutes * factor } });
    },
  };
}
