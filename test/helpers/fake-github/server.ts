import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../loopback-server.js';
import { artifactHandlers } from './artifacts-handlers.js';
import { commentHandlers } from './comments-handlers.js';
import { contentHandlers } from './contents-handlers.js';
import { type FaultResponse, Faults } from './faults.js';
import { gitHandlers } from './git-handlers.js';
import type { Handler, Reply } from './handler.js';
import { HttpError, Unsupported } from './http-error.js';
import { issueHandlers } from './issues-handlers.js';
import { timestamp } from './records.js';
import { repoHandlers } from './repo-handlers.js';
import { RepoState } from './repo-state.js';
import type { Urls } from './representations.js';
import { loadSpec, matchRoute, type Operation, type Spec } from './spec.js';
import { checkRequest } from './validate-request.js';

/**
 * The fake GitHub: a node:http server on an ephemeral 127.0.0.1 port. Every request must match an
 * operation of the extracted OpenAPI subset and satisfy its parameter and body schemas, or it is
 * recorded as a violation and answered 404 (no such route) or 400 (invalid request).
 */

export type ViolationKind = 'route' | 'request' | 'response' | 'unsupported' | 'auth' | 'crash';

export interface Violation {
  readonly kind: ViolationKind;
  readonly method: string;
  readonly path: string;
  readonly operationId: string | null;
  readonly problems: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  /** The path template it matched, or null for an unknown route. */
  readonly route: string | null;
  readonly operationId: string | null;
  readonly status: number;
  readonly body: unknown;
  readonly faulted: boolean;
  readonly userAgent: string;
}

export interface FakeGitHubOptions {
  /** Requests must carry `authorization: token <it>` (or bearer); 401 and a violation otherwise. */
  readonly token?: string;
  /** The login the token belongs to. */
  readonly viewer?: string;
  /** Check the fake's own success responses against the description (default true). */
  readonly strictResponses?: boolean;
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  ...issueHandlers,
  ...commentHandlers,
  ...gitHandlers,
  ...repoHandlers,
  ...artifactHandlers,
  ...contentHandlers,
};

export class FakeGitHubServer {
  readonly faults = new Faults();
  readonly token: string;
  readonly viewer: string;
  private readonly spec: Spec = loadSpec();
  private readonly repos = new Map<string, RepoState>();
  private readonly log: RecordedRequest[] = [];
  private readonly found: Violation[] = [];
  private readonly strict: boolean;
  private readonly http = new LoopbackServer(
    (req, res) => this.serve(req, res),
    (req, error) =>
      this.violate('crash', req.method ?? '', req.url ?? '', null, [`fake crashed: ${String(error)}`]),
  );
  private urls: Urls = { api: 'http://127.0.0.1', html: 'https://github.com' };
  private lastId = 1000;

  constructor(options: FakeGitHubOptions = {}) {
    this.token = options.token ?? 'fake-github-token';
    this.viewer = options.viewer ?? 'sweepwatch[bot]';
    this.strict = options.strictResponses ?? true;
  }

  get url(): string {
    return this.urls.api;
  }

  async listen(): Promise<void> {
    this.urls = { ...this.urls, api: await this.http.listen() };
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** The repository (created on first use); requests naming any other repository get 404. */
  repo(owner: string, name: string): RepoState {
    const key = `${owner}/${name}`.toLowerCase();
    let state = this.repos.get(key);
    if (!state) {
      state = new RepoState(owner, name, () => this.nextId());
      this.repos.set(key, state);
    }
    return state;
  }

  requests(): readonly RecordedRequest[] {
    return this.log;
  }

  violations(): readonly Violation[] {
    return this.found;
  }

  /** Returns the violations so far and forgets them (for tests that provoke some on purpose). */
  takeViolations(): Violation[] {
    return this.found.splice(0, this.found.length);
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  private nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  private violate(
    kind: ViolationKind,
    method: string,
    path: string,
    op: Operation | null,
    problems: string[],
  ) {
    this.found.push({ kind, method, path, operationId: op?.operationId ?? null, problems });
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const [scheme = '', credential] = header.split(' ');
    return ['token', 'bearer'].includes(scheme.toLowerCase()) && credential === this.token;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.urls.api);
    const path = `${url.pathname}${url.search}`;
    const match = matchRoute(this.spec, method, url.pathname);
    const record = (status: number, body: unknown, faulted = false): void => {
      this.log.push({
        method,
        path,
        route: match?.operation.route ?? null,
        operationId: match?.operation.operationId ?? null,
        status,
        body,
        faulted,
        userAgent: req.headers['user-agent'] ?? '',
      });
    };

    if (!match) {
      this.violate('route', method, path, null, [
        `no operation ${method} ${url.pathname} in the OpenAPI subset`,
      ]);
      record(404, undefined);
      return send(res, { status: 404, body: { message: 'Not Found (fake-github: unknown route)' } });
    }
    const { operation } = match;
    if (!this.authorized(req)) {
      this.violate('auth', method, path, operation, ['missing or wrong authorization header']);
      record(401, undefined);
      return send(res, { status: 401, body: { message: 'Bad credentials' } });
    }
    const checked = checkRequest(operation, match.path, url.searchParams, rawBody);
    if (checked.problems.length > 0) {
      this.violate('request', method, path, operation, [...checked.problems]);
      record(400, checked.body);
      return send(res, {
        status: 400,
        body: { message: 'fake-github: invalid request', errors: checked.problems },
      });
    }
    const fault = this.faults.take(method, operation);
    if (fault && !fault.applied) {
      record(fault.status, checked.body, true);
      return send(res, fault);
    }
    const accept = req.headers.accept ?? '';
    const reply = this.dispatch(operation, match.path, checked, url, accept, method, path);
    if (fault) {
      record(fault.status, checked.body, true);
      return send(res, fault);
    }
    if (this.strict) this.checkResponse(operation, reply, method, path);
    record(reply.status, checked.body);
    send(res, reply);
  }

  private dispatch(
    operation: Operation,
    pathParams: Readonly<Record<string, string>>,
    checked: { readonly params: Readonly<Record<string, unknown>>; readonly body: unknown },
    requestUrl: URL,
    accept: string,
    method: string,
    path: string,
  ): Reply {
    const repo = this.repos.get(`${pathParams.owner}/${pathParams.repo}`.toLowerCase());
    const handler = HANDLERS[operation.operationId];
    try {
      if (!repo) throw new HttpError(404, 'Not Found');
      if (!handler) throw new Unsupported(operation.operationId);
      return handler({
        repo,
        params: checked.params,
        body: checked.body,
        urls: this.urls,
        viewer: this.viewer,
        requestUrl,
        accept,
        nextId: () => this.nextId(),
        now: () => timestamp(),
      });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      if (error instanceof Unsupported) this.violate('unsupported', method, path, operation, [error.message]);
      return {
        status: error.status,
        body: { message: error.message, documentation_url: 'https://docs.github.com/rest' },
      };
    }
  }

  private checkResponse(operation: Operation, reply: Reply, method: string, path: string): void {
    if (reply.status >= 300) return;
    if (!operation.responses.has(reply.status)) {
      this.violate('response', method, path, operation, [
        `status ${reply.status} is not a documented success`,
      ]);
      return;
    }
    // A custom media type's bytes (raw file content): the description gives schemas for the JSON
    // representations only, so there is nothing to check beyond the status.
    if (reply.raw !== undefined) return;
    const check = operation.responses.get(reply.status);
    if (!check) {
      if (reply.body !== undefined)
        this.violate('response', method, path, operation, ['body on a bodiless status']);
      return;
    }
    const problem = check(reply.body);
    if (problem !== null) this.violate('response', method, path, operation, [`response body: ${problem}`]);
  }
}

function send(res: ServerResponse, reply: FaultResponse | Reply): void {
  const headers: Record<string, string> = {
    'x-github-request-id': `FAKE:${Math.random().toString(16).slice(2, 10)}`,
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    ...reply.headers,
  };
  if ('raw' in reply && reply.raw !== undefined) {
    res.writeHead(reply.status, { ...headers, 'content-length': String(reply.raw.length) });
    res.end(reply.raw);
    return;
  }
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}
