import type { SaveResult, TextStore, VersionedText } from '../../ports/text-store.js';
import { GitData, gitBlobSha } from './git-data.js';
import type { GitHubRepo } from './octokit.js';

/**
 * TextStore as one file on a dedicated branch, written through the Git Data API: blob → tree
 * (on the head's tree) → commit (parent: the version loaded) → fast-forward-only ref update, the
 * compare-and-swap. The version is the branch's head commit.
 *
 * The branch is created as an orphan commit holding only sweepwatch's files: it carries no
 * workflows, so a state commit can never trigger CI, and nothing needs the default branch.
 *
 * Several experiments may share the branch (one file each). A save whose ref update loses the race
 * re-checks only its own file: if another experiment moved the head but this file is as it was at
 * `expectedVersion`, the commit is rebuilt on the new head; if this file changed, it is a conflict.
 */

export const DEFAULT_STATE_BRANCH = 'sweepwatch-state';

/** `sweepwatch/<experiment>.json`, the file of one experiment's manifest. */
export function manifestPath(experiment: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(experiment))
    throw new Error(`invalid experiment name: ${experiment}`);
  return `sweepwatch/${experiment}.json`;
}

export interface GitBranchStoreOptions {
  readonly path: string;
  readonly branch?: string;
  readonly message?: string;
  /** Rebuilds on a head that moved for another file, at most. Default 3. */
  readonly maxRebases?: number;
}

/** What a commit holds that the store cares about (immutable, so cached by commit). */
interface CommitState {
  readonly tree: string;
  readonly blob: string | null;
}

const CONFLICT: SaveResult = { ok: false, conflict: true };

export class GitBranchStore implements TextStore {
  private readonly git: GitData;
  private readonly branch: string;
  private readonly commits = new Map<string, CommitState>();
  private readonly blobs = new Map<string, string>();

  constructor(
    gh: GitHubRepo,
    private readonly options: GitBranchStoreOptions,
  ) {
    if (options.path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new Error(`invalid state file path: ${options.path}`);
    }
    this.git = new GitData(gh);
    this.branch = options.branch ?? DEFAULT_STATE_BRANCH;
  }

  async load(): Promise<VersionedText | null> {
    const head = await this.git.head(this.branch);
    if (head === null) return null;
    const { blob } = await this.stateOf(head);
    if (blob === null) return null;
    let content = this.blobs.get(blob);
    if (content === undefined) {
      content = (await this.git.readBlob(blob)).toString('utf8');
      this.remember(blob, content);
    }
    return { content, version: head };
  }

  async save(content: string, expectedVersion: string | null): Promise<SaveResult> {
    const bytes = Buffer.from(content, 'utf8');
    const sha = gitBlobSha(bytes);
    const baseline = expectedVersion === null ? null : (await this.stateOf(expectedVersion)).blob;
    let parent = expectedVersion ?? (await this.git.head(this.branch));
    // Whether `parent` is the head as just read (not merely the version the caller had).
    let fresh = expectedVersion === null;
    let blob: string | undefined;
    for (let attempt = 0; attempt <= (this.options.maxRebases ?? 3); attempt++) {
      const current = parent === null ? null : (await this.stateOf(parent)).blob;
      if (current !== baseline) return CONFLICT;
      if (current === sha && parent !== null) {
        // The file already holds this content: nothing to write once the head is confirmed.
        if (fresh) return { ok: true, version: parent };
        parent = await this.git.head(this.branch);
        fresh = true;
        continue;
      }
      blob ??= await this.git.writeBlob(bytes);
      this.remember(blob, content);
      const commit = await this.commitOnto(parent, blob);
      const moved =
        parent === null
          ? await this.git.createRef(this.branch, commit)
          : await this.git.moveRef(this.branch, commit);
      if (moved === 'ok') return { ok: true, version: commit };
      parent = await this.git.head(this.branch);
      fresh = true;
      // A retried request can report a loss for a write that had landed.
      if (parent === commit) return { ok: true, version: commit };
    }
    return CONFLICT;
  }

  private async commitOnto(parent: string | null, blob: string): Promise<string> {
    const base = parent === null ? null : (await this.stateOf(parent)).tree;
    const tree = await this.git.writeTree(base, this.options.path, blob);
    const message = this.options.message ?? `sweepwatch: update ${this.options.path}`;
    const commit = await this.git.writeCommit(tree, parent === null ? [] : [parent], message);
    this.commits.set(commit, { tree, blob });
    return commit;
  }

  private async stateOf(commit: string): Promise<CommitState> {
    const known = this.commits.get(commit);
    if (known) return known;
    const tree = await this.git.treeOf(commit);
    const state = { tree, blob: await this.git.blobAt(tree, this.options.path) };
    this.commits.set(commit, state);
    return state;
  }

  /** Only the latest content is worth keeping: a manifest can be megabytes. */
  private remember(blob: string, content: string): void {
    this.blobs.clear();
    this.blobs.set(blob, content);
  }
}
