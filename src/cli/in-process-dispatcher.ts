/**
 * Relaunches without GitHub. A tick "dispatches" the relaunch workflow through the
 * WorkflowDispatcher port; here that only queues the payload, and the CLI runs the relaunch
 * use case on it in this process once the tick has saved the manifest. Running it inside the
 * tick would nest a second writer inside the tick's own save; after it, each use case keeps
 * its compare-and-swap save to itself, exactly as the workflow run does on GitHub.
 */
import { parsePayload, type RelaunchPayload } from '../app/relaunch-payload.js';
import type { RelaunchWorkflow } from '../app/tick.js';
import type { DispatchedRun, WorkflowDispatcher } from '../ports/workflow-dispatcher.js';

/** What the tick is told it dispatched to: nothing is looked up by these names. */
export const IN_PROCESS_WORKFLOW: RelaunchWorkflow = { workflowFile: 'in-process', ref: 'local' };

export class InProcessDispatcher implements WorkflowDispatcher {
  private queue: RelaunchPayload[] = [];

  async dispatch(
    _workflowFile: string,
    _ref: string,
    inputs: Readonly<Record<string, string>>,
  ): Promise<DispatchedRun> {
    // The same parse as the workflow run's: a payload that would be refused there is refused here.
    this.queue.push(parsePayload(inputs.payload ?? ''));
    return { runId: null, runUrl: null, htmlUrl: null };
  }

  /** The payloads dispatched since the last take, oldest first. */
  take(): RelaunchPayload[] {
    const taken = this.queue;
    this.queue = [];
    return taken;
  }
}
