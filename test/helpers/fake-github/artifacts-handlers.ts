import { type Handler, type HandlerContext, int, optStr, paginate, str } from './handler.js';
import { HttpError, notFound } from './http-error.js';
import type { RepoState } from './repo-state.js';

/**
 * The REST side of workflow artifacts: list a repository's artifacts (by name, newest first),
 * download one (302 to a signed blob URL, 410 once expired) and delete one (204, 404 when there is
 * none: deleted already, or never finalized). The artifacts themselves live in the
 * fake Actions artifact services (test/helpers/fake-actions-artifacts/), which attach a view of
 * them to a repository; a repository without one has no artifacts.
 */

export interface RestArtifact {
  readonly id: number;
  readonly name: string;
  readonly sizeInBytes: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly expired: boolean;
  readonly digest: string | null;
  readonly workflowRun: {
    readonly id: number;
    readonly repositoryId: number;
    readonly headRepositoryId: number;
    readonly headBranch: string;
    readonly headSha: string;
  };
}

export interface RepoArtifacts {
  /** Finalized artifacts, newest first. */
  list(): readonly RestArtifact[];
  /** A short-lived signed URL of the artifact's zip. */
  downloadUrl(id: number): string;
  /** Deletes the artifact, whichever run uploaded it; false when there is no such artifact. */
  delete(id: number): boolean;
}

const attached = new WeakMap<RepoState, RepoArtifacts>();

export function attachArtifacts(repo: RepoState, artifacts: RepoArtifacts): void {
  attached.set(repo, artifacts);
}

function representation(ctx: HandlerContext, a: RestArtifact) {
  const url = `${ctx.urls.api}/repos/${ctx.repo.fullName}/actions/artifacts/${a.id}`;
  return {
    id: a.id,
    node_id: Buffer.from(`Artifact:${a.id}`).toString('base64'),
    name: a.name,
    size_in_bytes: a.sizeInBytes,
    url,
    archive_download_url: `${url}/zip`,
    expired: a.expired,
    created_at: a.createdAt,
    expires_at: a.expiresAt,
    updated_at: a.createdAt,
    digest: a.digest,
    workflow_run: {
      id: a.workflowRun.id,
      repository_id: a.workflowRun.repositoryId,
      head_repository_id: a.workflowRun.headRepositoryId,
      head_branch: a.workflowRun.headBranch,
      head_sha: a.workflowRun.headSha,
    },
  };
}

const list: Handler = (ctx) => {
  const name = optStr(ctx, 'name');
  const all = (attached.get(ctx.repo)?.list() ?? []).filter((a) => name === undefined || a.name === name);
  const { page, headers } = paginate(ctx, all);
  return {
    status: 200,
    headers,
    body: { total_count: all.length, artifacts: page.map((a) => representation(ctx, a)) },
  };
};

const download: Handler = (ctx) => {
  if (str(ctx, 'archive_format') !== 'zip') throw notFound();
  const artifacts = attached.get(ctx.repo);
  const artifact = artifacts?.list().find((a) => a.id === int(ctx, 'artifact_id'));
  if (!artifacts || !artifact) throw notFound();
  if (artifact.expired) throw new HttpError(410, 'Artifact has expired');
  return { status: 302, headers: { location: artifacts.downloadUrl(artifact.id) } };
};

const remove: Handler = (ctx) => {
  const artifacts = attached.get(ctx.repo);
  if (!artifacts?.delete(int(ctx, 'artifact_id'))) throw notFound();
  return { status: 204 };
};

export const artifactHandlers: Readonly<Record<string, Handler>> = {
  'actions/list-artifacts-for-repo': list,
  'actions/download-artifact': download,
  'actions/delete-artifact': remove,
};
