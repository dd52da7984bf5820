import type { DispatchedRun, WorkflowDispatcher } from '../../ports/workflow-dispatcher.js';
import type { GitHubRepo } from './octokit.js';

/** GitHub's cap on workflow_dispatch inputs; more is a 422, so fail before sending. */
const MAX_INPUTS = 25;

/**
 * WorkflowDispatcher through POST /actions/workflows/{file}/dispatches, asking for run details
 * (`return_run_details`): GitHub.com answers 200 with the run id and URLs, servers that predate
 * it ignore the field and answer 204, which yields nulls.
 */
export class GitHubWorkflowDispatcher implements WorkflowDispatcher {
  constructor(private readonly gh: GitHubRepo) {}

  async dispatch(
    workflowFile: string,
    ref: string,
    inputs: Readonly<Record<string, string>>,
  ): Promise<DispatchedRun> {
    if (Object.keys(inputs).length > MAX_INPUTS) {
      throw new Error(
        `workflow_dispatch takes at most ${MAX_INPUTS} inputs, got ${Object.keys(inputs).length}`,
      );
    }
    const response = await this.gh.api.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner: this.gh.owner,
        repo: this.gh.repo,
        workflow_id: workflowFile,
        ref,
        inputs: { ...inputs },
        return_run_details: true,
        // A 5xx may hide a dispatch that did start; retrying could relaunch the jobs twice.
        request: { retries: 0 },
      },
    );
    if (response.status !== 200) return { runId: null, runUrl: null, htmlUrl: null };
    const run = response.data;
    return { runId: Number(run.workflow_run_id), runUrl: run.run_url, htmlUrl: run.html_url };
  }
}
