import type { GitObject } from './git-objects.js';
import type { CommentRecord, IssueRecord, ReactionRecord } from './records.js';
import type { RepoState } from './repo-state.js';

/**
 * GitHub's JSON for the fake's records, with every field the official response schemas require
 * (the server checks them in strict mode), so adapters see the shapes they will see in production.
 */

export interface Urls {
  /** The fake's own base URL, standing in for https://api.github.com. */
  readonly api: string;
  readonly html: string;
}

function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64');
}

function loginId(login: string): number {
  let h = 7;
  for (const c of login) h = (h * 31 + c.charCodeAt(0)) % 1_000_000_007;
  return h;
}

export function user(urls: Urls, login: string): Record<string, unknown> {
  const url = `${urls.api}/users/${encodeURIComponent(login)}`;
  const bot = login.endsWith('[bot]');
  return {
    login,
    id: loginId(login),
    node_id: nodeId('User', login),
    avatar_url: `${urls.html}/avatars/${encodeURIComponent(login)}`,
    gravatar_id: '',
    url,
    html_url: `${urls.html}/${encodeURIComponent(login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: bot ? 'Bot' : 'User',
    site_admin: false,
  };
}

function repoUrl(urls: Urls, repo: RepoState): string {
  return `${urls.api}/repos/${repo.fullName}`;
}

export function label(urls: Urls, repo: RepoState, name: string): Record<string, unknown> {
  return {
    id: loginId(`label:${name}`),
    node_id: nodeId('Label', name),
    url: `${repoUrl(urls, repo)}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'ededed',
    default: false,
  };
}

export function issue(urls: Urls, repo: RepoState, i: IssueRecord): Record<string, unknown> {
  const url = `${repoUrl(urls, repo)}/issues/${i.number}`;
  return {
    id: i.id,
    node_id: nodeId('Issue', i.id),
    url,
    repository_url: repoUrl(urls, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${urls.html}/${repo.fullName}/issues/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: user(urls, i.user),
    labels: i.labels.map((name) => label(urls, repo, name)),
    assignee: i.assignees[0] === undefined ? null : user(urls, i.assignees[0]),
    assignees: i.assignees.map((a) => user(urls, a)),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: repo.commentsOf(i.number).length,
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    author_association: 'MEMBER',
  };
}

export function comment(urls: Urls, repo: RepoState, c: CommentRecord): Record<string, unknown> {
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${repoUrl(urls, repo)}/issues/comments/${c.id}`,
    html_url: `${urls.html}/${repo.fullName}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${repoUrl(urls, repo)}/issues/${c.issueNumber}`,
    body: c.body,
    user: user(urls, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'MEMBER',
  };
}

export function reaction(urls: Urls, r: ReactionRecord): Record<string, unknown> {
  return {
    id: r.id,
    node_id: nodeId('Reaction', r.id),
    user: user(urls, r.user),
    content: r.content,
    created_at: r.createdAt,
  };
}

export function gitRef(urls: Urls, repo: RepoState, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    node_id: nodeId('Ref', `${repo.fullName}:${ref}`),
    url: `${repoUrl(urls, repo)}/git/${ref}`,
    object: { type: 'commit', sha, url: `${repoUrl(urls, repo)}/git/commits/${sha}` },
  };
}

export function gitCommit(
  urls: Urls,
  repo: RepoState,
  c: Extract<GitObject, { type: 'commit' }>,
): Record<string, unknown> {
  const git = `${repoUrl(urls, repo)}/git`;
  return {
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    url: `${git}/commits/${c.sha}`,
    html_url: `${urls.html}/${repo.fullName}/commit/${c.sha}`,
    author: c.author,
    committer: c.committer,
    tree: { sha: c.tree, url: `${git}/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((sha) => ({
      sha,
      url: `${git}/commits/${sha}`,
      html_url: `${urls.html}/${repo.fullName}/commit/${sha}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

/** GitHub wraps base64 blob content at 60 columns; decoders must cope with the newlines. */
export function wrappedBase64(content: Buffer): string {
  return (content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n');
}
