/**
 * A child process that runs the Action through main() (real SSH to the lab, real Slurm, the
 * parent's fake GitHub) and freezes at a chosen instant so that the parent can SIGKILL it there:
 *
 *   SWCHILD_CRASH=after-submit:N   right after the cluster accepted the Nth job, before the
 *                                  manifest records it
 *   SWCHILD_CRASH=after-issue      right after GitHub created an issue, before the manifest
 *                                  records it
 *
 * It prints `CHECKPOINT <what>` when it gets there and then waits forever. Run with
 * `node --import tsx test/helpers/reliability/crash-child.ts`; configured by environment:
 * SWCHILD_INPUTS (the Action's inputs, JSON), SWCHILD_SWEEP (the sweep file's path),
 * SWCHILD_API (the fake GitHub's URL), SWCHILD_REPO (owner/repo), SWCHILD_MODE.
 */

import type { ActionRuntime } from '../../../src/action/runtime.js';
import { DEFAULT_WIRING } from '../../../src/action/session.js';
import { createGitHubAdapters } from '../../../src/adapters/github/index.js';
import { loadSweepConfig } from '../../../src/config/sweep-config.js';
import { run, type Wiring } from '../../../src/main.js';
import type { Scheduler } from '../../../src/ports/scheduler.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const inputs = JSON.parse(env('SWCHILD_INPUTS')) as Record<string, string>;
const crash = env('SWCHILD_CRASH');
const freeze = (what: string): Promise<never> => {
  process.stdout.write(`CHECKPOINT ${what}\n`);
  return new Promise<never>(() => {});
};

function crashingScheduler(inner: Scheduler): Scheduler {
  const at = /^after-submit:(\d+)$/.exec(crash)?.[1];
  if (at === undefined) return inner;
  let accepted = 0;
  return {
    observe: (ids) => inner.observe(ids),
    cancel: (ids, scope) => inner.cancel(ids, scope),
    readLogTails: (r, max) => inner.readLogTails(r, max),
    preflight: (r) => inner.preflight(r),
    findByName: (p) => inner.findByName(p),
    async submit(request) {
      const result = await inner.submit(request);
      if (result.ok && ++accepted === Number(at)) await freeze(`submitted ${result.jobId}`);
      return result;
    },
  };
}

const wiring: Wiring = {
  ...DEFAULT_WIRING,
  createScheduler: (name, context) => crashingScheduler(DEFAULT_WIRING.createScheduler(name, context)),
  createGitHub: (options) => {
    const adapters = createGitHubAdapters({
      ...options,
      writeSpacingMs: 0,
      notificationSpacingMs: 0,
      msPerSecond: 5,
    });
    if (crash !== 'after-issue') return adapters;
    const issues = adapters.issues;
    const ensureIssue: typeof issues.ensureIssue = async (spec) => {
      const ensured = await issues.ensureIssue(spec);
      if (ensured.outcome === 'created') await freeze(`issue ${ensured.issue.number}`);
      return ensured;
    };
    // The tracker is also the session's conversation (replies, reactions): only ensureIssue is
    // overridden, every other method is inherited from the real one.
    return { ...adapters, issues: Object.assign(Object.create(issues) as typeof issues, { ensureIssue }) };
  },
  loadConfig: () => loadSweepConfig(env('SWCHILD_SWEEP')),
};

const runtime: ActionRuntime = {
  getInput: (name) => inputs[name] ?? '',
  setSecret: () => {},
  setOutput: () => {},
  setFailed: (message) => {
    process.stdout.write(`FAILED ${message}\n`);
    process.exitCode = 1;
  },
  info: (message) => process.stdout.write(`${message}\n`),
  warning: (message) => process.stdout.write(`warning: ${message}\n`),
  error: (message) => process.stdout.write(`error: ${message}\n`),
  appendSummary: async () => {},
  eventName: 'schedule',
  readEvent: () => ({}),
  github: {
    repository: env('SWCHILD_REPO'),
    apiUrl: env('SWCHILD_API'),
    sha: 'c0ffee',
    actor: 'alice',
    refName: 'main',
  },
};

await run(runtime, wiring);
process.stdout.write('DONE\n');
