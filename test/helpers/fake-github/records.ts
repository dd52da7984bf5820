/** What the fake stores per repository; representations.ts turns these into GitHub's JSON. */

export interface IssueRecord {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  labels: string[];
  assignees: string[];
  readonly user: string;
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface CommentRecord {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly user: string;
  readonly createdAt: string;
  updatedAt: string;
}

export const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;
export type ReactionContent = (typeof REACTIONS)[number];

export interface ReactionRecord {
  readonly id: number;
  readonly commentId: number;
  readonly content: ReactionContent;
  readonly user: string;
  readonly createdAt: string;
}

/** GitHub's legacy `permission` plus the finer `role_name` (which may be a custom role). */
export interface Collaborator {
  readonly permission: 'admin' | 'write' | 'read' | 'none';
  readonly roleName: string;
}

export interface DispatchRecord {
  readonly workflowId: string;
  readonly ref: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly runId: number | null;
}

/** GitHub's own rounding: timestamps in its JSON are whole seconds. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
