/**
 * GitHub issues as sweepwatch uses them: one issue per root cause, found again by a hidden marker
 * in its body (`<!-- sweepwatch:<kind>:<fingerprint> -->`) so it is updated, never duplicated;
 * plus the replies and reactions of slash commands. Split in three so each caller asks only for
 * what it uses; an adapter implements all three.
 */

const MARKER = /<!-- sweepwatch:([a-z][a-z0-9-]*):([A-Za-z0-9._-]+) -->/;

/** The hidden marker of an issue. `kind` is e.g. `root-cause` or `dashboard`. */
export function issueMarker(kind: string, fingerprint: string): string {
  const marker = `<!-- sweepwatch:${kind}:${fingerprint} -->`;
  if (MARKER.exec(marker)?.[0] !== marker)
    throw new Error(`invalid issue marker parts: ${kind}:${fingerprint}`);
  return marker;
}

export function parseIssueMarker(
  body: string,
): { readonly kind: string; readonly fingerprint: string } | null {
  const m = MARKER.exec(body);
  return m?.[1] === undefined || m[2] === undefined ? null : { kind: m[1], fingerprint: m[2] };
}

export interface TrackedIssue {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly state: 'open' | 'closed';
  readonly labels: readonly string[];
  readonly url: string;
}

export interface IssueSpec {
  /** From issueMarker(); the adapter puts it in the body if the body lacks it. */
  readonly marker: string;
  readonly title: string;
  readonly body: string;
  /** The first label is the one the issue is looked up by (the issues API filters by label). */
  readonly labels: readonly [string, ...string[]];
  /**
   * Where the issue was last seen (recorded by the caller). A tracker whose lookup costs a
   * request may write there directly instead, always writing then (it does not know the body),
   * and falls back to the lookup when that number no longer holds an issue. The caller must
   * have nothing in the issue to read back first (an approval box), and must check the
   * returned number: a different one means the record is stale.
   */
  readonly number?: number;
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

export interface EnsuredIssue {
  readonly outcome: EnsureOutcome;
  readonly issue: TrackedIssue;
}

export interface IssueFinder {
  /** The issue carrying `marker` among those labelled `label`, open ones first, or null. */
  findByMarker(label: string, marker: string): Promise<TrackedIssue | null>;
}

export interface IssueWriter {
  /**
   * Creates the issue, or brings the one with the same marker up to date (title, body, labels
   * added, reopened if closed). Writes nothing when it is already as asked: `unchanged`.
   */
  ensureIssue(spec: IssueSpec): Promise<EnsuredIssue>;
  /** Closes as completed, after posting `comment` when given. Closing a closed issue is a no-op. */
  close(issueNumber: number, comment?: string): Promise<void>;
}

export const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;
export type Reaction = (typeof REACTIONS)[number];

export interface PostedComment {
  readonly id: number;
  readonly url: string;
}

/** The comment being answered (a slash command). */
export interface CommentRef {
  readonly issueNumber: number;
  readonly commentId: number;
  readonly author: string;
  /** Quoted (first lines) in the reply when given. */
  readonly body?: string;
}

export interface IssueConversation {
  comment(issueNumber: number, body: string): Promise<PostedComment>;
  /** Idempotent: reacting twice the same way leaves one reaction. */
  react(commentId: number, content: Reaction): Promise<void>;
  /** A comment on the same issue quoting `to` and mentioning its author (issues have no threads). */
  reply(to: CommentRef, body: string): Promise<PostedComment>;
}

export type IssueTracker = IssueFinder & IssueWriter & IssueConversation;
