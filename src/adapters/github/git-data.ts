import { createHash } from 'node:crypto';
import { errorMessage, type GitHubRepo, httpStatus } from './octokit.js';

/**
 * Creating the state branch through the Git Data API: a blob, a tree holding only that file, a
 * commit without parents and the ref. The Contents API writes only onto a branch that exists, and
 * a branch made from another would carry its history, workflows included; an orphan commit holds
 * nothing but sweepwatch's file, so a state commit can never trigger CI. Once per repository;
 * every later read and write of the file goes through the Contents API (git-branch-store.ts).
 */

/** The id git (and GitHub) gives this content as a blob, computed locally. */
export function gitBlobSha(content: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]))
    .digest('hex');
}

/** `exists`: the ref was there already (someone created the branch first). */
export type BranchCreation = 'created' | 'exists';

export async function createOrphanBranch(
  gh: GitHubRepo,
  branch: string,
  file: { readonly path: string; readonly content: Buffer; readonly message: string },
): Promise<BranchCreation> {
  const where = { owner: gh.owner, repo: gh.repo };
  // base64 carries the bytes exactly, whatever their size or charset.
  const blob = await gh.api.request('POST /repos/{owner}/{repo}/git/blobs', {
    ...where,
    content: file.content.toString('base64'),
    encoding: 'base64',
  });
  const tree = await gh.api.request('POST /repos/{owner}/{repo}/git/trees', {
    ...where,
    tree: [{ path: file.path, mode: '100644', type: 'blob', sha: blob.data.sha }],
  });
  const commit = await gh.api.request('POST /repos/{owner}/{repo}/git/commits', {
    ...where,
    message: file.message,
    tree: tree.data.sha,
    parents: [],
  });
  try {
    await gh.api.request('POST /repos/{owner}/{repo}/git/refs', {
      ...where,
      ref: `refs/heads/${branch}`,
      sha: commit.data.sha,
    });
    return 'created';
  } catch (error) {
    if (httpStatus(error) === 422 && /already exists/i.test(errorMessage(error))) return 'exists';
    throw error;
  }
}
