import { launch } from '../../app/launch.js';
import { systemClock } from '../../ports/clock.js';
import { toOutputs } from '../outputs.js';
import type { ActionRuntime } from '../runtime.js';
import type { Session } from '../session.js';
import { dryRunNote } from './dry-run-note.js';
import type { RunResult } from './run-result.js';

/** Refusals that must turn the step red: nothing (or not everything) was submitted. */
const FAILING = new Set(['preflight_failed', 'sweep_changed', 'submission_rejected', 'submit_interrupted']);

/** Launches every condition that has no attempt yet; safe to run twice. */
export async function runLaunch(session: Session, runtime: ActionRuntime): Promise<RunResult> {
  const result = await launch(
    { store: session.store, scheduler: session.scheduler, clock: systemClock, logger: session.logger },
    {
      config: session.config,
      digest: runtime.github.sha || 'unknown',
      requestedBy: runtime.github.actor || 'github-actions',
    },
  );
  runtime.info(`launch: ${result.reasonCode}: ${result.reason}`);
  return {
    outputs: toOutputs({
      decision: 'no-intervention',
      reasonCode: result.reasonCode,
      manifestPath: session.manifestPath,
      details: {
        submitted: result.submitted,
        adopted: result.adopted,
        rejected: result.rejected,
        skipped: result.skipped,
      },
    }),
    summary: result.summaryMarkdown + dryRunNote(session),
    ...(FAILING.has(result.reasonCode) ? { failure: `launch: ${result.reason}` } : {}),
  };
}
