/**
 * In-memory ports for the use cases: issues found by their marker (as the real adapter does),
 * a dispatcher that records its runs, a clock that stands still unless moved, and cluster
 * files that record what was moved aside.
 */

import type { Clock } from '../../src/ports/clock.js';
import type { ClusterFiles, QuarantineResult } from '../../src/ports/cluster-files.js';
import type {
  EnsuredIssue,
  IssueConversation,
  IssueFinder,
  IssueSpec,
  IssueWriter,
  PostedComment,
  TrackedIssue,
} from '../../src/ports/issue-tracker.js';
import type { DispatchedRun, WorkflowDispatcher } from '../../src/ports/workflow-dispatcher.js';

export interface FakeIssues extends IssueFinder, IssueWriter, Pick<IssueConversation, 'comment'> {
  readonly issues: Map<number, TrackedIssue>;
  /** Every write (create, update, close), in order. */
  readonly writes: { kind: 'create' | 'update' | 'close'; number: number }[];
  /** Every comment posted through `comment`, in order (not counted in `writes`). */
  readonly comments: { number: number; body: string }[];
  /** Lookups (findByMarker, ensureIssue): each costs the real adapter a listing per tick. */
  readonly lookups: { marker: string }[];
}

export function createFakeIssues(): FakeIssues {
  const issues = new Map<number, TrackedIssue>();
  const writes: FakeIssues['writes'] = [];
  const comments: FakeIssues['comments'] = [];
  const lookups: FakeIssues['lookups'] = [];
  let next = 1;
  const find = (label: string, marker: string) => {
    lookups.push({ marker });
    return lookUp(label, marker);
  };
  const lookUp = (label: string, marker: string) =>
    [...issues.values()]
      .filter((i) => i.labels.includes(label) && i.body.includes(marker))
      .sort((a, b) => (a.state === b.state ? a.number - b.number : a.state === 'open' ? -1 : 1))[0] ?? null;
  const fake = {
    issues,
    writes,
    comments,
    lookups,
    async comment(issueNumber: number, body: string): Promise<PostedComment> {
      if (!issues.has(issueNumber)) throw new Error(`no issue #${issueNumber}`);
      comments.push({ number: issueNumber, body });
      return {
        id: comments.length,
        url: `https://github.test/issues/${issueNumber}#comment-${comments.length}`,
      };
    },
    async findByMarker(label: string, marker: string): Promise<TrackedIssue | null> {
      return find(label, marker);
    },
    async ensureIssue(spec: IssueSpec): Promise<EnsuredIssue> {
      const body = spec.body.includes(spec.marker) ? spec.body : `${spec.marker}\n${spec.body}`;
      // As the GitHub adapter: at a recorded number that still holds an issue, written unlooked-up.
      const known = spec.number === undefined ? undefined : issues.get(spec.number);
      if (known !== undefined) {
        const labels = [...new Set([...known.labels, ...spec.labels])];
        const issue: TrackedIssue = { ...known, title: spec.title, body, state: 'open', labels };
        issues.set(issue.number, issue);
        writes.push({ kind: 'update', number: issue.number });
        return { outcome: 'updated', issue };
      }
      const existing = find(spec.labels[0], spec.marker);
      if (existing === null) {
        const issue: TrackedIssue = {
          number: next++,
          title: spec.title,
          body,
          state: 'open',
          labels: [...spec.labels],
          url: `https://github.test/issues/${next - 1}`,
        };
        issues.set(issue.number, issue);
        writes.push({ kind: 'create', number: issue.number });
        return { outcome: 'created', issue };
      }
      if (existing.title === spec.title && existing.body === body && existing.state === 'open') {
        return { outcome: 'unchanged', issue: existing };
      }
      const issue: TrackedIssue = { ...existing, title: spec.title, body, state: 'open' };
      issues.set(issue.number, issue);
      writes.push({ kind: 'update', number: issue.number });
      return { outcome: 'updated', issue };
    },
    async close(issueNumber: number): Promise<void> {
      const issue = issues.get(issueNumber);
      if (issue === undefined || issue.state === 'closed') return;
      issues.set(issueNumber, { ...issue, state: 'closed' });
      writes.push({ kind: 'close', number: issueNumber });
    },
  } satisfies FakeIssues;
  return fake;
}

export interface FakeDispatcher extends WorkflowDispatcher {
  readonly runs: { workflowFile: string; ref: string; inputs: Readonly<Record<string, string>> }[];
}

export function createFakeDispatcher(): FakeDispatcher {
  const runs: FakeDispatcher['runs'] = [];
  return {
    runs,
    async dispatch(workflowFile, ref, inputs): Promise<DispatchedRun> {
      runs.push({ workflowFile, ref, inputs });
      return { runId: runs.length, runUrl: null, htmlUrl: `https://github.test/runs/${runs.length}` };
    },
  } satisfies FakeDispatcher;
}

export interface FakeClock extends Clock {
  /** Moves the clock forward. */
  advance(seconds: number): void;
}

export function createFakeClock(start = '2026-03-02T09:00:00Z'): FakeClock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(seconds: number) {
      t += seconds * 1000;
    },
  } satisfies FakeClock;
}

export interface FakeFiles extends ClusterFiles {
  readonly moves: { paths: readonly string[]; dest: string }[];
}

export function createFakeFiles(): FakeFiles {
  const moves: FakeFiles['moves'] = [];
  return {
    moves,
    async quarantine(paths, dest): Promise<QuarantineResult> {
      moves.push({ paths, dest });
      return { moved: [...paths], missing: [] };
    },
  } satisfies FakeFiles;
}
