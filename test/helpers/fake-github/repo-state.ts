import { GitObjects } from './git-objects.js';
import {
  type Collaborator,
  type CommentRecord,
  type DispatchRecord,
  type IssueRecord,
  type ReactionRecord,
  timestamp,
} from './records.js';

/** One repository of the fake: everything tests seed and inspect lives here. */
export class RepoState {
  readonly issues = new Map<number, IssueRecord>();
  readonly comments = new Map<number, CommentRecord>();
  readonly reactions: ReactionRecord[] = [];
  /** Logins are case-insensitive on GitHub; keys are lower case. */
  readonly collaborators = new Map<string, Collaborator>();
  readonly dispatches: DispatchRecord[] = [];
  readonly git = new GitObjects();
  /** Full ref name (`refs/heads/main`) → commit sha. */
  readonly refs = new Map<string, string>();
  readonly labels = new Set<string>();

  constructor(
    readonly owner: string,
    readonly name: string,
    /** Repository ids and issue/comment ids are unique across the fake, like GitHub's. */
    readonly nextId: () => number,
  ) {}

  private lastNumber = 0;

  /** Issues and pull requests share one sequence of numbers. */
  nextNumber(): number {
    this.lastNumber += 1;
    return this.lastNumber;
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  setPermission(login: string, permission: Collaborator['permission'], roleName: string = permission): void {
    this.collaborators.set(login.toLowerCase(), { permission, roleName });
  }

  /** Puts an issue straight into the store (no request): for tests that need many. */
  seedIssue(seed: {
    readonly title: string;
    readonly body?: string;
    readonly labels?: readonly string[];
    readonly state?: 'open' | 'closed';
    readonly user?: string;
  }): IssueRecord {
    const now = timestamp();
    const closed = seed.state === 'closed';
    const record: IssueRecord = {
      id: this.nextId(),
      number: this.nextNumber(),
      title: seed.title,
      body: seed.body ?? null,
      state: closed ? 'closed' : 'open',
      stateReason: closed ? 'completed' : null,
      labels: [...(seed.labels ?? [])],
      assignees: [],
      user: seed.user ?? 'octocat',
      createdAt: now,
      updatedAt: now,
      closedAt: closed ? now : null,
    };
    for (const l of record.labels) this.labels.add(l);
    this.issues.set(record.number, record);
    return record;
  }

  commentsOf(issueNumber: number): CommentRecord[] {
    return [...this.comments.values()].filter((c) => c.issueNumber === issueNumber);
  }

  /** The file at `path` on `branch`, decoded, or undefined: how tests look at what a store saved. */
  readFile(branch: string, path: string): string | undefined {
    const head = this.refs.get(`refs/heads/${branch}`);
    const commit = head === undefined ? undefined : this.git.getAs(head, 'commit');
    if (!commit) return undefined;
    const leaf = this.git.flatten(commit.tree).get(path);
    const blob = leaf === undefined ? undefined : this.git.getAs(leaf.sha, 'blob');
    return blob?.content.toString('utf8');
  }
}
