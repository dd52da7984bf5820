import { createHash } from 'node:crypto';
import { errorMessage, type GitHubRepo, httpStatus } from './octokit.js';

/**
 * The Git Data API calls the branch store is made of. Reads go through trees and blobs, never the
 * Contents API, which stops serving file content at 1 MB.
 */

export type RefMove = 'ok' | 'moved';

/** The id git (and GitHub) gives this content as a blob, computed locally. */
export function gitBlobSha(content: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]))
    .digest('hex');
}

export class GitData {
  constructor(private readonly gh: GitHubRepo) {}

  private get where() {
    return { owner: this.gh.owner, repo: this.gh.repo };
  }

  /** The branch's head commit, or null when the branch does not exist. */
  async head(branch: string): Promise<string | null> {
    try {
      const { data } = await this.gh.api.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
        ...this.where,
        ref: `heads/${branch}`,
      });
      return data.object.sha;
    } catch (error) {
      if (httpStatus(error) === 404) return null;
      throw error;
    }
  }

  async treeOf(commit: string): Promise<string> {
    const { data } = await this.gh.api.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
      ...this.where,
      commit_sha: commit,
    });
    return data.tree.sha;
  }

  /** The blob at `path` in the tree, or null. One request: the recursive listing. */
  async blobAt(tree: string, path: string): Promise<string | null> {
    const { data } = await this.gh.api.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...this.where,
      tree_sha: tree,
      recursive: '1',
    });
    const entry = data.tree.find((e) => e.path === path && e.type === 'blob');
    // Truncation (past 100,000 entries) does not happen on a branch that holds only state files.
    if (!entry && data.truncated) throw new Error(`tree ${tree} is too large to list; cannot find ${path}`);
    return entry?.sha ?? null;
  }

  async readBlob(sha: string): Promise<Buffer> {
    const { data } = await this.gh.api.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      ...this.where,
      file_sha: sha,
    });
    // base64, wrapped in lines; Buffer.from skips the newlines.
    return data.encoding === 'base64'
      ? Buffer.from(data.content, 'base64')
      : Buffer.from(data.content, 'utf8');
  }

  /** base64 carries the bytes exactly, whatever their size or charset. */
  async writeBlob(content: Buffer): Promise<string> {
    const { data } = await this.gh.api.request('POST /repos/{owner}/{repo}/git/blobs', {
      ...this.where,
      content: content.toString('base64'),
      encoding: 'base64',
    });
    return data.sha;
  }

  /** A tree that is `baseTree` (or empty) with the file at `path` set to `blob`. */
  async writeTree(baseTree: string | null, path: string, blob: string): Promise<string> {
    const { data } = await this.gh.api.request('POST /repos/{owner}/{repo}/git/trees', {
      ...this.where,
      ...(baseTree === null ? {} : { base_tree: baseTree }),
      tree: [{ path, mode: '100644', type: 'blob', sha: blob }],
    });
    return data.sha;
  }

  async writeCommit(tree: string, parents: readonly string[], message: string): Promise<string> {
    const { data } = await this.gh.api.request('POST /repos/{owner}/{repo}/git/commits', {
      ...this.where,
      message,
      tree,
      parents: [...parents],
    });
    return data.sha;
  }

  /**
   * The compare-and-swap: moves the branch to `commit` only as a fast-forward. 422 (not a fast
   * forward, or the branch is gone) means someone else moved it first.
   */
  async moveRef(branch: string, commit: string): Promise<RefMove> {
    try {
      await this.gh.api.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        ...this.where,
        ref: `heads/${branch}`,
        sha: commit,
        force: false,
      });
      return 'ok';
    } catch (error) {
      if (httpStatus(error) === 422 && /fast.forward|does not exist/i.test(errorMessage(error)))
        return 'moved';
      throw error;
    }
  }

  /** Creates the branch at `commit`; 422 "Reference already exists" means someone was first. */
  async createRef(branch: string, commit: string): Promise<RefMove> {
    try {
      await this.gh.api.request('POST /repos/{owner}/{repo}/git/refs', {
        ...this.where,
        ref: `refs/heads/${branch}`,
        sha: commit,
      });
      return 'ok';
    } catch (error) {
      if (httpStatus(error) === 422 && /already exists/i.test(errorMessage(error))) return 'moved';
      throw error;
    }
  }
}
