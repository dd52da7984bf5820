import {
  createGitHubAdapters,
  type GitHubAdapters,
  manifestPath,
  ResultsService,
} from '../adapters/github/index.js';
import { ManifestStore } from '../adapters/github/manifest-store.js';
import { createScheduler, type SchedulerContext } from '../adapters/schedulers.js';
import { TransportClusterFiles } from '../adapters/transport-files.js';
import { createTransport, type SshTarget } from '../adapters/transports.js';
import {
  DryRunRecorder,
  dryRunDispatcher,
  dryRunFiles,
  dryRunIssues,
  dryRunScheduler,
  dryRunStore,
} from '../app/dry-run.js';
import { loadSweepConfig, type SweepConfig } from '../config/sweep-config.js';
import type { ClusterFiles } from '../ports/cluster-files.js';
import type { IssueConversation, IssueFinder, IssueWriter } from '../ports/issue-tracker.js';
import type { Logger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { StateStore } from '../ports/state-store.js';
import type { Transport } from '../ports/transport.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import type { ActionInputs } from './inputs.js';
import type { ActionRuntime } from './runtime.js';

/**
 * Everything one Action run works with, wired from the inputs: the sweep file, one transport
 * (one SSH connection for the whole run), the scheduler, the GitHub adapters and the state
 * store. In dry-run mode every mutating port is wrapped in a recording decorator.
 */

/** The factories main() wires; tests pass in-memory or loopback ones. */
export interface Wiring {
  readonly createTransport: (ssh: SshTarget | null) => Transport;
  readonly createScheduler: (name: string, context: SchedulerContext) => Scheduler;
  readonly createGitHub: typeof createGitHubAdapters;
  readonly loadConfig: (path: string) => Promise<SweepConfig>;
  /**
   * The runner's environment, read only for `state-store: artifact` (the results service's URL and
   * the job's runtime token, which the runner gives JavaScript actions). Default process.env.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_WIRING: Wiring = {
  createTransport,
  createScheduler,
  createGitHub: createGitHubAdapters,
  loadConfig: loadSweepConfig,
};

export interface Session {
  readonly config: SweepConfig;
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly files: ClusterFiles;
  readonly issues: IssueFinder & IssueWriter;
  /** Replies and reactions on comments: answering the person is never a side effect to hold back. */
  readonly conversation: IssueConversation;
  readonly dispatcher: WorkflowDispatcher;
  readonly permissions: GitHubAdapters['permissions'];
  readonly store: StateStore;
  /** `branch:path` or `artifact:name` of the manifest, for the `manifest-path` output. */
  readonly manifestPath: string;
  readonly dryRun: DryRunRecorder | null;
  readonly logger: Logger;
}

/**
 * Where the cluster is: the Action's ssh inputs when given; otherwise the sweep file's host
 * needs them too (the key and the pinned host key are secrets, never in the file), so a file
 * host without inputs is an error rather than a silent local run.
 */
export function sshTarget(inputs: ActionInputs, config: SweepConfig): SshTarget | null {
  if (inputs.ssh !== null) return inputs.ssh;
  if (config.scheduler.host !== null) {
    throw new Error(
      `${config.source} names the host ${config.scheduler.host}: set the ssh-host, ssh-user, ssh-private-key and ssh-known-hosts inputs`,
    );
  }
  return null;
}

export async function openSession(
  inputs: ActionInputs,
  runtime: ActionRuntime,
  wiring: Wiring,
): Promise<Session> {
  const config = await wiring.loadConfig(inputs.config);
  const [owner, repo] = runtime.github.repository.split('/');
  if (!owner || !repo)
    throw new Error('GITHUB_REPOSITORY is not set (owner/repo): run inside GitHub Actions');
  const logger: Logger = {
    info: (m) => runtime.info(m),
    warning: (m) => runtime.warning(m),
    debug: () => {},
  };
  const github = wiring.createGitHub({
    token: inputs.githubToken,
    baseUrl: runtime.github.apiUrl,
    owner,
    repo,
  });
  const { store, location } = openStore(inputs, config, github, runtime, wiring.env ?? process.env);
  const transport = wiring.createTransport(sshTarget(inputs, config));
  const scheduler = wiring.createScheduler(config.scheduler.kind, { transport, config });
  const files = new TransportClusterFiles(transport);
  const base = {
    config,
    transport,
    conversation: github.issues,
    permissions: github.permissions,
    manifestPath: location,
    logger,
  };
  if (!inputs.dryRun) {
    return {
      ...base,
      scheduler,
      files,
      issues: github.issues,
      dispatcher: github.dispatcher,
      store,
      dryRun: null,
    };
  }
  const recorder = new DryRunRecorder();
  return {
    ...base,
    scheduler: dryRunScheduler(scheduler, recorder),
    files: dryRunFiles(recorder),
    issues: dryRunIssues(github.issues, recorder),
    dispatcher: dryRunDispatcher(recorder),
    store: dryRunStore(store, recorder),
    dryRun: recorder,
  };
}

/** The manifest's store the inputs chose, and where it is (the `manifest-path` output). */
function openStore(
  inputs: ActionInputs,
  config: SweepConfig,
  github: GitHubAdapters,
  runtime: ActionRuntime,
  env: Readonly<Record<string, string | undefined>>,
): { readonly store: StateStore; readonly location: string } {
  if (inputs.stateStore === 'branch') {
    const path = manifestPath(config.experiment);
    const text = github.store({
      path,
      branch: inputs.stateBranch,
      message: `sweepwatch: ${config.experiment}`,
    });
    const location = `${inputs.stateBranch}:${path}`;
    return { store: new ManifestStore(text, { source: location, experiment: config.experiment }), location };
  }
  const token = env.ACTIONS_RUNTIME_TOKEN ?? '';
  const url = env.ACTIONS_RESULTS_URL ?? '';
  if (token === '' || url === '') {
    throw new Error(
      'state-store artifact needs the Actions results service (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL, ' +
        'which the runner gives JavaScript actions; GitHub Enterprise Server has none): use state-store branch there',
    );
  }
  runtime.setSecret(token);
  const defaultBranch = defaultBranchOf(runtime);
  if (!inputs.dryRun && runtime.github.refName !== defaultBranch) {
    // Its saves would be ignored (only default-branch runs are trusted as writers), so a launch
    // here would submit jobs that no later tick knows of.
    throw new Error(
      `state-store artifact saves from runs on the default branch (${defaultBranch}) only, since state ` +
        `uploaded from any other branch is ignored: this run is on ${runtime.github.refName || 'no branch'}`,
    );
  }
  const text = github.artifactStore({
    experiment: config.experiment,
    results: new ResultsService({ url, token }),
    defaultBranch,
    logger: { warning: (m) => runtime.warning(m) },
  });
  const store = new ManifestStore(text, {
    source: `artifact ${text.names[0]}`,
    experiment: config.experiment,
    describe: (version) => text.describe(version),
  });
  return { store, location: `artifact:${text.names[0]}` };
}

/**
 * The repository's default branch without a request: the event's `repository.default_branch`
 * (workflow_dispatch, issue_comment and most events carry it). A schedule event carries no
 * repository, but scheduled runs always run on the default branch, so the run's own branch is it.
 */
function defaultBranchOf(runtime: ActionRuntime): string {
  const event = runtime.readEvent();
  const repository = typeof event === 'object' && event !== null ? Reflect.get(event, 'repository') : null;
  const named =
    typeof repository === 'object' && repository !== null ? Reflect.get(repository, 'default_branch') : null;
  if (typeof named === 'string' && named !== '') return named;
  if (runtime.eventName === 'schedule' && runtime.github.refName !== '') return runtime.github.refName;
  throw new Error(
    `state-store artifact needs the repository's default branch, which the ${runtime.eventName || 'unnamed'} ` +
      'event does not name: run sweepwatch on schedule, workflow_dispatch or issue_comment',
  );
}
