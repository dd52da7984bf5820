import { existsSync } from 'node:fs';
import { preflightRequestOf } from '../../app/launch.js';
import { preflight, preflightMarkdown } from '../../app/preflight.js';
import type { ActionInputs } from '../inputs.js';
import { toOutputs } from '../outputs.js';
import type { ActionRuntime } from '../runtime.js';
import { sshTarget, type Wiring } from '../session.js';
import type { RunResult } from './run-result.js';

/**
 * Checks the cluster before anything is submitted. With a sweep file it also checks the
 * partitions, accounts, QOS and directories the file names; without one, only the basics
 * (a first contact needs no GitHub and no manifest).
 */
export async function runPreflight(
  inputs: ActionInputs,
  runtime: ActionRuntime,
  wiring: Wiring,
): Promise<RunResult> {
  const config = existsSync(inputs.config) ? await wiring.loadConfig(inputs.config) : null;
  const transport = wiring.createTransport(config === null ? inputs.ssh : sshTarget(inputs, config));
  try {
    const scheduler = wiring.createScheduler(config?.scheduler.kind ?? 'slurm', {
      transport,
      ...(config !== null ? { config } : {}),
    });
    const outcome = await preflight(scheduler, config === null ? {} : preflightRequestOf(config));
    runtime.info(`preflight: ${outcome.reasonCode} (user ${outcome.report.user ?? 'unknown'})`);
    const problems = outcome.report.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    return {
      outputs: toOutputs({
        decision: 'no-intervention',
        reasonCode: outcome.reasonCode,
        details: { preflight: outcome.report },
      }),
      summary: preflightMarkdown(outcome),
      ...(outcome.report.ok ? {} : { failure: `preflight failed: ${problems.join('; ')}` }),
    };
  } finally {
    await transport.close();
  }
}
