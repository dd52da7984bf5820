/** Starts a relaunch: a workflow_dispatch of a workflow in the repository. */

export interface DispatchedRun {
  /** Known when the API returned run details (GitHub.com since 2025); null otherwise (older GHES). */
  readonly runId: number | null;
  readonly runUrl: string | null;
  readonly htmlUrl: string | null;
}

export interface WorkflowDispatcher {
  /**
   * Dispatches `workflowFile` (e.g. `relaunch.yml`) on `ref` with string inputs (at most 25).
   * Never retried on a server error: a dispatch that may have run twice costs a second relaunch,
   * so an unknown outcome is thrown to the caller.
   */
  dispatch(
    workflowFile: string,
    ref: string,
    inputs: Readonly<Record<string, string>>,
  ): Promise<DispatchedRun>;
}
