import type { RepoState } from './repo-state.js';
import type { Urls } from './representations.js';

/** The contract between the fake's server and its per-operation handlers. */

export interface HandlerContext {
  readonly repo: RepoState;
  /** Path and query parameters, already validated against the description and coerced. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The JSON body, already validated against the operation's requestBody schema. */
  readonly body: unknown;
  readonly urls: Urls;
  /** The login the token belongs to: author of everything the adapters create. */
  readonly viewer: string;
  /** Absolute, on the fake's base URL: Link headers are built from it. */
  readonly requestUrl: URL;
  /** The request's Accept header ('' when absent): some operations answer per media type. */
  readonly accept: string;
  readonly nextId: () => number;
  readonly now: () => string;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /**
   * Bytes sent as they are instead of a JSON body (a custom media type such as the Contents
   * API's raw), with the content type given in `headers`.
   */
  readonly raw?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (ctx: HandlerContext) => Reply;

export function str(ctx: HandlerContext, name: string): string {
  return String(ctx.params[name]);
}

export function optStr(ctx: HandlerContext, name: string): string | undefined {
  const v = ctx.params[name];
  return v === undefined ? undefined : String(v);
}

export function int(ctx: HandlerContext, name: string): number {
  return Number(ctx.params[name]);
}

/** The body has passed the operation's schema, so its shape is the one the description gives. */
export function bodyAs<T>(ctx: HandlerContext): T {
  return (ctx.body ?? {}) as T;
}

/** One page of `items` and GitHub's Link header (rel next/prev/first/last). per_page caps at 100. */
export function paginate<T>(
  ctx: HandlerContext,
  items: readonly T[],
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(ctx.params.per_page ?? 30), 1), 100);
  const page = Math.max(Number(ctx.params.page ?? 1), 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string): string => {
    const url = new URL(ctx.requestUrl);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  const headers: Record<string, string> = links.length > 0 ? { link: links.join(', ') } : {};
  return { page: items.slice((page - 1) * perPage, page * perPage), headers };
}
