import type { Person } from './git-objects.js';
import { bodyAs, type Handler, type HandlerContext, optStr, str } from './handler.js';
import { HttpError, notFound, Unsupported, unprocessable } from './http-error.js';
import { gitCommit } from './representations.js';

/**
 * The repository Contents API for files, on the same git objects and refs as the Git Data
 * routes (a file written here is read there and the other way round): get a file (JSON or the
 * raw media type) and create or update one, with GitHub's compare-and-swap on the file's blob sha.
 */

/** The JSON form stops carrying a file's content past 1 MB; the raw media type serves up to 100 MB. */
const JSON_CONTENT_LIMIT = 1024 * 1024;
/** What GitHub sends raw content as (Octokit reads it as text because of the charset). */
const RAW_CONTENT_TYPE = 'application/vnd.github.raw; charset=utf-8';

interface FileWrite {
  readonly message: string;
  readonly content: string;
  readonly sha?: string;
  readonly branch?: string;
  readonly committer?: { readonly name: string; readonly email: string; readonly date?: string };
  readonly author?: { readonly name: string; readonly email: string; readonly date?: string };
}

function wantsRaw(accept: string): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/i.test(accept);
}

/** The commit a `ref` names: a branch, a tag or a commit sha. */
function commitOf(ctx: HandlerContext, ref: string): string | undefined {
  const viaRef = ctx.repo.refs.get(`refs/heads/${ref}`) ?? ctx.repo.refs.get(`refs/tags/${ref}`);
  if (viaRef !== undefined) return viaRef;
  return ctx.repo.git.getAs(ref, 'commit') === undefined ? undefined : ref;
}

function fileJson(ctx: HandlerContext, ref: string, path: string, sha: string, content: Buffer | null) {
  const repoUrl = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const self = `${repoUrl}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${repoUrl}/git/blobs/${sha}`;
  const html = `${ctx.urls.html}/${ctx.repo.fullName}/blob/${ref}/${path}`;
  const size = ctx.repo.git.getAs(sha, 'blob')?.content.length ?? 0;
  return {
    name: path.split('/').at(-1) ?? path,
    path,
    sha,
    size,
    url: self,
    html_url: html,
    git_url: git,
    download_url: `https://raw.githubusercontent.com/${ctx.repo.fullName}/${ref}/${path}`,
    type: 'file',
    _links: { self, git, html },
    ...(content === null
      ? {}
      : content.length > JSON_CONTENT_LIMIT
        ? { content: '', encoding: 'none' }
        : { content: content.toString('base64'), encoding: 'base64' }),
  };
}

/** GET contents/{path}: the default branch is not modelled, so `ref` is required here. */
const getContent: Handler = (ctx) => {
  const ref = optStr(ctx, 'ref');
  if (ref === undefined) throw new Unsupported('contents of the default branch (give ref)');
  const commitSha = commitOf(ctx, ref);
  const commit = commitSha === undefined ? undefined : ctx.repo.git.getAs(commitSha, 'commit');
  if (!commit) throw new HttpError(404, `No commit found for the ref ${ref}`);
  const path = str(ctx, 'path');
  const leaves = ctx.repo.git.flatten(commit.tree);
  const leaf = leaves.get(path);
  if (leaf === undefined) {
    if ([...leaves.keys()].some((p) => p.startsWith(`${path}/`))) throw new Unsupported('directory listings');
    throw notFound();
  }
  const blob = leaf.type === 'blob' ? ctx.repo.git.getAs(leaf.sha, 'blob') : undefined;
  if (!blob || !['100644', '100755'].includes(leaf.mode)) throw new Unsupported('symlinks and submodules');
  if (wantsRaw(ctx.accept))
    return { status: 200, raw: blob.content, headers: { 'content-type': RAW_CONTENT_TYPE } };
  return { status: 200, body: fileJson(ctx, ref, path, blob.sha, blob.content) };
};

/**
 * PUT contents/{path}: one commit on the branch's head setting the file. Updating needs the sha
 * of the blob being replaced: a different one is 409 ("does not match"), none at all is 422.
 */
const putContent: Handler = (ctx) => {
  const input = bodyAs<FileWrite>(ctx);
  const path = str(ctx, 'path');
  if (input.branch === undefined) throw new Unsupported('writing to the default branch (give branch)');
  const ref = `refs/heads/${input.branch}`;
  const head = ctx.repo.refs.get(ref);
  const parent = head === undefined ? undefined : ctx.repo.git.getAs(head, 'commit');
  if (head === undefined || !parent) throw new HttpError(404, `Branch ${input.branch} not found`);
  if (!/^[A-Za-z0-9+/=\s]*$/.test(input.content)) throw unprocessable('content is not valid Base64');
  const leaves = ctx.repo.git.flatten(parent.tree);
  const existing = leaves.get(path);
  if ([...leaves.keys()].some((p) => p.startsWith(`${path}/`))) throw unprocessable(`${path} is a directory`);
  if (existing !== undefined && input.sha === undefined)
    throw unprocessable('Invalid request.\n\n"sha" wasn\'t supplied.');
  if (input.sha !== undefined && input.sha !== existing?.sha)
    throw new HttpError(409, `${path} does not match ${input.sha}`);
  const blob = ctx.repo.git.putBlob(Buffer.from(input.content, 'base64'));
  leaves.set(path, { mode: existing?.mode ?? '100644', type: 'blob', sha: blob });
  const date = ctx.now();
  const fallback: Person = { name: ctx.viewer, email: `${ctx.viewer}@users.noreply.github.com`, date };
  const committer: Person = { ...fallback, ...input.committer };
  const author: Person = { ...committer, ...input.author };
  const sha = ctx.repo.git.putCommit({
    tree: ctx.repo.git.buildTree(leaves),
    parents: [head],
    message: input.message,
    author,
    committer,
  });
  const commit = ctx.repo.git.getAs(sha, 'commit');
  if (!commit) throw notFound();
  ctx.repo.refs.set(ref, sha);
  return {
    status: existing === undefined ? 201 : 200,
    body: {
      content: fileJson(ctx, input.branch, path, blob, null),
      commit: gitCommit(ctx.urls, ctx.repo, commit),
    },
  };
};

export const contentHandlers: Readonly<Record<string, Handler>> = {
  'repos/get-content': getContent,
  'repos/create-or-update-file-contents': putContent,
};
