import type { SaveResult, TextStore, VersionedText } from '../../ports/text-store.js';
import { createOrphanBranch, gitBlobSha } from './git-data.js';
import { errorMessage, type GitHubRepo, httpStatus } from './octokit.js';

/**
 * TextStore as one file on a dedicated branch, through the repository Contents API: one request
 * to load and one to save. Every tick of a 5-minute cron loads, most save, and an Action's token
 * gets 1,000 requests an hour; the Git Data path this replaced cost four of each (ref, commit,
 * tree, blob to read; blob, tree, commit, ref to write).
 *
 * load reads the file with the raw media type, which GitHub serves up to 100 MB (the JSON form
 * carries no content past 1 MB, and a 10,000-condition manifest is several). The version is the
 * file's git blob sha, computed here from the bytes received: the id GitHub knows the file by.
 *
 * save writes the file naming that sha, and GitHub refuses when the file is no longer that blob
 * (409) or, for a file the caller saw absent, when it exists now (422). The compare-and-swap is
 * on the file's content, not on the branch's head, so:
 *  - experiments sharing the branch (one file each) do not make each other's versions stale;
 *  - a file changed and changed back to the same bytes (ABA) is taken as unchanged, which is
 *    harmless: the caller derived its save from exactly that content.
 * GitHub also answers 409 when the branch's head moved under a write (two files written at the
 * same moment); that is a conflict too, and the caller's reload finds its file as it was and
 * writes again.
 *
 * The first save in a repository creates the branch as an orphan commit holding only the file
 * (git-data.ts: four requests, once); a branch someone else created first is a conflict, and
 * the caller reloads.
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
}

/** The file's bytes as the response body, whatever their size (up to GitHub's 100 MB). */
const RAW_MEDIA_TYPE = 'application/vnd.github.raw+json';

const CONFLICT: SaveResult = { ok: false, conflict: true };

/**
 * The body Octokit hands over when asked not to parse it: the fetch stream. Text decoding would
 * drop a byte-order mark, and then the sha computed from the text would never match GitHub's.
 */
async function bytesOf(body: unknown): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof ReadableStream) return Buffer.from(await new Response(body).arrayBuffer());
  if (body === null || body === undefined) return Buffer.alloc(0);
  throw new Error(`unexpected response body for a raw file: ${typeof body}`);
}

export class GitBranchStore implements TextStore {
  private readonly branch: string;
  private readonly message: string;

  constructor(
    private readonly gh: GitHubRepo,
    private readonly options: GitBranchStoreOptions,
  ) {
    if (options.path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new Error(`invalid state file path: ${options.path}`);
    }
    this.branch = options.branch ?? DEFAULT_STATE_BRANCH;
    this.message = options.message ?? `sweepwatch: update ${options.path}`;
  }

  private get file() {
    return { owner: this.gh.owner, repo: this.gh.repo, path: this.options.path };
  }

  async load(): Promise<VersionedText | null> {
    let body: unknown;
    try {
      const response = await this.gh.api.request('GET /repos/{owner}/{repo}/contents/{path}', {
        ...this.file,
        ref: this.branch,
        headers: { accept: RAW_MEDIA_TYPE },
        request: { parseSuccessResponseBody: false },
      });
      body = response.data;
    } catch (error) {
      // No such branch ("No commit found for the ref") or no such file on it.
      if (httpStatus(error) === 404) return null;
      throw error;
    }
    const bytes = await bytesOf(body);
    return { content: bytes.toString('utf8'), version: gitBlobSha(bytes) };
  }

  async save(content: string, expectedVersion: string | null): Promise<SaveResult> {
    const bytes = Buffer.from(content, 'utf8');
    const sha = gitBlobSha(bytes);
    // Already this content: nothing to write, and no request. Had someone saved in between, this
    // save (which changes nothing) still fits before theirs; the stale version it returns makes
    // the caller's next real save conflict and reload, as it should.
    if (sha === expectedVersion) return { ok: true, version: sha };
    try {
      await this.gh.api.request('PUT /repos/{owner}/{repo}/contents/{path}', {
        ...this.file,
        branch: this.branch,
        message: this.message,
        content: bytes.toString('base64'),
        ...(expectedVersion === null ? {} : { sha: expectedVersion }),
      });
      return { ok: true, version: sha };
    } catch (error) {
      const status = httpStatus(error);
      // 404 "Branch not found": the first save in this repository, or the branch was deleted.
      if (status === 404) return expectedVersion === null ? this.createBranch(bytes, sha) : CONFLICT;
      if (status === 409 || (status === 422 && /\bsha\b/i.test(errorMessage(error))))
        return this.refused(sha);
      throw error;
    }
  }

  private async createBranch(bytes: Buffer, sha: string): Promise<SaveResult> {
    const file = { path: this.options.path, content: bytes, message: this.message };
    const created = await createOrphanBranch(this.gh, this.branch, file);
    return created === 'created' ? { ok: true, version: sha } : this.refused(sha);
  }

  /**
   * A refusal can hide a write that landed: a request retried after its answer was lost (a 502)
   * is refused because the file already holds it. One read tells; it costs a request only when
   * a save was refused, which is rare.
   */
  private async refused(sha: string): Promise<SaveResult> {
    const current = await this.load();
    return current?.version === sha ? { ok: true, version: sha } : CONFLICT;
  }
}
