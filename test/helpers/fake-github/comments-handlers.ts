import { bodyAs, type Handler, type HandlerContext, int, optStr, paginate } from './handler.js';
import { notFound } from './http-error.js';
import type { CommentRecord, ReactionContent, ReactionRecord } from './records.js';
import { comment, reaction } from './representations.js';

/** Issue comments (list, create, update) and reactions to them. */

function issueOf(ctx: HandlerContext): number {
  const n = int(ctx, 'issue_number');
  if (!ctx.repo.issues.has(n)) throw notFound();
  return n;
}

function commentOf(ctx: HandlerContext): CommentRecord {
  const found = ctx.repo.comments.get(int(ctx, 'comment_id'));
  if (!found) throw notFound();
  return found;
}

const list: Handler = (ctx) => {
  const since = optStr(ctx, 'since');
  const comments = ctx.repo
    .commentsOf(issueOf(ctx))
    .filter((c) => since === undefined || Date.parse(c.updatedAt) >= Date.parse(since))
    .sort((a, b) => a.id - b.id);
  const { page, headers } = paginate(ctx, comments);
  return { status: 200, body: page.map((c) => comment(ctx.urls, ctx.repo, c)), headers };
};

const create: Handler = (ctx) => {
  const issueNumber = issueOf(ctx);
  const now = ctx.now();
  const record: CommentRecord = {
    id: ctx.nextId(),
    issueNumber,
    body: bodyAs<{ readonly body: string }>(ctx).body,
    user: ctx.viewer,
    createdAt: now,
    updatedAt: now,
  };
  ctx.repo.comments.set(record.id, record);
  const issue = ctx.repo.issues.get(issueNumber);
  if (issue) issue.updatedAt = now;
  return { status: 201, body: comment(ctx.urls, ctx.repo, record) };
};

const update: Handler = (ctx) => {
  const record = commentOf(ctx);
  record.body = bodyAs<{ readonly body: string }>(ctx).body;
  record.updatedAt = ctx.now();
  return { status: 200, body: comment(ctx.urls, ctx.repo, record) };
};

/** GitHub answers 200 with the existing reaction when the same user reacts the same way twice. */
const react: Handler = (ctx) => {
  const target = commentOf(ctx);
  const content = bodyAs<{ readonly content: ReactionContent }>(ctx).content;
  const existing = ctx.repo.reactions.find(
    (r) => r.commentId === target.id && r.content === content && r.user === ctx.viewer,
  );
  if (existing) return { status: 200, body: reaction(ctx.urls, existing) };
  const record: ReactionRecord = {
    id: ctx.nextId(),
    commentId: target.id,
    content,
    user: ctx.viewer,
    createdAt: ctx.now(),
  };
  ctx.repo.reactions.push(record);
  return { status: 201, body: reaction(ctx.urls, record) };
};

export const commentHandlers: Readonly<Record<string, Handler>> = {
  'issues/list-comments': list,
  'issues/create-comment': create,
  'issues/update-comment': update,
  'reactions/create-for-issue-comment': react,
};
