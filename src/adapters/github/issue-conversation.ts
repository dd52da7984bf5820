import type { CommentRef, IssueConversation, PostedComment, Reaction } from '../../ports/issue-tracker.js';
import type { GitHubRepo } from './octokit.js';

/** Comments, reactions and replies on issues: how sweepwatch answers slash commands. */

/** GitHub's limit on an issue or comment body, in characters. */
export const MAX_BODY = 65_536;

const TRUNCATED = '\n\n…(truncated by sweepwatch: GitHub caps a body at 65,536 characters)';

/** Cuts a body to GitHub's limit instead of letting the write fail with a 422. */
export function fitBody(body: string): string {
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY - TRUNCATED.length)}${TRUNCATED}`;
}

function quote(body: string): string {
  const lines = body.trim().split('\n').slice(0, 3);
  return `${lines.map((l) => `> ${l}`).join('\n')}\n\n`;
}

export class GitHubIssueConversation implements IssueConversation {
  constructor(private readonly gh: GitHubRepo) {}

  /** Retried on a 5xx like any request: a rare duplicate comment costs less than a lost answer. */
  async comment(issueNumber: number, body: string): Promise<PostedComment> {
    const { data } = await this.gh.api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: this.gh.owner,
      repo: this.gh.repo,
      issue_number: issueNumber,
      body: fitBody(body),
    });
    // int64 in the description: a bigint only past 2^53, which GitHub ids are far from.
    return { id: Number(data.id), url: data.html_url };
  }

  async react(commentId: number, content: Reaction): Promise<void> {
    // 201 when new, 200 when this reaction already exists: both are success.
    await this.gh.api.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
      owner: this.gh.owner,
      repo: this.gh.repo,
      comment_id: commentId,
      content,
    });
  }

  reply(to: CommentRef, body: string): Promise<PostedComment> {
    const quoted = to.body === undefined || to.body.trim() === '' ? '' : quote(to.body);
    return this.comment(to.issueNumber, `${quoted}@${to.author} ${body}`);
  }
}
