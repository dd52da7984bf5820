/**
 * Who may command a sweep, through main() against the fake GitHub: only collaborators with
 * write, maintain or admin; bots, edited comments and comments on pull requests (forks) are
 * ignored; the permission is asked of GitHub for every command (counted on the fake), never
 * cached; and a relaunch run re-checks the person its payload names.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import type { Collaborator } from '../helpers/fake-github/records.js';
import { type ActionWorld, actionWorld, failedBatch } from '../helpers/reliability/action-world.js';
import { type ClassSpec, noProblems, type Problems, recorder } from '../helpers/reliability/recorder.js';
import { webhookExamples } from '../helpers/webhooks.js';

const rec = recorder(import.meta.url);
let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

const COMMENTS: ClassSpec = {
  area: 'Authorization',
  klass: 'comment commands by role, bots, edits, forks',
  against: 'main() + fake GitHub (permission requests counted)',
  expected: 'obeyed for write/maintain/admin only; permission asked once per command',
};
const RELAUNCH: ClassSpec = {
  area: 'Authorization',
  klass: 'relaunch payload naming its requester',
  against: 'main() + fake GitHub (permission requests counted)',
  expected: 'requester_not_allowed below write; nothing submitted',
};

const permissionRequests = (w: ActionWorld) =>
  gh
    .requests({ route: '/repos/{owner}/{repo}/collaborators/{username}/permission' })
    .filter((r) => r.path.startsWith(`/repos/${w.owner}/`)).length;

interface Commenter {
  readonly login: string;
  readonly type?: string;
  readonly role?: Collaborator['permission'] | 'maintain' | 'triage';
  readonly action?: string;
  readonly onPullRequest?: boolean;
}

/** One comment through main(); returns its outputs and what it cost and changed. */
async function comment(w: ActionWorld, who: Commenter, body: string) {
  const repo = w.repo();
  if (who.role === 'maintain') repo.setPermission(who.login, 'write', 'maintain');
  else if (who.role === 'triage') repo.setPermission(who.login, 'read', 'triage');
  else if (who.role !== undefined) repo.setPermission(who.login, who.role);
  const issue = repo.seedIssue({ title: 'sweep', user: who.login });
  const id = 5000 + repo.comments.size;
  const now = new Date().toISOString();
  repo.comments.set(id, {
    id,
    issueNumber: issue.number,
    body,
    user: who.login,
    createdAt: now,
    updatedAt: now,
  });
  const [example] = webhookExamples('issue_comment', 'created');
  const asked = permissionRequests(w);
  const record = await w.action('', {
    name: 'issue_comment',
    payload: {
      ...example,
      action: who.action ?? 'created',
      issue: {
        ...(example?.issue as object),
        number: issue.number,
        pull_request: who.onPullRequest ? { url: 'https://api.github.com/pulls/1' } : undefined,
      },
      comment: {
        ...(example?.comment as object),
        id,
        body,
        user: { login: who.login, type: who.type ?? 'User' },
      },
    },
  });
  return { record, asked: permissionRequests(w) - asked, paused: w.manifest()?.paused === true };
}

describe('comment commands', () => {
  it.each<[string, Commenter, boolean, string]>([
    ['a stranger (no collaborator)', { login: 'stranger' }, false, 'command_refused_permission'],
    ['a read-only collaborator', { login: 'reader', role: 'read' }, false, 'command_refused_permission'],
    ['a triager', { login: 'triager', role: 'triage' }, false, 'command_refused_permission'],
    ['a writer', { login: 'writer', role: 'write' }, true, 'command_done'],
    ['a maintainer', { login: 'maintainer', role: 'maintain' }, true, 'command_done'],
    ['an admin', { login: 'admin', role: 'admin' }, true, 'command_done'],
    [
      'a bot with admin rights',
      { login: 'deploy-bot', type: 'Bot', role: 'admin' },
      false,
      'command_ignored_bot',
    ],
    [
      'a [bot] login posing as a user',
      { login: 'renovate[bot]', role: 'admin' },
      false,
      'command_ignored_bot',
    ],
    [
      'a writer on a pull request (a fork)',
      { login: 'forker', role: 'write', onPullRequest: true },
      false,
      'command_ignored_pull_request',
    ],
    [
      'a writer editing an old comment',
      { login: 'editor', role: 'write', action: 'edited' },
      false,
      'command_ignored_edited',
    ],
  ])('%s', async (_name, who, obeyed, reason) => {
    const w = actionWorld(gh);
    await failedBatch(w);
    const { record, asked, paused } = await comment(w, who, '/sweepwatch pause');
    const problems: Problems = noProblems();
    if (record.outputs['reason-code'] !== reason)
      problems.crash.push(`${record.outputs['reason-code']}, expected ${reason}`);
    if (paused && !obeyed) problems.leak.push(`${who.login} paused the sweep`);
    if (!paused && obeyed) problems.lost.push(`${who.login}'s pause was not applied`);
    const shouldAsk = reason.startsWith('command_ignored') ? 0 : 1;
    if (asked !== shouldAsk) problems.leak.push(`${asked} permission requests, expected ${shouldAsk}`);
    expect(rec.check(COMMENTS, problems)).toEqual(noProblems());
  });

  it('asks again for every command: a permission taken away is seen at once', async () => {
    const w = actionWorld(gh);
    await failedBatch(w);
    const writer: Commenter = { login: 'writer', role: 'write' };
    const first = await comment(w, writer, '/sweepwatch pause');
    const second = await comment(w, writer, '/sweepwatch status');
    const third = await comment(w, { login: 'writer', role: 'read' }, '/sweepwatch resume');
    const problems: Problems = noProblems();
    if (first.asked + second.asked + third.asked !== 3) problems.leak.push('a permission answer was reused');
    if (third.record.outputs['reason-code'] !== 'command_refused_permission')
      problems.leak.push('a revoked writer was obeyed');
    if (!third.paused) problems.leak.push('the revoked writer resumed the sweep');
    expect(rec.check(COMMENTS, problems)).toEqual(noProblems());
  });
});

describe('the relaunch run re-checks who asked', () => {
  it.each<[string, Collaborator['permission'] | null, boolean]>([
    ['reader', 'read', false],
    ['stranger', null, false],
    ['github-actions[bot]', null, false],
    ['writer', 'write', true],
    ['admin', 'admin', true],
    ['sweepwatch', null, true],
  ])('requested_by %s', async (login, role, allowed) => {
    const w = actionWorld(gh);
    await failedBatch(w);
    await w.action('tick');
    if (role !== null) w.repo().setPermission(login, role);
    const submitted = w.scheduler.calls.submit.length;
    const asked = permissionRequests(w);
    const payload = JSON.stringify({
      experiment: 'calib',
      conditions: 'plan',
      cycle: 1,
      reason: 'r',
      requested_by: login,
    });
    const r = await w.action('relaunch', {
      name: 'workflow_dispatch',
      payload: { inputs: { command: 'relaunch', payload } },
    });
    const problems: Problems = noProblems();
    const refused = r.outputs['reason-code'] === 'requester_not_allowed';
    if (refused === allowed) problems.leak.push(`${login}: ${r.outputs['reason-code']}`);
    if (!allowed && w.scheduler.calls.submit.length !== submitted)
      problems.leak.push(`${login}'s relaunch submitted jobs`);
    const shouldAsk = login === 'sweepwatch' ? 0 : 1;
    if (permissionRequests(w) - asked !== shouldAsk)
      problems.leak.push(`${permissionRequests(w) - asked} permission requests, expected ${shouldAsk}`);
    expect(rec.check(RELAUNCH, problems)).toEqual(noProblems());
  });
});
