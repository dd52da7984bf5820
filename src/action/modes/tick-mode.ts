import { tick } from '../../app/tick.js';
import { systemClock } from '../../ports/clock.js';
import type { ActionInputs } from '../inputs.js';
import { toOutputs } from '../outputs.js';
import type { ActionRuntime } from '../runtime.js';
import type { Session } from '../session.js';
import { tickOutputs } from '../tick-outputs.js';
import { dryRunNote } from './dry-run-note.js';
import type { RunResult } from './run-result.js';

/** The scheduled tick: observe, diagnose, decide, act, save; the band goes out as outputs. */
export async function runTick(
  session: Session,
  inputs: ActionInputs,
  runtime: ActionRuntime,
): Promise<RunResult> {
  const result = await tick(
    {
      store: session.store,
      scheduler: session.scheduler,
      issues: session.issues,
      dispatcher: session.dispatcher,
      clock: systemClock,
      logger: session.logger,
      // Comments on the dashboard are writes too: a dry run makes none.
      ...(session.dryRun === null ? { conversation: session.conversation } : {}),
    },
    {
      config: session.config,
      relaunchWorkflow: { workflowFile: inputs.relaunchWorkflow, ref: runtime.github.refName || 'main' },
      dashboard: true,
    },
  );
  runtime.info(
    `${session.config.experiment}: ${result.health.band}, ${result.decision} (${result.reasonCode}); next poll in ${result.nextPollSeconds} s${result.changed ? '' : '; no material change'}`,
  );
  const band = result.health.band;
  const annotation =
    band === 'healthy'
      ? []
      : [
          {
            level: band === 'systemic' ? ('error' as const) : ('warning' as const),
            message: `${session.config.experiment} is ${band}: ${result.health.reason}`,
          },
        ];
  return {
    outputs: toOutputs(tickOutputs(result, session.manifestPath)),
    summary: result.summaryMarkdown + dryRunNote(session),
    annotations: annotation,
  };
}
