import { readFileSync } from 'node:fs';
import * as core from '@actions/core';

/**
 * The little the entry needs from the Actions runtime, as one object: main() takes it as a
 * parameter so tests drive it with plain records, and only this file imports @actions/core.
 */
export interface ActionRuntime {
  getInput(name: string): string;
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  appendSummary(markdown: string): Promise<void>;
  readonly eventName: string;
  readEvent(): unknown;
  readonly github: GitHubContext;
}

/** The run's GitHub context, from the runner's environment. */
export interface GitHubContext {
  /** `owner/repo` */
  readonly repository: string;
  readonly apiUrl: string;
  /** The commit the run checked out: the launch digest, compared by rebuild-before-relaunch. */
  readonly sha: string;
  readonly actor: string;
  /** The branch or tag the run is on; relaunch workflows are dispatched on it. */
  readonly refName: string;
}

export function actionsRuntime(env: NodeJS.ProcessEnv = process.env): ActionRuntime {
  return {
    getInput: (name) => core.getInput(name),
    setSecret: (value) => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(message),
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    error: (message) => core.error(message),
    appendSummary: async (markdown) => {
      // Outside a runner there is no summary file; the summary is then only logged.
      if (!env.GITHUB_STEP_SUMMARY) {
        core.info(markdown);
        return;
      }
      await core.summary.addRaw(markdown, true).write();
    },
    eventName: env.GITHUB_EVENT_NAME ?? '',
    github: {
      repository: env.GITHUB_REPOSITORY ?? '',
      apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      sha: env.GITHUB_SHA ?? '',
      actor: env.GITHUB_ACTOR ?? '',
      refName: env.GITHUB_REF_NAME ?? '',
    },
    readEvent: () => {
      const path = env.GITHUB_EVENT_PATH;
      if (!path) return {};
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    },
  };
}
