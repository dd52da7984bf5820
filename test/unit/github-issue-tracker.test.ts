import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitHubIssueTracker } from '../../src/adapters/github/issue-tracker.js';
import {
  type IssueSpec,
  type IssueTracker,
  issueMarker,
  parseIssueMarker,
} from '../../src/ports/issue-tracker.js';
import { fakeGitHubRepo } from '../helpers/fake-github/client.js';
import {
  type FakeGitHub,
  type RepoState,
  serverError,
  startFakeGitHub,
} from '../helpers/fake-github/index.js';

let gh: FakeGitHub;
let repo: RepoState;
let owner: string;
let n = 0;

beforeAll(async () => {
  gh = await startFakeGitHub();
});
// A fresh repository per test: issue numbers and listings do not leak between tests.
beforeEach(() => {
  n += 1;
  owner = `acme${n}`;
  repo = gh.repo(owner, 'sweeps');
  gh.resetRequests();
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

/** A tracker per tick, as the app uses it. */
function tick(): IssueTracker {
  return new GitHubIssueTracker(fakeGitHubRepo(gh, owner, 'sweeps'));
}

const oom = issueMarker('root-cause', 'gpu_oom.a1b2');
const spec: IssueSpec = {
  marker: oom,
  title: 'GPU OOM in 3 jobs',
  body: 'Jobs 1, 2, 3 ran out of memory.',
  labels: ['sweepwatch'],
};

const writes = () => gh.count({ method: 'POST' }) + gh.count({ method: 'PATCH' });

describe('markers', () => {
  it('round-trips and rejects parts that would break the comment', () => {
    expect(oom).toBe('<!-- sweepwatch:root-cause:gpu_oom.a1b2 -->');
    expect(parseIssueMarker(`text\n${oom}\nmore`)).toEqual({
      kind: 'root-cause',
      fingerprint: 'gpu_oom.a1b2',
    });
    expect(() => issueMarker('root-cause', 'x -->')).toThrow();
  });
});

describe('ensureIssue', () => {
  it('creates once, then finds the same issue instead of duplicating it', async () => {
    const first = await tick().ensureIssue(spec);
    const second = await tick().ensureIssue(spec);
    expect(first.outcome).toBe('created');
    expect(second).toMatchObject({ outcome: 'unchanged', issue: { number: first.issue.number } });
    expect(repo.issues.size).toBe(1);
    const stored = repo.issues.get(first.issue.number);
    expect(stored?.body).toBe(`${oom}\n${spec.body}`);
    expect(stored?.labels).toEqual(['sweepwatch']);
  });

  it('writes nothing when the issue is already as asked', async () => {
    await tick().ensureIssue(spec);
    gh.resetRequests();
    expect((await tick().ensureIssue(spec)).outcome).toBe('unchanged');
    expect(writes()).toBe(0);
    expect(gh.counts()).toEqual({ 'GET /repos/{owner}/{repo}/issues': 1 });
  });

  it('updates the body when it changed, keeping labels people added', async () => {
    const { issue } = await tick().ensureIssue(spec);
    repo.issues.get(issue.number)?.labels.push('triaged');
    const updated = await tick().ensureIssue({ ...spec, body: 'Now 5 jobs.' });
    expect(updated.outcome).toBe('updated');
    expect(repo.issues.get(issue.number)).toMatchObject({
      body: `${oom}\nNow 5 jobs.`,
      labels: ['sweepwatch', 'triaged'],
    });
    expect(gh.count({ route: 'issues/update' })).toBe(1);
  });

  it('treats CRLF from the web editor as the same body', async () => {
    const { issue } = await tick().ensureIssue({ ...spec, body: 'line 1\nline 2' });
    const stored = repo.issues.get(issue.number);
    if (stored) stored.body = `${oom}\r\nline 1\r\nline 2\r\n`;
    expect((await tick().ensureIssue({ ...spec, body: 'line 1\nline 2' })).outcome).toBe('unchanged');
  });

  it('reopens the issue of a root cause that came back', async () => {
    const t = tick();
    const { issue } = await t.ensureIssue(spec);
    await t.close(issue.number);
    const again = await tick().ensureIssue(spec);
    expect(again).toMatchObject({ outcome: 'updated', issue: { number: issue.number, state: 'open' } });
    expect(repo.issues.size).toBe(1);
  });

  it('lists a label once per tick however many issues it files, when nobody files in between', async () => {
    const t = tick();
    for (let i = 0; i < 5; i++) await t.ensureIssue({ ...spec, marker: issueMarker('root-cause', `c${i}`) });
    expect(gh.count({ route: 'issues/list-for-repo' })).toBe(1);
    for (let i = 0; i < 5; i++) await t.ensureIssue({ ...spec, marker: issueMarker('root-cause', `c${i}`) });
    expect(gh.count({ route: 'issues/list-for-repo' })).toBe(1);
    expect(gh.count({ route: 'issues/create' })).toBe(5);
    expect(repo.issues.size).toBe(5);
  });

  it('after someone else’s issue, lists once more from where it stopped: one page, newest first', async () => {
    for (let i = 0; i < 150; i++)
      repo.seedIssue({ title: `#${i}`, body: issueMarker('root-cause', `old${i}`), labels: ['sweepwatch'] });
    const t = tick();
    expect(await t.findByMarker('sweepwatch', oom)).toBeNull();
    repo.seedIssue({ title: 'a person’s bug report' });
    gh.resetRequests();
    const first = await t.ensureIssue(spec);
    const second = await t.ensureIssue({ ...spec, marker: issueMarker('root-cause', 'next') });
    expect([first.outcome, second.outcome]).toEqual(['created', 'created']);
    // The first create follows the unlabelled issue (a gap): one page of what is new; the
    // second follows the first directly: none.
    expect(gh.requests({ route: 'issues/list-for-repo' }).map((r) => r.path)).toEqual([
      expect.stringMatching(/direction=desc.*per_page=100/),
    ]);
    expect(repo.issues.size).toBe(153);
  });

  it('keeps the marker when it cuts a body to GitHub’s 65,536 characters', async () => {
    const { issue } = await tick().ensureIssue({ ...spec, body: 'x'.repeat(70_000) });
    const body = repo.issues.get(issue.number)?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(oom)).toBe(true);
  });

  it('does not duplicate when a create was carried out but its answer lost (502)', async () => {
    gh.inject({ method: 'POST', route: 'issues/create', applied: true, ...serverError(502) });
    const created = await tick().ensureIssue(spec);
    expect(created.outcome).toBe('created');
    expect(gh.count({ route: 'issues/create' })).toBe(1);
    expect(repo.issues.size).toBe(1);
  });

  it('gives up (for the next tick to retry) when a create failed and did not land', async () => {
    gh.inject({ method: 'POST', route: 'issues/create', ...serverError(502) });
    await expect(tick().ensureIssue(spec)).rejects.toMatchObject({ status: 502 });
    expect(repo.issues.size).toBe(0);
    expect((await tick().ensureIssue(spec)).outcome).toBe('created');
  });
});

describe('ensureIssue at a recorded number (the dashboard)', () => {
  it('writes it with one request and no listing', async () => {
    const { issue } = await tick().ensureIssue(spec);
    gh.resetRequests();
    const written = await tick().ensureIssue({ ...spec, body: 'Now 5 jobs.', number: issue.number });
    expect(written).toMatchObject({ outcome: 'updated', issue: { number: issue.number } });
    expect(gh.counts()).toEqual({ 'PATCH /repos/{owner}/{repo}/issues/{issue_number}': 1 });
    expect(repo.issues.get(issue.number)?.body).toBe(`${oom}\nNow 5 jobs.`);
  });

  it('reopens it, and adds back a label someone removed without removing theirs', async () => {
    const { issue } = await tick().ensureIssue({ ...spec, labels: ['sweepwatch', 'sweepwatch:dashboard'] });
    const stored = repo.issues.get(issue.number);
    if (stored === undefined) throw new Error('not stored');
    stored.state = 'closed';
    stored.labels = ['sweepwatch', 'triaged'];
    gh.resetRequests();
    const written = await tick().ensureIssue({
      ...spec,
      labels: ['sweepwatch', 'sweepwatch:dashboard'],
      number: issue.number,
    });
    expect(written.issue).toMatchObject({
      state: 'open',
      labels: ['sweepwatch', 'triaged', 'sweepwatch:dashboard'],
    });
    expect(repo.issues.get(issue.number)).toMatchObject({
      state: 'open',
      labels: ['sweepwatch', 'triaged', 'sweepwatch:dashboard'],
    });
    expect(gh.counts()).toEqual({
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}': 1,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': 1,
    });
  });

  it('a number that holds no issue any more (404) falls back to the marker: found elsewhere, or filed anew', async () => {
    const { issue } = await tick().ensureIssue(spec);
    const found = await tick().ensureIssue({ ...spec, body: 'moved', number: issue.number + 40 });
    expect(found).toMatchObject({ outcome: 'updated', issue: { number: issue.number } });
    expect(repo.issues.get(issue.number)?.body).toBe(`${oom}\nmoved`);
    repo.issues.delete(issue.number);
    const filed = await tick().ensureIssue({ ...spec, number: issue.number });
    expect(filed.outcome).toBe('created');
    expect(filed.issue.number).not.toBe(issue.number);
    expect(repo.issues.size).toBe(1);
  });

  it('a deleted issue (410 Gone) is filed anew; any other refusal is an error, not a new issue', async () => {
    const { issue } = await tick().ensureIssue(spec);
    repo.issues.delete(issue.number);
    gh.inject({
      method: 'PATCH',
      route: 'issues/update',
      status: 410,
      body: { message: 'This issue was deleted' },
    });
    expect((await tick().ensureIssue({ ...spec, number: issue.number })).outcome).toBe('created');
    gh.inject({
      method: 'PATCH',
      route: 'issues/update',
      status: 403,
      body: { message: 'Resource not accessible' },
    });
    await expect(tick().ensureIssue({ ...spec, number: issue.number + 1 })).rejects.toMatchObject({
      status: 403,
    });
    expect(repo.issues.size).toBe(1);
  });

  it('once the tick has listed the label, the listing decides: an unchanged issue is not written', async () => {
    const { issue } = await tick().ensureIssue(spec);
    const t = tick();
    await t.findByMarker('sweepwatch', oom);
    gh.resetRequests();
    expect((await t.ensureIssue({ ...spec, number: issue.number })).outcome).toBe('unchanged');
    expect(writes()).toBe(0);
  });
});

describe('two runs creating the same issue at once', () => {
  const openCarrying = () =>
    [...repo.issues.values()].filter((i) => i.state === 'open' && (i.body ?? '').includes(oom));

  it('the later creator sees both, keeps the oldest and closes its own as a duplicate', async () => {
    const [a, b] = [tick(), tick()];
    // Both look the marker up before either creates: neither finds it.
    expect(await Promise.all([a.findByMarker('sweepwatch', oom), b.findByMarker('sweepwatch', oom)])).toEqual(
      [null, null],
    );
    const first = await a.ensureIssue(spec);
    const second = await b.ensureIssue(spec);
    expect(first).toMatchObject({ outcome: 'created', issue: { number: 1, state: 'open' } });
    expect(second).toMatchObject({ outcome: 'unchanged', issue: { number: 1, state: 'open' } });
    expect(gh.count({ route: 'issues/create' })).toBe(2);
    expect(openCarrying().map((i) => i.number)).toEqual([1]);
    expect(repo.issues.get(2)).toMatchObject({ state: 'closed', stateReason: 'not_planned' });
    expect(repo.commentsOf(2).map((c) => c.body)).toEqual(['Duplicate of #1 (two sweepwatch runs raced).']);
    expect(repo.commentsOf(1)).toEqual([]);
  });

  it('creating concurrently, both converge on one open issue, the oldest', async () => {
    const [a, b] = [tick(), tick()];
    await Promise.all([a.findByMarker('sweepwatch', oom), b.findByMarker('sweepwatch', oom)]);
    const ensured = await Promise.all([a.ensureIssue(spec), b.ensureIssue(spec)]);
    expect(ensured.map((e) => e.issue.number)).toEqual([1, 1]);
    expect(openCarrying().map((i) => i.number)).toEqual([1]);
    expect(repo.issues.get(2)?.state).toBe('closed');
  });

  it('the later creator brings the kept issue up to date with its own body', async () => {
    const [a, b] = [tick(), tick()];
    await Promise.all([a.findByMarker('sweepwatch', oom), b.findByMarker('sweepwatch', oom)]);
    await a.ensureIssue(spec);
    const later = await b.ensureIssue({ ...spec, body: 'Now 4 jobs.' });
    expect(later).toMatchObject({ outcome: 'updated', issue: { number: 1 } });
    expect(repo.issues.get(1)?.body).toBe(`${oom}\nNow 4 jobs.`);
  });

  it('a lookup that finds duplicates left by an earlier race closes them without listing again', async () => {
    repo.seedIssue({ title: 'first', body: oom, labels: ['sweepwatch'] });
    repo.seedIssue({ title: 'second', body: oom, labels: ['sweepwatch'] });
    const ensured = await tick().ensureIssue({ ...spec, title: 'first', body: oom });
    expect(ensured).toMatchObject({ outcome: 'unchanged', issue: { number: 1 } });
    expect(openCarrying().map((i) => i.number)).toEqual([1]);
    expect(gh.count({ route: 'issues/list-for-repo' })).toBe(1);
    expect(gh.count({ route: 'issues/create' })).toBe(0);
  });
});

describe('findByMarker', () => {
  it('pages through every labelled issue (150 at 100 a page)', async () => {
    for (let i = 0; i < 150; i++) {
      repo.seedIssue({ title: `#${i}`, body: issueMarker('root-cause', `f${i}`), labels: ['sweepwatch'] });
    }
    repo.seedIssue({ title: 'unlabelled', body: issueMarker('root-cause', 'f149') });
    const found = await tick().findByMarker('sweepwatch', issueMarker('root-cause', 'f149'));
    expect(found).toMatchObject({ title: '#149', state: 'open', labels: ['sweepwatch'] });
    expect(gh.requests({ route: 'issues/list-for-repo' }).map((r) => r.path)).toEqual([
      expect.stringMatching(/labels=sweepwatch.*per_page=100/),
      expect.stringMatching(/page=2/),
    ]);
  });

  it('prefers an open issue over a closed one and finds closed ones too', async () => {
    repo.seedIssue({ title: 'old', body: oom, labels: ['sweepwatch'], state: 'closed' });
    expect(await tick().findByMarker('sweepwatch', oom)).toMatchObject({ title: 'old', state: 'closed' });
    repo.seedIssue({ title: 'new', body: oom, labels: ['sweepwatch'] });
    expect(await tick().findByMarker('sweepwatch', oom)).toMatchObject({ title: 'new', state: 'open' });
    expect(await tick().findByMarker('sweepwatch', issueMarker('root-cause', 'none'))).toBeNull();
  });
});

describe('close and conversation', () => {
  it('closes as completed after a comment, once', async () => {
    const t = tick();
    const { issue } = await t.ensureIssue(spec);
    await t.close(issue.number, 'All jobs recovered.');
    await t.close(issue.number, 'All jobs recovered.');
    expect(repo.issues.get(issue.number)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(repo.commentsOf(issue.number).map((c) => c.body)).toEqual(['All jobs recovered.']);
  });

  it('comments, reacts idempotently and replies quoting the command', async () => {
    const t = tick();
    const { issue } = await t.ensureIssue(spec);
    const posted = await t.comment(issue.number, '/sweepwatch relaunch');
    expect(posted.url).toContain(`#issuecomment-${posted.id}`);
    await t.react(posted.id, 'eyes');
    await t.react(posted.id, 'eyes');
    expect(repo.reactions).toMatchObject([{ commentId: posted.id, content: 'eyes' }]);
    await t.reply(
      { issueNumber: issue.number, commentId: posted.id, author: 'alice', body: '/sweepwatch relaunch' },
      'relaunching 3 jobs',
    );
    expect(repo.commentsOf(issue.number).at(-1)?.body).toBe(
      '> /sweepwatch relaunch\n\n@alice relaunching 3 jobs',
    );
  });
});
