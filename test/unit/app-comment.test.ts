import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTrigger } from '../../src/action/trigger.js';
import { createGitHubAdapters, type GitHubAdapters } from '../../src/adapters/github/index.js';
import {
  type CommandHandlers,
  type CommentOutcome,
  type CommentReasonCode,
  handleComment,
  type IncomingComment,
} from '../../src/app/comment.js';
import type { CommandFilter } from '../../src/core/commands.js';
import { ZWJ } from '../../src/core/report-escape.js';
import {
  type FakeGitHub,
  type RepoState,
  serverError,
  startFakeGitHub,
} from '../helpers/fake-github/index.js';
import { timestamp } from '../helpers/fake-github/records.js';
import { webhookExamples } from '../helpers/webhooks.js';

/**
 * The comment use case end to end over HTTP: real `issue_comment` payloads from
 * @octokit/webhooks-examples read by the Action's trigger reader, the real GitHub adapters, and
 * the fake GitHub checking every request against GitHub's OpenAPI description.
 */

let gh: FakeGitHub;
let repo: RepoState;
let github: GitHubAdapters;
let issueNumber: number;
let n = 0;

beforeAll(async () => {
  gh = await startFakeGitHub();
});
// A fresh repository per test, so comments, reactions and dispatches never leak between tests.
beforeEach(() => {
  n += 1;
  repo = gh.repo(`acme${n}`, 'sweeps');
  for (const [login, permission, role] of [
    ['ada', 'admin', 'admin'],
    ['max', 'write', 'maintain'],
    ['wes', 'write', 'write'],
    ['tia', 'read', 'triage'],
    ['rui', 'read', 'read'],
  ] as const)
    repo.setPermission(login, permission, role);
  issueNumber = repo.seedIssue({ title: 'sweep vit-grid', labels: ['sweepwatch'] }).number;
  github = createGitHubAdapters({
    token: gh.token,
    baseUrl: gh.url,
    owner: repo.owner,
    repo: repo.name,
    msPerSecond: 5,
    writeSpacingMs: 0,
    notificationSpacingMs: 0,
  });
  gh.resetRequests();
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

interface Post {
  readonly body: string;
  readonly login?: string;
  readonly type?: string;
  readonly action?: 'created' | 'edited' | 'deleted';
  readonly onPullRequest?: boolean;
}

/** A real payload with only the fields a test needs patched, its comment stored in the fake. */
function post({ body, login = 'wes', type = 'User', action = 'created', onPullRequest = false }: Post) {
  const [example] = webhookExamples('issue_comment', action);
  const payload = structuredClone(example) as {
    comment: { id: number; body: string; user: { login: string; type: string } };
    issue: { number: number; pull_request?: unknown };
  };
  const id = repo.nextId();
  const now = timestamp();
  repo.comments.set(id, { id, issueNumber, body, user: login, createdAt: now, updatedAt: now });
  payload.comment.id = id;
  payload.comment.body = body;
  payload.comment.user.login = login;
  payload.comment.user.type = type;
  payload.issue.number = issueNumber;
  if (onPullRequest) payload.issue.pull_request = { url: 'https://api.github.com/repos/acme/sweeps/pulls/1' };
  const trigger = readTrigger('issue_comment', payload);
  if (trigger.kind !== 'comment') throw new Error('not a comment trigger');
  return trigger satisfies IncomingComment;
}

interface Call {
  readonly verb: string;
  readonly args: readonly unknown[];
}

/** Handlers as the wiring will give them; relaunch dispatches through the real dispatcher. */
function handlers(calls: Call[], overrides: Partial<CommandHandlers> = {}) {
  return {
    status: async () => {
      calls.push({ verb: 'status', args: [] });
      return '**3** running, **1** failed';
    },
    relaunch: async (filter: CommandFilter, options) => {
      calls.push({ verb: 'relaunch', args: [filter, options] });
      if (options.dryRun) return { markdown: 'Would relaunch 2 conditions: `c1`, `c2`.' };
      const run = await github.dispatcher.dispatch('sweepwatch-relaunch.yml', 'main', { payload: '{}' });
      return { markdown: 'Relaunching 2 conditions.', runUrl: run.htmlUrl };
    },
    cancel: async (filter: CommandFilter, by: string) => {
      calls.push({ verb: 'cancel', args: [filter, by] });
      return 'Cancelled 4 jobs.';
    },
    pause: async (by: string) => {
      calls.push({ verb: 'pause', args: [by] });
      return 'Paused.';
    },
    resume: async (by: string) => {
      calls.push({ verb: 'resume', args: [by] });
      return 'Resumed.';
    },
    ...overrides,
  } satisfies CommandHandlers;
}

async function send(p: Post, calls: Call[] = [], overrides: Partial<CommandHandlers> = {}) {
  const comment = post(p);
  const outcome = await handleComment(comment, {
    conversation: github.issues,
    permissions: github.permissions,
    handlers: handlers(calls, overrides),
  });
  const reactions = repo.reactions.filter((r) => r.commentId === comment.commentId).map((r) => r.content);
  const replies = repo.commentsOf(issueNumber).filter((c) => c.id !== comment.commentId);
  return { outcome, reactions, replies, reply: replies.at(-1)?.body ?? '' };
}

const PERMISSION_ROUTE = 'repos/get-collaborator-permission-level';

describe('the permission gate', () => {
  it.each([
    ['ada', 'admin'],
    ['max', 'maintain'],
    ['wes', 'write'],
  ] as const)('%s (%s) may command: 👀 then 🚀 and a reply', async (login, permission) => {
    const calls: Call[] = [];
    const { outcome, reactions, replies } = await send({ body: '/sweepwatch status', login }, calls);
    expect(outcome).toMatchObject({
      reasonCode: 'command_done',
      author: login,
      permission,
      command: { verb: 'status' },
    });
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(replies.map((c) => c.body)).toEqual([
      `> /sweepwatch status\n\n@${login} **3** running, **1** failed`,
    ]);
    expect(calls).toEqual([{ verb: 'status', args: [] }]);
  });

  it.each([
    ['tia', 'triage'],
    ['rui', 'read'],
    ['stranger', 'none'],
  ] as const)('%s (%s) is refused: 👀 then 👎, a reply, nothing run', async (login, permission) => {
    const calls: Call[] = [];
    const { outcome, reactions, reply } = await send({ body: '/sweepwatch cancel all', login }, calls);
    expect(outcome).toMatchObject({ reasonCode: 'command_refused_permission', permission });
    expect(reactions).toEqual(['eyes', '-1']);
    expect(reply).toContain('**write** permission');
    expect(reply).toContain(`yours is **${permission}**`);
    expect(calls).toEqual([]);
  });

  it('asks GitHub on every command, never from a cache', async () => {
    await send({ body: '/sweepwatch status' });
    await send({ body: '/sweepwatch pause' });
    expect(gh.count({ route: PERMISSION_ROUTE })).toBe(2);
  });

  it('sees a permission taken away between two commands', async () => {
    expect((await send({ body: '/sweepwatch pause' })).outcome.reasonCode).toBe('command_done');
    repo.setPermission('wes', 'read');
    expect((await send({ body: '/sweepwatch resume' })).outcome.reasonCode).toBe(
      'command_refused_permission',
    );
  });

  it('fails closed when the permission cannot be read', async () => {
    gh.inject({ method: 'GET', route: PERMISSION_ROUTE, times: 4, ...serverError(502) });
    const calls: Call[] = [];
    const { outcome, reactions, reply } = await send({ body: '/sweepwatch cancel all' }, calls);
    expect(outcome.reasonCode).toBe('command_failed');
    expect(reactions).toEqual(['eyes', '-1']);
    expect(reply).toContain('failed checking your permission');
    expect(calls).toEqual([]);
  });
});

describe('what is ignored without a word', () => {
  it.each<[string, Post, CommentReasonCode]>([
    ['an edited comment', { body: '/sweepwatch cancel all', action: 'edited' }, 'command_ignored_edited'],
    ['a deleted comment', { body: '/sweepwatch cancel all', action: 'deleted' }, 'command_ignored_edited'],
    ['a bot', { body: '/sweepwatch cancel all', login: 'renovate[bot]', type: 'Bot' }, 'command_ignored_bot'],
    ['a [bot] login', { body: '/sweepwatch cancel all', login: 'sweepwatch[bot]' }, 'command_ignored_bot'],
    ['an ordinary comment', { body: 'Looks like the OOMs are back.' }, 'not_a_command'],
    ['a quoted command', { body: '> /sweepwatch cancel all\n\nwhy?' }, 'not_a_command'],
    ['an ordinary comment on a PR', { body: 'nice', onPullRequest: true }, 'not_a_command'],
  ])('%s', async (_, p, reasonCode) => {
    const calls: Call[] = [];
    const { outcome, reactions, replies } = await send(p, calls);
    expect(outcome).toEqual({ reasonCode, author: p.login ?? 'wes' } satisfies CommentOutcome);
    expect(reactions).toEqual([]);
    expect(replies).toEqual([]);
    expect(calls).toEqual([]);
    expect(gh.count()).toBe(0);
  });
});

describe('answers', () => {
  it('refuses a command on a pull request, saying why, without asking for permission', async () => {
    const calls: Call[] = [];
    const { outcome, reactions, reply } = await send(
      { body: '/sweepwatch relaunch', onPullRequest: true },
      calls,
    );
    expect(outcome.reasonCode).toBe('command_ignored_pull_request');
    expect(reactions).toEqual(['eyes', '-1']);
    expect(reply).toMatch(/not on pull requests: a pull request may come from a fork/);
    expect(gh.count({ route: PERMISSION_ROUTE })).toBe(0);
    expect(calls).toEqual([]);
  });

  it('answers an unknown verb with the help', async () => {
    const { outcome, reactions, reply } = await send({ body: '/sweepwatch relanch gpu_oom' });
    expect(outcome).toMatchObject({ reasonCode: 'command_invalid', commandError: 'unknown_verb' });
    expect(reactions).toEqual(['eyes', '-1']);
    expect(reply).toContain('unknown command "relanch"; did you mean "relaunch"?');
    expect(reply).toContain('`/sweepwatch explain <root-cause>`');
  });

  it('shows the plan of a dry run and dispatches nothing', async () => {
    const calls: Call[] = [];
    const { outcome, reactions, reply } = await send(
      { body: '/sweepwatch relaunch gpu_oom --dry-run' },
      calls,
    );
    expect(outcome).toMatchObject({
      reasonCode: 'command_done',
      command: { verb: 'relaunch', dryRun: true, force: false },
    });
    expect(calls).toEqual([
      {
        verb: 'relaunch',
        args: [
          { kind: 'root_cause', rootCause: 'gpu_oom' },
          { dryRun: true, force: false, requestedBy: 'wes' },
        ],
      },
    ]);
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(reply).toContain('Would relaunch 2 conditions');
    expect(repo.dispatches).toEqual([]);
    expect(gh.count({ route: 'actions/create-workflow-dispatch' })).toBe(0);
  });

  it('links the dispatched run of a relaunch', async () => {
    const { outcome, reply } = await send({
      body: '/sweepwatch relaunch model=vit,fold=3 --force',
      login: 'ada',
    });
    expect(outcome.reasonCode).toBe('command_done');
    expect(repo.dispatches).toHaveLength(1);
    expect(reply).toMatch(/Relaunching 2 conditions\.\n\nWorkflow run: http\S+\/actions\/runs\/\d+$/);
  });

  it.each([
    ['/sweepwatch cancel preempted', 'cancel', [{ kind: 'root_cause', rootCause: 'preempted' }, 'wes']],
    ['/sweepwatch pause', 'pause', ['wes']],
    ['/sweepwatch resume', 'resume', ['wes']],
  ])('%s runs its handler with who asked', async (body, verb, args) => {
    const calls: Call[] = [];
    expect((await send({ body }, calls)).outcome.reasonCode).toBe('command_done');
    expect(calls).toEqual([{ verb, args }]);
  });

  it('explains a root cause from the docs unless the handlers say otherwise', async () => {
    expect((await send({ body: '/sweepwatch explain host_oom' })).reply).toContain(
      'the cgroup OOM killer fired',
    );
    const custom = await send({ body: '/sweepwatch explain host_oom' }, [], {
      explain: (c) => `custom ${c}`,
    });
    expect(custom.reply).toMatch(/custom host_oom$/);
  });

  it('reports a handler that throws, fenced and without pings', async () => {
    const boom = async (): Promise<string> => {
      throw new Error('ssh: connect refused for @oncall\n```\n<b>x</b>');
    };
    const { outcome, reactions, reply } = await send({ body: '/sweepwatch status' }, [], { status: boom });
    expect(outcome).toMatchObject({ reasonCode: 'command_failed', command: { verb: 'status' } });
    expect(outcome.failure).toContain('connect refused');
    expect(reactions).toEqual(['eyes', '-1']);
    expect(reply).toContain(`@${ZWJ}oncall`);
    expect(reply).toMatch(/^````text$/m);
  });

  it('quotes the command without pinging, HTML or breaking out', async () => {
    const { reply } = await send({ body: '/sweepwatch explain @acme/everyone <img src=x> `x`\nrest' });
    const [quote] = reply.split('\n');
    expect(quote).toBe(`> /sweepwatch explain @${ZWJ}acme/everyone &lt;img src=x&gt; \\\`x\\\``);
    expect(reply).not.toMatch(/@(?!\u200d)(acme|everyone)/);
    expect(reply).not.toContain('<img');
  });
});
