import { bodyAs, type Handler, type HandlerContext, int, optStr, paginate } from './handler.js';
import { notFound, Unsupported } from './http-error.js';
import type { IssueRecord } from './records.js';
import { issue, label } from './representations.js';

/** Issues: list (labels/state/sort/since filters, paged), get, create, update, add labels. */

type LabelInput = string | { readonly name?: string };

interface IssueWrite {
  readonly title?: string | number | null;
  readonly body?: string | null;
  readonly state?: 'open' | 'closed';
  readonly state_reason?: IssueRecord['stateReason'];
  readonly labels?: readonly LabelInput[];
  readonly assignees?: readonly (string | { readonly login?: string })[];
  readonly assignee?: string | null;
  readonly milestone?: unknown;
  readonly type?: unknown;
  readonly issue_field_values?: unknown;
}

const UNMODELLED_FILTERS = ['milestone', 'assignee', 'type', 'creator', 'mentioned', 'issue_field_values'];

function labelNames(ctx: HandlerContext, labels: readonly LabelInput[]): string[] {
  const names = labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== '');
  // GitHub creates a label the repository lacks when a writer applies it.
  for (const n of names) ctx.repo.labels.add(n);
  return [...new Set(names)];
}

function rejectUnmodelled(body: IssueWrite): void {
  for (const field of ['milestone', 'type', 'issue_field_values'] as const) {
    if (body[field] !== undefined && body[field] !== null) throw new Unsupported(`the issue field ${field}`);
  }
}

function findIssue(ctx: HandlerContext): IssueRecord {
  const found = ctx.repo.issues.get(int(ctx, 'issue_number'));
  if (!found) throw notFound();
  return found;
}

const listForRepo: Handler = (ctx) => {
  for (const f of UNMODELLED_FILTERS)
    if (ctx.params[f] !== undefined) throw new Unsupported(`the ${f} filter`);
  const state = optStr(ctx, 'state') ?? 'open';
  const wanted = (optStr(ctx, 'labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== '');
  const since = optStr(ctx, 'since');
  const sort = optStr(ctx, 'sort') ?? 'created';
  const sign = (optStr(ctx, 'direction') ?? 'desc') === 'asc' ? 1 : -1;
  const key = (i: IssueRecord): string | number =>
    sort === 'updated'
      ? i.updatedAt
      : sort === 'comments'
        ? ctx.repo.commentsOf(i.number).length
        : i.createdAt;
  const matching = [...ctx.repo.issues.values()]
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
    .filter((i) => since === undefined || Date.parse(i.updatedAt) >= Date.parse(since))
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return sign * (ka < kb ? -1 : ka > kb ? 1 : a.number - b.number);
    });
  const { page, headers } = paginate(ctx, matching);
  return { status: 200, body: page.map((i) => issue(ctx.urls, ctx.repo, i)), headers };
};

const get: Handler = (ctx) => ({ status: 200, body: issue(ctx.urls, ctx.repo, findIssue(ctx)) });

const create: Handler = (ctx) => {
  const body = bodyAs<IssueWrite & { readonly title: string | number }>(ctx);
  rejectUnmodelled(body);
  const now = ctx.now();
  const record: IssueRecord = {
    id: ctx.nextId(),
    number: ctx.repo.nextNumber(),
    title: String(body.title),
    body: body.body ?? null,
    state: 'open',
    stateReason: null,
    labels: labelNames(ctx, body.labels ?? []),
    assignees: [...(body.assignees ?? []).map(String), ...(body.assignee ? [body.assignee] : [])],
    user: ctx.viewer,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
  };
  ctx.repo.issues.set(record.number, record);
  return { status: 201, body: issue(ctx.urls, ctx.repo, record) };
};

const update: Handler = (ctx) => {
  const record = findIssue(ctx);
  const body = bodyAs<IssueWrite>(ctx);
  rejectUnmodelled(body);
  const now = ctx.now();
  if (body.title !== undefined && body.title !== null) record.title = String(body.title);
  if (body.body !== undefined) record.body = body.body;
  if (body.labels !== undefined) record.labels = labelNames(ctx, body.labels);
  if (body.assignees !== undefined) {
    record.assignees = body.assignees.map((a) => (typeof a === 'string' ? a : (a.login ?? '')));
  }
  if (body.state === 'closed' && record.state === 'open') {
    record.state = 'closed';
    record.closedAt = now;
    record.stateReason = body.state_reason ?? 'completed';
  } else if (body.state === 'open' && record.state === 'closed') {
    record.state = 'open';
    record.closedAt = null;
    record.stateReason = 'reopened';
  } else if (body.state_reason !== undefined && record.state === 'closed') {
    record.stateReason = body.state_reason;
  }
  record.updatedAt = now;
  return { status: 200, body: issue(ctx.urls, ctx.repo, record) };
};

/** Adds labels (never removes one); the body is `{ labels }` or the bare list, names or `{ name }`. */
const addLabels: Handler = (ctx) => {
  const record = findIssue(ctx);
  const body = bodyAs<unknown>(ctx);
  const listed: unknown =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? Reflect.get(body, 'labels') : body;
  const given: LabelInput[] = (Array.isArray(listed) ? listed : [listed]).filter(
    (l): l is LabelInput => typeof l === 'string' || (typeof l === 'object' && l !== null),
  );
  const have = new Set(record.labels.map((l) => l.toLowerCase()));
  for (const name of labelNames(ctx, given)) if (!have.has(name.toLowerCase())) record.labels.push(name);
  record.updatedAt = ctx.now();
  return { status: 200, body: record.labels.map((name) => label(ctx.urls, ctx.repo, name)) };
};

export const issueHandlers: Readonly<Record<string, Handler>> = {
  'issues/list-for-repo': listForRepo,
  'issues/get': get,
  'issues/create': create,
  'issues/update': update,
  'issues/add-labels': addLabels,
};
