import type { Leaf, Person } from './git-objects.js';
import { bodyAs, type Handler, type HandlerContext, str } from './handler.js';
import { notFound, Unsupported, unprocessable } from './http-error.js';
import { gitCommit, gitRef, wrappedBase64 } from './representations.js';

/** The Git Data API: refs (with GitHub's fast-forward check), blobs, trees and commits. */

interface TreeInput {
  readonly path?: string;
  readonly mode?: string;
  readonly type?: 'blob' | 'tree' | 'commit';
  readonly sha?: string | null;
  readonly content?: string;
}

interface CommitInput {
  readonly message: string;
  readonly tree: string;
  readonly parents?: readonly string[];
  readonly author?: Partial<Person> & { readonly name: string; readonly email: string };
  readonly committer?: Partial<Person>;
  readonly signature?: string;
}

function gitUrl(ctx: HandlerContext, kind: string, sha: string): string {
  return `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/${kind}/${sha}`;
}

function commitExists(ctx: HandlerContext, sha: string): boolean {
  return ctx.repo.git.getAs(sha, 'commit') !== undefined;
}

const getRef: Handler = (ctx) => {
  const ref = `refs/${str(ctx, 'ref')}`;
  const sha = ctx.repo.refs.get(ref);
  if (sha === undefined) throw notFound();
  return { status: 200, body: gitRef(ctx.urls, ctx.repo, ref, sha) };
};

const createRef: Handler = (ctx) => {
  const { ref, sha } = bodyAs<{ readonly ref: string; readonly sha: string }>(ctx);
  if (!/^refs\/[^/]+\/.+/.test(ref)) {
    throw unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
  }
  if (ctx.repo.refs.has(ref)) throw unprocessable('Reference already exists');
  if (!commitExists(ctx, sha)) throw unprocessable('Object does not exist');
  ctx.repo.refs.set(ref, sha);
  return { status: 201, body: gitRef(ctx.urls, ctx.repo, ref, sha) };
};

/** The compare-and-swap: without force, the new commit must descend from the current head. */
const updateRef: Handler = (ctx) => {
  const ref = `refs/${str(ctx, 'ref')}`;
  const { sha, force = false } = bodyAs<{ readonly sha: string; readonly force?: boolean }>(ctx);
  const current = ctx.repo.refs.get(ref);
  if (current === undefined) throw unprocessable('Reference does not exist');
  if (!commitExists(ctx, sha)) throw unprocessable('Object does not exist');
  if (!force && !ctx.repo.git.isAncestor(current, sha)) throw unprocessable('Update is not a fast forward');
  ctx.repo.refs.set(ref, sha);
  return { status: 200, body: gitRef(ctx.urls, ctx.repo, ref, sha) };
};

const createBlob: Handler = (ctx) => {
  const { content, encoding = 'utf-8' } = bodyAs<{ readonly content: string; readonly encoding?: string }>(
    ctx,
  );
  if (encoding !== 'utf-8' && encoding !== 'base64') throw unprocessable(`encoding must be utf-8 or base64`);
  if (encoding === 'base64' && !/^[A-Za-z0-9+/=\s]*$/.test(content))
    throw unprocessable('content is not base64');
  const sha = ctx.repo.git.putBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
  return { status: 201, body: { sha, url: gitUrl(ctx, 'blobs', sha) } };
};

const getBlob: Handler = (ctx) => {
  const blob = ctx.repo.git.getAs(str(ctx, 'file_sha'), 'blob');
  if (!blob) throw notFound();
  return {
    status: 200,
    body: {
      sha: blob.sha,
      node_id: Buffer.from(`Blob:${blob.sha}`).toString('base64'),
      url: gitUrl(ctx, 'blobs', blob.sha),
      size: blob.content.length,
      content: wrappedBase64(blob.content),
      encoding: 'base64',
    },
  };
};

function applyEntry(ctx: HandlerContext, leaves: Map<string, Leaf>, e: TreeInput): void {
  const { path, mode, type } = e;
  if (!path || !mode || !type) throw unprocessable('tree entries need path, mode and type');
  if (e.sha !== undefined && e.content !== undefined)
    throw unprocessable('give either tree.sha or tree.content');
  for (const existing of [...leaves.keys()]) {
    if (existing === path || existing.startsWith(`${path}/`)) leaves.delete(existing);
  }
  if (e.sha === null) return;
  if (e.content !== undefined) {
    leaves.set(path, { mode, type: 'blob', sha: ctx.repo.git.putBlob(Buffer.from(e.content, 'utf8')) });
    return;
  }
  if (e.sha === undefined) throw unprocessable('tree entries need sha or content');
  if (type === 'tree') {
    for (const [sub, leaf] of ctx.repo.git.flatten(e.sha)) leaves.set(`${path}/${sub}`, leaf);
    return;
  }
  if (type === 'blob' && !ctx.repo.git.getAs(e.sha, 'blob'))
    throw unprocessable(`tree.sha ${e.sha} is not a blob`);
  leaves.set(path, { mode, type, sha: e.sha });
}

function treeBody(ctx: HandlerContext, sha: string, recursive: boolean): Record<string, unknown> {
  const entries: Record<string, unknown>[] = [];
  const walk = (treeSha: string, prefix: string): void => {
    for (const e of ctx.repo.git.getAs(treeSha, 'tree')?.entries ?? []) {
      const path = `${prefix}${e.name}`;
      const blob = e.type === 'blob' ? ctx.repo.git.getAs(e.sha, 'blob') : undefined;
      const kind = e.type === 'blob' ? 'blobs' : e.type === 'tree' ? 'trees' : 'commits';
      entries.push({
        path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        url: gitUrl(ctx, kind, e.sha),
        ...(blob ? { size: blob.content.length } : {}),
      });
      if (recursive && e.type === 'tree') walk(e.sha, `${path}/`);
    }
  };
  walk(sha, '');
  return { sha, url: gitUrl(ctx, 'trees', sha), tree: entries, truncated: false };
}

const createTree: Handler = (ctx) => {
  const { tree, base_tree } = bodyAs<{ readonly tree: readonly TreeInput[]; readonly base_tree?: string }>(
    ctx,
  );
  if (base_tree !== undefined && !ctx.repo.git.getAs(base_tree, 'tree'))
    throw unprocessable('base_tree is not a tree');
  const leaves = base_tree === undefined ? new Map<string, Leaf>() : ctx.repo.git.flatten(base_tree);
  for (const e of tree) applyEntry(ctx, leaves, e);
  return { status: 201, body: treeBody(ctx, ctx.repo.git.buildTree(leaves), false) };
};

/** `tree_sha` is a tree sha or, as documented, a branch or tag name. */
const getTree: Handler = (ctx) => {
  const wanted = str(ctx, 'tree_sha');
  const viaRef = ctx.repo.refs.get(`refs/heads/${wanted}`) ?? ctx.repo.refs.get(`refs/tags/${wanted}`);
  const sha = viaRef === undefined ? wanted : ctx.repo.git.getAs(viaRef, 'commit')?.tree;
  if (sha === undefined || !ctx.repo.git.getAs(sha, 'tree')) throw notFound();
  return { status: 200, body: treeBody(ctx, sha, ctx.params.recursive !== undefined) };
};

const createCommit: Handler = (ctx) => {
  const input = bodyAs<CommitInput>(ctx);
  if (input.signature !== undefined) throw new Unsupported('signed commits');
  if (!ctx.repo.git.getAs(input.tree, 'tree')) throw unprocessable('Tree SHA does not exist');
  const parents = input.parents ?? [];
  for (const p of parents) {
    if (!commitExists(ctx, p)) throw unprocessable('Parent SHA does not exist or is not a commit object');
  }
  const now = ctx.now();
  const fallback: Person = { name: ctx.viewer, email: `${ctx.viewer}@users.noreply.github.com`, date: now };
  const author: Person = { ...fallback, ...input.author };
  const committer: Person = { ...author, ...input.committer };
  const sha = ctx.repo.git.putCommit({
    tree: input.tree,
    parents,
    message: input.message,
    author,
    committer,
  });
  const commit = ctx.repo.git.getAs(sha, 'commit');
  if (!commit) throw notFound();
  return { status: 201, body: gitCommit(ctx.urls, ctx.repo, commit) };
};

const getCommit: Handler = (ctx) => {
  const commit = ctx.repo.git.getAs(str(ctx, 'commit_sha'), 'commit');
  if (!commit) throw notFound();
  return { status: 200, body: gitCommit(ctx.urls, ctx.repo, commit) };
};

export const gitHandlers: Readonly<Record<string, Handler>> = {
  'git/get-ref': getRef,
  'git/create-ref': createRef,
  'git/update-ref': updateRef,
  'git/create-blob': createBlob,
  'git/get-blob': getBlob,
  'git/create-tree': createTree,
  'git/get-tree': getTree,
  'git/create-commit': createCommit,
  'git/get-commit': getCommit,
};
