import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubClientOptions, GitHubLog } from '../../src/adapters/github/octokit.js';
import { GitHubPermissionChecker } from '../../src/adapters/github/permission-checker.js';
import { fakeGitHubRepo } from '../helpers/fake-github/client.js';
import {
  type FakeGitHub,
  primaryRateLimit,
  secondaryRateLimit,
  serverError,
  startFakeGitHub,
} from '../helpers/fake-github/index.js';

// The client's retry and rate-limit behaviour, through a real adapter call (a permission check,
// a GET: idempotent, so every kind of retry applies to it).

let gh: FakeGitHub;
let messages: string[];

const ROUTE = 'repos/get-collaborator-permission-level';

beforeAll(async () => {
  gh = await startFakeGitHub({ token: 'ghs_s3cr3tT0k3n' });
  gh.repo('acme', 'sweeps').setPermission('wes', 'write');
});
beforeEach(() => {
  gh.resetRequests();
  gh.faults.clear();
  messages = [];
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

const log: GitHubLog = {
  debug: (m) => messages.push(m),
  info: (m) => messages.push(m),
  warn: (m) => messages.push(m),
  error: (m) => messages.push(m),
};

function checker(overrides: Partial<GitHubClientOptions> = {}) {
  return new GitHubPermissionChecker(fakeGitHubRepo(gh, 'acme', 'sweeps', { log, ...overrides }));
}

describe('the GitHub client', () => {
  it('retries a 502 and succeeds', async () => {
    gh.inject({ method: 'GET', route: ROUTE, times: 2, ...serverError(502) });
    expect(await checker().permission('wes')).toBe('write');
    expect(gh.count({ route: ROUTE })).toBe(3);
  });

  it('bounds its retries of server errors', async () => {
    gh.inject({ method: 'GET', route: ROUTE, times: 10, ...serverError(500) });
    await expect(checker({ retries: 2 }).permission('wes')).rejects.toMatchObject({ status: 500 });
    expect(gh.count({ route: ROUTE })).toBe(3);
  });

  it('honours retry-after on a 429 secondary rate limit, in real seconds', async () => {
    gh.inject({ method: 'GET', route: ROUTE, ...secondaryRateLimit(1, 429) });
    const started = performance.now();
    expect(await checker({ msPerSecond: 1000 }).permission('wes')).toBe('write');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(5000);
    expect(gh.count({ route: ROUTE })).toBe(2);
    expect(messages).toContainEqual(expect.stringMatching(/secondary rate limit .*retrying in 1 s/));
  });

  it('waits for x-ratelimit-reset on the primary rate limit', async () => {
    gh.inject({ method: 'GET', route: ROUTE, ...primaryRateLimit(Math.floor(Date.now() / 1000) + 3) });
    expect(await checker().permission('wes')).toBe('write');
    expect(messages).toContainEqual(expect.stringMatching(/primary rate limit .*retrying in [34] s/));
  });

  it('gives up on a rate limit after a bounded number of retries', async () => {
    gh.inject({ method: 'GET', route: ROUTE, times: 10, ...secondaryRateLimit(1, 403) });
    await expect(checker({ rateLimitRetries: 2 }).permission('wes')).rejects.toMatchObject({ status: 403 });
    expect(gh.count({ route: ROUTE })).toBe(3);
  });

  it('fails at once rather than stall a tick on a long retry-after', async () => {
    gh.inject({ method: 'GET', route: ROUTE, ...secondaryRateLimit(3600, 403) });
    await expect(checker({ msPerSecond: 1000 }).permission('wes')).rejects.toMatchObject({ status: 403 });
    expect(gh.count({ route: ROUTE })).toBe(1);
    expect(messages).toContainEqual(expect.stringMatching(/giving up/));
  });

  it('sends its user agent and never logs the token', async () => {
    gh.inject({ method: 'GET', route: ROUTE, ...serverError(502) });
    gh.inject({ method: 'GET', route: ROUTE, ...secondaryRateLimit(1, 403) });
    await checker().permission('wes');
    expect(gh.requests().map((r) => r.userAgent)).toEqual([
      expect.stringMatching(/^sweepwatch /),
      expect.stringMatching(/^sweepwatch /),
      expect.stringMatching(/^sweepwatch /),
    ]);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.join('\n')).not.toContain('s3cr3t');
  });

  it('uses the injected fetch, with a deadline per request', async () => {
    let calls = 0;
    const hanging: typeof fetch = (_input, init) => {
      calls += 1;
      return new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    };
    await expect(checker({ fetch: hanging, timeoutMs: 50, retries: 1 }).permission('wes')).rejects.toThrow();
    expect(calls).toBe(2);
  });
});
