import type {
  CommentRef,
  EnsuredIssue,
  IssueSpec,
  IssueTracker,
  PostedComment,
  Reaction,
  TrackedIssue,
} from '../../ports/issue-tracker.js';
import { fitBody, GitHubIssueConversation } from './issue-conversation.js';
import { listLabelledIssues, pickByMarker, toTrackedIssue } from './issue-listing.js';
import { type GitHubRepo, httpStatus } from './octokit.js';

/**
 * IssueTracker on GitHub issues. An instance serves one tick: the first lookup of a label lists
 * its issues once (all pages) and later lookups and writes of the tick reuse and update that
 * listing, so N root causes cost one listing, not N.
 */

/** GitHub stores what it is sent, but a body edited in the web UI comes back with CRLF. */
function normalize(body: string): string {
  return body.replace(/\r\n/g, '\n').trimEnd();
}

/** The body as it will be written: marker included, within GitHub's size limit, marker kept. */
function bodyFor(spec: IssueSpec): string {
  const fitted = fitBody(spec.body.includes(spec.marker) ? spec.body : `${spec.marker}\n${spec.body}`);
  return fitted.includes(spec.marker) ? fitted : fitBody(`${spec.marker}\n${spec.body}`);
}

interface IssuePatch {
  title?: string;
  body?: string;
  labels?: string[];
  state?: 'open';
}

function patchFor(existing: TrackedIssue, spec: IssueSpec, body: string): IssuePatch | null {
  const patch: IssuePatch = {};
  if (existing.title !== spec.title) patch.title = spec.title;
  if (normalize(existing.body) !== normalize(body)) patch.body = body;
  const have = new Set(existing.labels.map((l) => l.toLowerCase()));
  // Labels are added, never removed: people label sweepwatch's issues too.
  if (spec.labels.some((l) => !have.has(l.toLowerCase())))
    patch.labels = [...new Set([...existing.labels, ...spec.labels])];
  if (existing.state === 'closed') patch.state = 'open';
  return Object.keys(patch).length === 0 ? null : patch;
}

/** No response, or a 5xx: the request may or may not have been carried out. */
function outcomeUnknown(error: unknown): boolean {
  const status = httpStatus(error);
  return status === undefined || status >= 500;
}

export class GitHubIssueTracker implements IssueTracker {
  private readonly listings = new Map<string, Promise<TrackedIssue[]>>();
  private readonly conversation: GitHubIssueConversation;

  constructor(private readonly gh: GitHubRepo) {
    this.conversation = new GitHubIssueConversation(gh);
  }

  async findByMarker(label: string, marker: string): Promise<TrackedIssue | null> {
    return pickByMarker(await this.listing(label), marker);
  }

  async ensureIssue(spec: IssueSpec): Promise<EnsuredIssue> {
    const body = bodyFor(spec);
    const existing = await this.findByMarker(spec.labels[0], spec.marker);
    if (!existing) return { outcome: 'created', issue: await this.create(spec, body) };
    const patch = patchFor(existing, spec, body);
    if (!patch) return { outcome: 'unchanged', issue: existing };
    const { data } = await this.gh.api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: this.gh.owner,
      repo: this.gh.repo,
      issue_number: existing.number,
      ...patch,
    });
    const issue = toTrackedIssue(data);
    await this.remember(issue);
    return { outcome: 'updated', issue };
  }

  async close(issueNumber: number, comment?: string): Promise<void> {
    if ((await this.known(issueNumber))?.state === 'closed') return;
    if (comment !== undefined) await this.conversation.comment(issueNumber, comment);
    const { data } = await this.gh.api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: this.gh.owner,
      repo: this.gh.repo,
      issue_number: issueNumber,
      state: 'closed',
      state_reason: 'completed',
    });
    await this.remember(toTrackedIssue(data));
  }

  comment(issueNumber: number, body: string): Promise<PostedComment> {
    return this.conversation.comment(issueNumber, body);
  }

  react(commentId: number, content: Reaction): Promise<void> {
    return this.conversation.react(commentId, content);
  }

  reply(to: CommentRef, body: string): Promise<PostedComment> {
    return this.conversation.reply(to, body);
  }

  /**
   * Creating is not retried on a 5xx or a dropped connection, since a retry could duplicate the
   * issue. Instead the label is listed afresh: if the issue landed it is returned, if not the
   * error is rethrown and the next tick creates it.
   */
  private async create(spec: IssueSpec, body: string): Promise<TrackedIssue> {
    try {
      const { data } = await this.gh.api.request('POST /repos/{owner}/{repo}/issues', {
        owner: this.gh.owner,
        repo: this.gh.repo,
        title: spec.title,
        body,
        labels: [...spec.labels],
        request: { retries: 0 },
      });
      const issue = toTrackedIssue(data);
      await this.remember(issue);
      return issue;
    } catch (error) {
      if (!outcomeUnknown(error)) throw error;
      this.listings.delete(spec.labels[0].toLowerCase());
      const landed = await this.findByMarker(spec.labels[0], spec.marker);
      if (landed) return landed;
      throw error;
    }
  }

  private listing(label: string): Promise<TrackedIssue[]> {
    const key = label.toLowerCase();
    let listing = this.listings.get(key);
    if (!listing) {
      const fresh = listLabelledIssues(this.gh, label);
      // A failed listing is not cached: the next lookup tries again.
      fresh.catch(() => {
        if (this.listings.get(key) === fresh) this.listings.delete(key);
      });
      this.listings.set(key, fresh);
      listing = fresh;
    }
    return listing;
  }

  private async known(issueNumber: number): Promise<TrackedIssue | undefined> {
    for (const listing of this.listings.values()) {
      const found = (await listing.catch(() => [])).find((i) => i.number === issueNumber);
      if (found) return found;
    }
    return undefined;
  }

  /** Keeps the tick's listings in step with its own writes. */
  private async remember(issue: TrackedIssue): Promise<void> {
    const labels = new Set(issue.labels.map((l) => l.toLowerCase()));
    for (const [label, listing] of this.listings) {
      const issues = await listing.catch(() => null);
      if (!issues) continue;
      const at = issues.findIndex((i) => i.number === issue.number);
      if (at !== -1) issues.splice(at, 1);
      if (labels.has(label)) issues.splice(at === -1 ? issues.length : at, 0, issue);
    }
  }
}
