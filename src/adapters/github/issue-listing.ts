import type { TrackedIssue } from '../../ports/issue-tracker.js';
import type { GitHubRepo } from './octokit.js';

/**
 * Lists every issue carrying a label through the issues API (not search: search is eventually
 * consistent, so a just-created issue could be missed and duplicated, and it has its own tight
 * rate limit). Open and closed, oldest first, 100 a page, following the Link header to the end.
 */

interface ApiIssue {
  readonly number: number;
  readonly title: string;
  readonly body?: string | null;
  readonly state: string;
  readonly html_url: string;
  readonly labels: readonly (string | { readonly name?: string })[];
  readonly pull_request?: unknown;
}

export function toTrackedIssue(issue: ApiIssue): TrackedIssue {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body ?? '',
    state: issue.state === 'closed' ? 'closed' : 'open',
    labels: issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((l) => l !== ''),
    url: issue.html_url,
  };
}

/** The pages of every issue carrying the label, open and closed, by creation date. */
function labelPages(gh: GitHubRepo, label: string, direction: 'asc' | 'desc') {
  return gh.api.paginate.iterator('GET /repos/{owner}/{repo}/issues', {
    owner: gh.owner,
    repo: gh.repo,
    labels: label,
    state: 'all',
    sort: 'created',
    direction,
    per_page: 100,
  });
}

export async function listLabelledIssues(gh: GitHubRepo, label: string): Promise<TrackedIssue[]> {
  const found: TrackedIssue[] = [];
  const pages = labelPages(gh, label, 'asc');
  for await (const page of pages) {
    // The issues API returns pull requests too; a marker is only ever put in an issue.
    for (const issue of page.data) if (issue.pull_request === undefined) found.push(toTrackedIssue(issue));
  }
  return found;
}

/**
 * The issues carrying the label numbered above `after`, newest first, paging only until it
 * reaches older ones: one request unless more than 100 were filed since.
 */
export async function listLabelledIssuesAfter(
  gh: GitHubRepo,
  label: string,
  after: number,
): Promise<TrackedIssue[]> {
  const found: TrackedIssue[] = [];
  const pages = labelPages(gh, label, 'desc');
  for await (const page of pages) {
    let reachedOlder = false;
    for (const issue of page.data) {
      if (issue.number <= after) reachedOlder = true;
      else if (issue.pull_request === undefined) found.push(toTrackedIssue(issue));
    }
    if (reachedOlder) break;
  }
  return found;
}

/** The open issues carrying the marker, oldest (lowest number) first. */
export function openByMarker(issues: readonly TrackedIssue[], marker: string): TrackedIssue[] {
  return issues
    .filter((i) => i.state === 'open' && i.body.includes(marker))
    .sort((a, b) => a.number - b.number);
}

/** Open issues win over closed ones, then the oldest: the one a duplicate would have copied. */
export function pickByMarker(issues: readonly TrackedIssue[], marker: string): TrackedIssue | null {
  const carrying = issues.filter((i) => i.body.includes(marker));
  return carrying.find((i) => i.state === 'open') ?? carrying[0] ?? null;
}
