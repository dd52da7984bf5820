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
import { openByMarker, pickByMarker, toTrackedIssue } from './issue-listing.js';
import { LabelListings } from './label-listings.js';
import { type GitHubRepo, httpStatus } from './octokit.js';

/**
 * IssueTracker on GitHub issues. An instance serves one tick: the first lookup of a label lists
 * its issues once (all pages) and later lookups and writes of the tick reuse and update that
 * listing, so N root causes cost one listing, not N (label-listings.ts).
 *
 * The marker lookup cannot stop two runs that list at the same moment from both creating the
 * issue. Issue numbers are handed out in creation order, so of two racing creators the later one
 * gets a number with the other's issue below it, above what its listing showed: a gap. A create
 * whose number directly follows what the tick has accounted for cannot be the later creator, and
 * costs no listing (a tick filing five issues in a row pays for none). A create after a gap (a
 * racing run, or anyone's issue or pull request since the listing) lists the label once more,
 * from where the listing stopped, and of the open issues carrying the marker keeps the oldest and
 * closes the others as its duplicates. The later creator always sees both, so a pair of racing
 * runs converges on one open issue within the tick.
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
  private readonly listings: LabelListings;
  private readonly conversation: GitHubIssueConversation;

  constructor(private readonly gh: GitHubRepo) {
    this.conversation = new GitHubIssueConversation(gh);
    this.listings = new LabelListings(gh);
  }

  async findByMarker(label: string, marker: string): Promise<TrackedIssue | null> {
    return pickByMarker(await this.listings.issues(label), marker);
  }

  async ensureIssue(spec: IssueSpec): Promise<EnsuredIssue> {
    const body = bodyFor(spec);
    const label = spec.labels[0];
    // Where the caller last saw it, and no listing made yet: a write there spares the listing.
    if (spec.number !== undefined && !this.listings.listed(label)) {
      const written = await this.writeKnown(spec.number, spec, body);
      if (written !== null) return written;
    }
    const existing = await this.findByMarker(label, spec.marker);
    if (!existing) {
      const created = await this.create(spec, body);
      return this.converge(spec, body, created.issue, created.listedAfter);
    }
    // Duplicates left by an earlier race (seen in the listing already made: no extra request).
    if (existing.state === 'open') {
      await this.closeDuplicates(openByMarker(await this.listings.issues(label), spec.marker), existing);
    }
    return this.bringUpToDate(existing, spec, body);
  }

  /**
   * After a create: nothing to do when no issue was filed between the listing and ours.
   * Otherwise lists what is new under the label and keeps the oldest open issue carrying the
   * marker, closing the others. Ours is `created` when it is the one kept; otherwise the kept one
   * is brought up to date as a found issue would be. A failed listing leaves ours as it is (the
   * next tick's lookup finds the oldest, and closes the rest).
   */
  private async converge(
    spec: IssueSpec,
    body: string,
    created: TrackedIssue,
    listedAfter: boolean,
  ): Promise<EnsuredIssue> {
    const label = spec.labels[0];
    if (!listedAfter && (await this.listings.accountFor(label, created)))
      return { outcome: 'created', issue: created };
    let listed: TrackedIssue[];
    try {
      listed = listedAfter ? await this.listings.issues(label) : await this.listings.refresh(label);
    } catch {
      return { outcome: 'created', issue: created };
    }
    const open = openByMarker(listed, spec.marker);
    if (created.state === 'open' && !open.some((i) => i.number === created.number)) {
      open.push(created);
      open.sort((a, b) => a.number - b.number);
    }
    const kept = open[0];
    if (kept === undefined || kept.number === created.number) {
      await this.closeDuplicates(open, created);
      return { outcome: 'created', issue: created };
    }
    await this.closeDuplicates(open, kept);
    return this.bringUpToDate(kept, spec, body);
  }

  /**
   * Closes every issue of `open` but `kept`, pointing at it. Best effort: a close that fails is
   * left to the next tick, whose lookup finds the same duplicates and closes them then.
   */
  private async closeDuplicates(open: readonly TrackedIssue[], kept: TrackedIssue): Promise<void> {
    for (const duplicate of open) {
      if (duplicate.number === kept.number) continue;
      await this.closeAs(
        duplicate.number,
        `Duplicate of #${kept.number} (two sweepwatch runs raced).`,
        'not_planned',
      ).catch(() => undefined);
    }
  }

  private async bringUpToDate(existing: TrackedIssue, spec: IssueSpec, body: string): Promise<EnsuredIssue> {
    const patch = patchFor(existing, spec, body);
    if (!patch) return { outcome: 'unchanged', issue: existing };
    const { data } = await this.gh.api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: this.gh.owner,
      repo: this.gh.repo,
      issue_number: existing.number,
      ...patch,
    });
    const issue = toTrackedIssue(data);
    await this.listings.remember(issue);
    return { outcome: 'updated', issue };
  }

  /**
   * Writes title and body to issue `issueNumber` (reopening it), without the listing that would
   * say whether anything changed. Labels are added when the answer shows one missing (people
   * remove labels too). Null when the number holds no issue any more (deleted: 410; gone or
   * moved out of reach: 404; transferred: 301): then the caller's lookup finds or files it.
   */
  private async writeKnown(issueNumber: number, spec: IssueSpec, body: string): Promise<EnsuredIssue | null> {
    let issue: TrackedIssue;
    try {
      const { data } = await this.gh.api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner: this.gh.owner,
        repo: this.gh.repo,
        issue_number: issueNumber,
        title: spec.title,
        body,
        state: 'open',
      });
      issue = toTrackedIssue(data);
    } catch (error) {
      if ([301, 404, 410].includes(httpStatus(error) ?? 0)) return null;
      throw error;
    }
    const have = new Set(issue.labels.map((l) => l.toLowerCase()));
    const missing = spec.labels.filter((l) => !have.has(l.toLowerCase()));
    if (missing.length > 0) {
      const { data } = await this.gh.api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
        owner: this.gh.owner,
        repo: this.gh.repo,
        issue_number: issueNumber,
        labels: missing,
      });
      issue = { ...issue, labels: data.map((l) => l.name) };
    }
    await this.listings.remember(issue);
    return { outcome: 'updated', issue };
  }

  close(issueNumber: number, comment?: string): Promise<void> {
    return this.closeAs(issueNumber, comment, 'completed');
  }

  /** `not_planned` for duplicates: `duplicate` is newer than some GitHub Enterprise servers. */
  private async closeAs(
    issueNumber: number,
    comment: string | undefined,
    reason: 'completed' | 'not_planned',
  ): Promise<void> {
    if ((await this.listings.known(issueNumber))?.state === 'closed') return;
    if (comment !== undefined) await this.conversation.comment(issueNumber, comment);
    const { data } = await this.gh.api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: this.gh.owner,
      repo: this.gh.repo,
      issue_number: issueNumber,
      state: 'closed',
      state_reason: reason,
    });
    await this.listings.remember(toTrackedIssue(data));
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
   * issue. Instead what is new under the label is listed: if the issue landed it is returned, if
   * not the error is rethrown and the next tick creates it.
   */
  private async create(
    spec: IssueSpec,
    body: string,
  ): Promise<{ issue: TrackedIssue; listedAfter: boolean }> {
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
      await this.listings.remember(issue);
      return { issue, listedAfter: false };
    } catch (error) {
      if (!outcomeUnknown(error)) throw error;
      const landed = pickByMarker(await this.listings.refresh(spec.labels[0]), spec.marker);
      if (landed) return { issue: landed, listedAfter: true };
      throw error;
    }
  }
}
