import type { TrackedIssue } from '../../ports/issue-tracker.js';
import { listLabelledIssues, listLabelledIssuesAfter } from './issue-listing.js';
import type { GitHubRepo } from './octokit.js';

/**
 * What one tick knows of each label's issues: listed once (all pages) on first use, then kept in
 * step with the tick's own writes, so N lookups cost one listing, not N.
 *
 * Each listing also tracks `through`: every issue carrying the label whose number is at most this
 * is in it. A listing accounts for everything up to the highest number it shows (a lower number
 * was filed earlier, so existed when it was listed); a create of ours extends that when its number
 * is the next one, since then nobody filed anything in between. That is what lets a create skip
 * the re-listing that looks for a racing duplicate (issue-tracker.ts).
 */

interface Listing {
  /** Oldest first. Updated in place, so every holder of the listing sees the tick's writes. */
  readonly issues: TrackedIssue[];
  through: number;
}

function highest(issues: readonly TrackedIssue[]): number {
  return issues.reduce((max, i) => Math.max(max, i.number), 0);
}

/** Inserts or replaces `issue`, keeping the list ordered by number. */
function upsert(issues: TrackedIssue[], issue: TrackedIssue): void {
  const at = issues.findIndex((i) => i.number === issue.number);
  if (at !== -1) {
    issues[at] = issue;
    return;
  }
  const after = issues.findIndex((i) => i.number > issue.number);
  issues.splice(after === -1 ? issues.length : after, 0, issue);
}

export class LabelListings {
  private readonly listings = new Map<string, Promise<Listing>>();

  constructor(private readonly gh: GitHubRepo) {}

  /** Whether this tick has listed the label (or is listing it): a lookup then costs nothing. */
  listed(label: string): boolean {
    return this.listings.has(label.toLowerCase());
  }

  async issues(label: string): Promise<TrackedIssue[]> {
    return (await this.listing(label)).issues;
  }

  /**
   * Lists what carries the label above what is accounted for (newest first, usually one page) and
   * merges it in: a fresh view for the cost of one request.
   */
  async refresh(label: string): Promise<TrackedIssue[]> {
    const listing = await this.listing(label);
    const newer = await listLabelledIssuesAfter(this.gh, label, listing.through);
    for (const issue of newer) upsert(listing.issues, issue);
    listing.through = Math.max(listing.through, highest(newer));
    return listing.issues;
  }

  /**
   * After our create of `issue`: true when its number directly follows what the listing accounts
   * for, so no issue (anyone's) was filed between the listing and it. False means one may have
   * been, and only a refresh tells.
   */
  async accountFor(label: string, issue: TrackedIssue): Promise<boolean> {
    const listing = await this.listings.get(label.toLowerCase())?.catch(() => undefined);
    if (listing === undefined || issue.number !== listing.through + 1) return false;
    listing.through = issue.number;
    return true;
  }

  async known(issueNumber: number): Promise<TrackedIssue | undefined> {
    for (const listing of this.listings.values()) {
      const found = (await listing.catch(() => undefined))?.issues.find((i) => i.number === issueNumber);
      if (found) return found;
    }
    return undefined;
  }

  /** Keeps the listings in step with the tick's own writes. */
  async remember(issue: TrackedIssue): Promise<void> {
    const labels = new Set(issue.labels.map((l) => l.toLowerCase()));
    for (const [label, pending] of this.listings) {
      const listing = await pending.catch(() => undefined);
      if (!listing) continue;
      if (labels.has(label)) upsert(listing.issues, issue);
      else {
        const at = listing.issues.findIndex((i) => i.number === issue.number);
        if (at !== -1) listing.issues.splice(at, 1);
      }
    }
  }

  private listing(label: string): Promise<Listing> {
    const key = label.toLowerCase();
    let listing = this.listings.get(key);
    if (!listing) {
      const fresh = listLabelledIssues(this.gh, label).then((issues) => ({
        issues,
        through: highest(issues),
      }));
      // A failed listing is not kept: the next lookup tries again.
      fresh.catch(() => {
        if (this.listings.get(key) === fresh) this.listings.delete(key);
      });
      this.listings.set(key, fresh);
      listing = fresh;
    }
    return listing;
  }
}
