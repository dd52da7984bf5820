import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck/light.js';

/**
 * The one place sweepwatch builds its GitHub client: @octokit/rest with bounded retries (5xx and
 * network errors) and the throttling plugin (GitHub's rate limits, honouring `retry-after` and
 * `x-ratelimit-reset`). `fetch` and `baseUrl` are injectable so tests run against the fake GitHub
 * (nock cannot intercept Node's native fetch) and GHES works (`https://host/api/v3`).
 */

export const SweepwatchOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof SweepwatchOctokit>;

/** What the adapters use of a client: typed `request` and pagination, nothing else. */
export type GitHubApi = Pick<GitHubClient, 'request' | 'paginate'>;

/** An adapter's view of the repository it works on. */
export interface GitHubRepo {
  readonly api: GitHubApi;
  readonly owner: string;
  readonly repo: string;
}

export interface GitHubLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface GitHubClientOptions {
  readonly token: string;
  /** Default https://api.github.com. */
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Retries of a 5xx or network failure, with 1 s, 4 s, 9 s... between them. Default 3. */
  readonly retries?: number;
  /** Retries of a rate-limited request (primary or secondary). Default 2. */
  readonly rateLimitRetries?: number;
  /** A rate-limit wait longer than this fails the request instead of stalling the tick. Default 120. */
  readonly maxRetryAfterSeconds?: number;
  /** Milliseconds per second of every retry delay; tests shrink it. Default 1000. */
  readonly msPerSecond?: number;
  /** Spacing between writes; GitHub asks for at least 1 s to avoid secondary limits. Default 1000. */
  readonly writeSpacingMs?: number;
  /** Spacing between writes that notify (new issues, comments). Default 3000, Octokit's own. */
  readonly notificationSpacingMs?: number;
  /** Per-request time limit, network included. Default 30 s. */
  readonly timeoutMs?: number;
  readonly log?: GitHubLog;
}

const SILENT: GitHubLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Adds a per-request deadline to whatever fetch the caller gave (or the global one). */
function withTimeout(fetchImpl: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return fetchImpl(input, { ...init, signal });
  };
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const log = options.log ?? SILENT;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  const msPerSecond = options.msPerSecond ?? 1000;
  // Only the request's method and route template are logged: never headers, so never the token.
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < rateLimitRetries && retryAfter <= maxWait;
      log.warn(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}; ${retrying ? `retrying in ${retryAfter} s` : 'giving up'}`,
      );
      return retrying;
    };

  return new SweepwatchOctokit({
    auth: options.token,
    userAgent: 'sweepwatch',
    baseUrl: options.baseUrl ?? 'https://api.github.com',
    log,
    request: { fetch: withTimeout(options.fetch ?? globalThis.fetch, options.timeoutMs ?? 30_000) },
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: msPerSecond,
      // 429 joins the plugin's list so that only the throttling plugin, which reads retry-after,
      // retries rate limits; otherwise both would, multiplying the attempts. 409 joins it too: it
      // is a lost compare-and-swap (the state file changed), which the same request repeated
      // seconds later cannot win; the caller reloads instead.
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: msPerSecond,
      // Per-client limiters: the plugin's defaults are process-wide and fixed at 1 s / 3 s.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs ?? 1000 }),
      notifications: new Bottleneck.Group({
        maxConcurrent: 1,
        minTime: options.notificationSpacingMs ?? 3000,
      }),
    },
  });
}

/** The HTTP status of an Octokit error (RequestError), or undefined for anything else. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

/** GitHub's error message from an Octokit error's response body, or its own message. */
export function errorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const data =
    'response' in error ? (error.response as { data?: { message?: unknown } } | undefined)?.data : undefined;
  if (typeof data?.message === 'string') return data.message;
  return error instanceof Error ? error.message : String(error);
}
