import type { IssueTracker } from '../../ports/issue-tracker.js';
import type { PermissionChecker } from '../../ports/permissions.js';
import type { TextStore } from '../../ports/text-store.js';
import type { WorkflowDispatcher } from '../../ports/workflow-dispatcher.js';
import { type ArtifactStoreOptions, ArtifactTextStore } from './artifact-store.js';
import { GitBranchStore, type GitBranchStoreOptions } from './git-branch-store.js';
import { GitHubIssueTracker } from './issue-tracker.js';
import { createGitHubClient, type GitHubClientOptions, type GitHubRepo } from './octokit.js';
import { GitHubPermissionChecker } from './permission-checker.js';
import { GitHubWorkflowDispatcher } from './workflow-dispatcher.js';

export { type ArtifactStoreOptions, ArtifactTextStore, artifactName } from './artifact-store.js';
export { DEFAULT_STATE_BRANCH, GitBranchStore, manifestPath } from './git-branch-store.js';
export { GitHubIssueTracker } from './issue-tracker.js';
export { createGitHubClient, type GitHubApi, type GitHubClientOptions, type GitHubRepo } from './octokit.js';
export { GitHubPermissionChecker } from './permission-checker.js';
export { ResultsService, type ResultsServiceOptions } from './results-service.js';
export { GitHubWorkflowDispatcher } from './workflow-dispatcher.js';

export interface GitHubAdapters {
  readonly issues: IssueTracker;
  readonly dispatcher: WorkflowDispatcher;
  readonly permissions: PermissionChecker;
  store(options: GitBranchStoreOptions): TextStore;
  /** The manifest as workflow artifacts instead of a branch (the `state-store: artifact` input). */
  artifactStore(options: ArtifactStoreOptions): ArtifactTextStore;
}

/** Every GitHub adapter for one repository, sharing one client (and so its rate limiting). */
export function createGitHubAdapters(
  options: GitHubClientOptions & { readonly owner: string; readonly repo: string },
): GitHubAdapters {
  const gh: GitHubRepo = { api: createGitHubClient(options), owner: options.owner, repo: options.repo };
  return {
    issues: new GitHubIssueTracker(gh),
    dispatcher: new GitHubWorkflowDispatcher(gh),
    permissions: new GitHubPermissionChecker(gh),
    store: (storeOptions) => new GitBranchStore(gh, storeOptions),
    artifactStore: (storeOptions) => new ArtifactTextStore(gh, storeOptions),
  };
}
