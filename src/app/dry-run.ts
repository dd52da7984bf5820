/**
 * Dry-run is an adapter, not a flag (architecture example 4): each mutating port is wrapped in
 * a decorator that records what would have happened and answers as the real one plausibly
 * would, while reads go through. The use cases run unchanged, so a dry run exercises the same
 * code paths as a real one.
 */
import type { Manifest } from '../core/manifest.js';
import type { ClusterFiles, QuarantineResult } from '../ports/cluster-files.js';
import type {
  EnsuredIssue,
  IssueFinder,
  IssueSpec,
  IssueWriter,
  TrackedIssue,
} from '../ports/issue-tracker.js';
import type {
  CancelResult,
  CancelScope,
  Scheduler,
  SubmitRequest,
  SubmitResult,
} from '../ports/scheduler.js';
import type { LoadedManifest, SaveManifestResult, StateStore } from '../ports/state-store.js';
import type { DispatchedRun, WorkflowDispatcher } from '../ports/workflow-dispatcher.js';

export type DryRunAction =
  | { readonly kind: 'submit'; readonly request: SubmitRequest; readonly jobId: string }
  | { readonly kind: 'cancel'; readonly jobIds: readonly string[] }
  | {
      readonly kind: 'ensure_issue';
      readonly title: string;
      readonly marker: string;
      readonly outcome: EnsuredIssue['outcome'];
    }
  | { readonly kind: 'close_issue'; readonly issue: number; readonly comment: string | null }
  | {
      readonly kind: 'dispatch';
      readonly workflowFile: string;
      readonly ref: string;
      readonly inputs: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'save'; readonly manifest: Manifest }
  | { readonly kind: 'quarantine'; readonly paths: readonly string[]; readonly dest: string };

export class DryRunRecorder {
  readonly actions: DryRunAction[] = [];

  record(action: DryRunAction): void {
    this.actions.push(action);
  }

  of<K extends DryRunAction['kind']>(kind: K): Extract<DryRunAction, { kind: K }>[] {
    return this.actions.filter((a): a is Extract<DryRunAction, { kind: K }> => a.kind === kind);
  }
}

/** Issue numbers a dry run hands out: far above any real repository's, so never confused. */
const DRY_RUN_ISSUE_BASE = 1_000_000_000;

/** Reads go to the cluster; submit and cancel are recorded. */
export function dryRunScheduler(inner: Scheduler, recorder: DryRunRecorder): Scheduler {
  let next = 0;
  return {
    prepare: () => inner.prepare?.(),
    observe: (ids) => inner.observe(ids),
    readLogTails: (requests, max) => inner.readLogTails(requests, max),
    preflight: (request) => inner.preflight(request),
    findByName: (prefix) => inner.findByName(prefix),
    async submit(request: SubmitRequest): Promise<SubmitResult> {
      const jobId = `dryrun-${++next}`;
      recorder.record({ kind: 'submit', request, jobId });
      const out = (request.stdout ?? `${request.name}-%j.out`).replace('%j', jobId);
      const err = (request.stderr ?? `${request.name}-%j.err`).replace('%j', jobId);
      return { ok: true, jobId, stdoutPath: out, stderrPath: err };
    },
    async cancel(jobIds: readonly string[], scope: CancelScope): Promise<CancelResult> {
      const allowed = new Set(scope.jobIds);
      const cancelled = jobIds.filter((id) => allowed.has(id));
      recorder.record({ kind: 'cancel', jobIds: cancelled });
      const refused = jobIds
        .filter((id) => !allowed.has(id))
        .map((jobId) => ({ jobId, reason: 'not_in_scope' as const, detail: 'not a job of this sweep' }));
      return { cancelled, refused };
    },
  };
}

/** Looks issues up for real (so outcomes are right) and records the writes. */
export function dryRunIssues(inner: IssueFinder, recorder: DryRunRecorder): IssueFinder & IssueWriter {
  let next = 0;
  return {
    findByMarker: (label, marker) => inner.findByMarker(label, marker),
    async ensureIssue(spec: IssueSpec): Promise<EnsuredIssue> {
      const existing = await inner.findByMarker(spec.labels[0], spec.marker);
      const same =
        existing !== null && existing.title === spec.title && existing.body.trimEnd() === spec.body.trimEnd();
      const outcome =
        existing === null ? 'created' : same && existing.state === 'open' ? 'unchanged' : 'updated';
      recorder.record({ kind: 'ensure_issue', title: spec.title, marker: spec.marker, outcome });
      const number = existing?.number ?? DRY_RUN_ISSUE_BASE + ++next;
      const issue: TrackedIssue = {
        number,
        title: spec.title,
        body: spec.body,
        state: 'open',
        labels: [...spec.labels],
        url: existing?.url ?? `dry-run://issues/${number}`,
      };
      return { outcome, issue };
    },
    async close(issue: number, comment?: string): Promise<void> {
      recorder.record({ kind: 'close_issue', issue, comment: comment ?? null });
    },
  };
}

export function dryRunDispatcher(recorder: DryRunRecorder): WorkflowDispatcher {
  return {
    async dispatch(workflowFile, ref, inputs): Promise<DispatchedRun> {
      recorder.record({ kind: 'dispatch', workflowFile, ref, inputs: { ...inputs } });
      return { runId: null, runUrl: null, htmlUrl: null };
    },
  };
}

/**
 * Loads the real manifest until the first save; afterwards this run sees its own (unsaved)
 * manifest, so a multi-step use case (launch saves per chunk) reads back what it "wrote".
 */
export function dryRunStore(inner: StateStore, recorder: DryRunRecorder): StateStore {
  let overlay: LoadedManifest | null = null;
  let saves = 0;
  return {
    async load(): Promise<LoadedManifest | null> {
      return overlay ?? inner.load();
    },
    async save(manifest: Manifest, expectedVersion: string | null): Promise<SaveManifestResult> {
      const current = overlay ?? (await inner.load());
      if ((current?.version ?? null) !== expectedVersion) {
        return { ok: false, conflict: true, currentVersion: current?.version ?? null };
      }
      recorder.record({ kind: 'save', manifest });
      overlay = { manifest, version: `dry-run:${++saves}` };
      return { ok: true, version: overlay.version };
    },
  };
}

export function dryRunFiles(recorder: DryRunRecorder): ClusterFiles {
  return {
    async quarantine(paths, dest): Promise<QuarantineResult> {
      recorder.record({ kind: 'quarantine', paths: [...paths], dest });
      return { moved: [], missing: [] };
    },
  };
}
