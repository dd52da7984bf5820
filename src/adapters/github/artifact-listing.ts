import { BlobError, type BlobOptions, getBlob } from './artifact-blob.js';
import type { GitHubRepo } from './octokit.js';
import { httpStatus } from './octokit.js';

/**
 * The REST side of state artifacts: the repository's artifacts of one name, across runs, the
 * download of one of them (a 302 to a signed blob URL, fetched without the token), and the deletion
 * of one that a save superseded.
 *
 * Only artifacts uploaded by a run of this repository on its default branch count. Any workflow
 * run may upload artifacts under any name, and a manifest is trusted input: the next tick tails
 * the log paths it names into an issue, so a planted one pointing at ~/.ssh/id_ed25519 would
 * publish the key. Pull requests from forks run in the base repository (their runs have another
 * head repository); Dependabot's and pull requests' runs on branches of the repository itself run
 * code nobody reviewed yet with a token that can upload artifacts. sweepwatch's own runs (schedule,
 * workflow_dispatch, issue_comment) run on the default branch, which only reviewed code reaches. So
 * an artifact counts only when its run's head repository is the repository and its head branch is
 * the default branch; one without a run cannot be traced at all and is ignored too.
 *
 * GitHub lists artifacts newest first. Paging stops once the caller has what it asked for, so a
 * flood of fork artifacts costs pages, not a wrong answer: past the last page read, the listing
 * refuses rather than guess.
 */

export interface StateArtifact {
  readonly id: number;
  readonly name: string;
  readonly expired: boolean;
  readonly expiresAt: string | null;
  readonly runId: number;
}

export interface ListOptions {
  /** The repository's default branch: only artifacts of runs on it are state. */
  readonly branch: string;
  /** Keep paging until an artifact with an id at or below this one is seen (null: until any). */
  readonly floor: number | null;
  /** Default 100, GitHub's maximum. */
  readonly perPage?: number;
  /** Pages per name before giving up (default 10). */
  readonly maxPages?: number;
  readonly now?: () => number;
}

export class ArtifactListingError extends Error {
  override readonly name = 'ArtifactListingError';
}

interface RestArtifact {
  readonly id: number;
  readonly name: string;
  readonly expired: boolean;
  readonly expires_at: string | null;
  readonly workflow_run?: {
    readonly id?: number;
    readonly repository_id?: number;
    readonly head_repository_id?: number;
    readonly head_branch?: string;
  } | null;
}

function trusted(
  a: RestArtifact,
  branch: string,
): a is RestArtifact & { workflow_run: { id: number; repository_id: number; head_repository_id: number } } {
  const run = a.workflow_run;
  return (
    typeof run?.id === 'number' &&
    typeof run.repository_id === 'number' &&
    run.head_repository_id === run.repository_id &&
    run.head_branch === branch
  );
}

async function listName(gh: GitHubRepo, name: string, options: ListOptions): Promise<StateArtifact[]> {
  const perPage = options.perPage ?? 100;
  const maxPages = options.maxPages ?? 10;
  const now = (options.now ?? Date.now)();
  const found: StateArtifact[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const { data } = await gh.api.request('GET /repos/{owner}/{repo}/actions/artifacts', {
      owner: gh.owner,
      repo: gh.repo,
      name,
      per_page: perPage,
      page,
    });
    for (const a of data.artifacts) {
      if (a.name !== name || !trusted(a, options.branch)) continue;
      const lapsed = a.expires_at !== null && Date.parse(a.expires_at) <= now;
      found.push({
        id: a.id,
        name: a.name,
        expired: a.expired || lapsed,
        expiresAt: a.expires_at,
        runId: a.workflow_run.id,
      });
    }
    const lowest = found.at(-1)?.id;
    const enough = lowest !== undefined && (options.floor === null || lowest <= options.floor);
    if (enough || data.artifacts.length < perPage) return found;
  }
  throw new ArtifactListingError(
    `artifacts named ${name}: ${maxPages * perPage} listed without reaching the state sweepwatch needs ` +
      '(most are from pull requests or side branches, which sweepwatch ignores); delete them and retry',
  );
}

/** This repository's default-branch artifacts named any of `names`, newest first. */
export async function listStateArtifacts(
  gh: GitHubRepo,
  names: readonly string[],
  options: ListOptions,
): Promise<StateArtifact[]> {
  const lists = await Promise.all(names.map((name) => listName(gh, name, options)));
  return lists.flat().sort((a, b) => b.id - a.id);
}

/** The artifact's zip, or null when it is gone (deleted or expired since it was listed). */
export async function downloadArtifact(
  gh: GitHubRepo,
  id: number,
  blob: BlobOptions = {},
): Promise<Buffer | null> {
  let location: string | undefined;
  try {
    const response = await gh.api.request(
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
      {
        owner: gh.owner,
        repo: gh.repo,
        artifact_id: id,
        archive_format: 'zip',
        // The token must not follow the redirect to blob storage: take the URL, fetch it bare.
        request: { redirect: 'manual' },
      },
    );
    location = typeof response.headers.location === 'string' ? response.headers.location : undefined;
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404 || status === 410) return null;
    throw error;
  }
  if (location === undefined) {
    throw new ArtifactListingError(`artifact ${id}: GitHub answered the download without a redirect`);
  }
  try {
    return await getBlob(location, blob);
  } catch (error) {
    // Deleted between the redirect and the read (a run cleaning up its previous save).
    if (error instanceof BlobError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Deletes an artifact of any run of the repository (the results service deletes only the calling
 * run's); needs `actions: write`. False when it was gone already.
 */
export async function deleteRepoArtifact(gh: GitHubRepo, id: number): Promise<boolean> {
  try {
    await gh.api.request('DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}', {
      owner: gh.owner,
      repo: gh.repo,
      artifact_id: id,
    });
    return true;
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}
