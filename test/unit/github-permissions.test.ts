import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubPermissionChecker } from '../../src/adapters/github/permission-checker.js';
import { atLeast, type PermissionChecker } from '../../src/ports/permissions.js';
import { fakeGitHubRepo } from '../helpers/fake-github/client.js';
import { type FakeGitHub, serverError, startFakeGitHub } from '../helpers/fake-github/index.js';

let gh: FakeGitHub;
let checker: PermissionChecker;

beforeAll(async () => {
  gh = await startFakeGitHub();
  const repo = gh.repo('acme', 'sweeps');
  // GitHub's legacy `permission` is coarser than `role_name`: maintain reads as write, triage as read.
  repo.setPermission('ada', 'admin');
  repo.setPermission('max', 'write', 'maintain');
  repo.setPermission('wes', 'write');
  repo.setPermission('tia', 'read', 'triage');
  repo.setPermission('rui', 'read');
  repo.setPermission('cus', 'write', 'security-engineer');
  repo.setPermission('non', 'none');
  checker = new GitHubPermissionChecker(fakeGitHubRepo(gh));
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

describe('GitHubPermissionChecker', () => {
  it.each([
    ['ada', 'admin'],
    ['max', 'maintain'],
    ['wes', 'write'],
    ['tia', 'triage'],
    ['rui', 'read'],
    ['non', 'none'],
    ['cus', 'write'],
    ['stranger', 'none'],
  ] as const)('%s → %s', async (user, level) => {
    expect(await checker.permission(user)).toBe(level);
  });

  it('retries a 5xx but not a 404', async () => {
    gh.resetRequests();
    gh.inject({ method: 'GET', route: 'repos/get-collaborator-permission-level', ...serverError(502) });
    expect(await checker.permission('WES')).toBe('write');
    expect(await checker.permission('ghost')).toBe('none');
    expect(gh.count()).toBe(3);
  });

  it('orders levels', () => {
    expect(atLeast('maintain', 'write')).toBe(true);
    expect(atLeast('triage', 'write')).toBe(false);
  });
});
