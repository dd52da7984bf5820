import { createCommandHandlers } from '../../app/command-handlers.js';
import { handleComment } from '../../app/comment.js';
import { systemClock } from '../../ports/clock.js';
import type { ActionInputs } from '../inputs.js';
import { toOutputs } from '../outputs.js';
import type { ActionRuntime } from '../runtime.js';
import type { Session } from '../session.js';
import type { Trigger } from '../trigger.js';
import type { RunResult } from './run-result.js';

/**
 * A `/sweepwatch …` comment: the permission gate, the reactions and the reply are handleComment's;
 * the commands run over the same use cases as the tick. Refusals are answered on the comment
 * and are not failures of the run; a command that broke is.
 */
export async function runComment(
  session: Session,
  trigger: Trigger,
  inputs: ActionInputs,
  runtime: ActionRuntime,
): Promise<RunResult> {
  if (trigger.kind !== 'comment') throw new Error('mode comment runs on issue_comment events');
  const relaunchWorkflow = { workflowFile: inputs.relaunchWorkflow, ref: runtime.github.refName || 'main' };
  const handlers = createCommandHandlers(
    {
      store: session.store,
      scheduler: session.scheduler,
      dispatcher: session.dispatcher,
      issues: session.issues,
      clock: systemClock,
      logger: session.logger,
    },
    { config: session.config, relaunchWorkflow },
  );
  const outcome = await handleComment(trigger, {
    conversation: session.conversation,
    permissions: session.permissions,
    handlers,
    factorNames: session.config.factors.map((f) => f.name),
  });
  runtime.info(`comment by ${outcome.author}: ${outcome.reasonCode}`);
  return {
    outputs: toOutputs({
      decision: 'no-intervention',
      reasonCode: outcome.reasonCode,
      manifestPath: session.manifestPath,
      details: {
        author: outcome.author,
        permission: outcome.permission ?? null,
        command: outcome.command?.verb ?? null,
      },
    }),
    summary: `## sweepwatch command\n\n\`${outcome.reasonCode}\` (from ${outcome.author})\n`,
    ...(outcome.reasonCode === 'command_failed'
      ? { failure: `the command failed: ${outcome.failure ?? ''}` }
      : {}),
  };
}
