import {
  createGitHubClient,
  type GitHubClientOptions,
  type GitHubRepo,
} from '../../../src/adapters/github/octokit.js';
import type { FakeGitHub } from './index.js';

/**
 * sweepwatch's real GitHub client pointed at the fake: same plugins, no write spacing, and retry
 * delays shrunk (1 "second" = 5 ms) unless a test asks for real seconds.
 */
export function fakeGitHubRepo(
  fake: FakeGitHub,
  owner = 'acme',
  repo = 'sweeps',
  overrides: Partial<GitHubClientOptions> = {},
): GitHubRepo {
  fake.repo(owner, repo);
  const api = createGitHubClient({
    token: fake.token,
    baseUrl: fake.url,
    msPerSecond: 5,
    writeSpacingMs: 0,
    notificationSpacingMs: 0,
    ...overrides,
  });
  return { api, owner, repo };
}
