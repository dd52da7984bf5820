import type { Operation } from './spec.js';

/**
 * Fault injection: a canned response for the next N requests matching a method and a route (the
 * path template, e.g. `/repos/{owner}/{repo}/issues`, or the operationId). A faulted request is
 * still validated and counted; its handler does not run (unless `applied`), as when GitHub fails
 * before acting.
 */

export interface FaultResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface FaultSpec extends FaultResponse {
  readonly method: string;
  readonly route: string;
  /** How many matching requests get this response; 1 unless told. */
  readonly times?: number;
  /**
   * Carry the request out, then answer with the fault anyway: GitHub acted but the answer was
   * lost (a gateway timeout), the case where a blind retry duplicates.
   */
  readonly applied?: boolean;
}

interface Pending {
  readonly spec: FaultSpec;
  left: number;
}

export class Faults {
  private readonly queue: Pending[] = [];

  inject(spec: FaultSpec): void {
    this.queue.push({ spec, left: spec.times ?? 1 });
  }

  /** Takes the first pending fault matching the request, FIFO. */
  take(method: string, operation: Operation): FaultSpec | undefined {
    const at = this.queue.findIndex(
      (p) =>
        p.spec.method.toUpperCase() === method &&
        (p.spec.route === operation.route || p.spec.route === operation.operationId),
    );
    const found = this.queue[at];
    if (!found) return undefined;
    found.left -= 1;
    if (found.left <= 0) this.queue.splice(at, 1);
    return found.spec;
  }

  /** Faults not yet served: a test that expected them all to be hit can assert zero. */
  pending(): number {
    return this.queue.reduce((n, p) => n + p.left, 0);
  }

  clear(): void {
    this.queue.length = 0;
  }
}

const DOCS = 'https://docs.github.com/rest';

export function serverError(status: 500 | 502 | 503 = 502): FaultResponse {
  return { status, body: { message: status === 502 ? 'Server Error' : 'Internal Server Error' } };
}

/** GitHub's secondary rate limit: 403 or 429 with retry-after and this message. */
export function secondaryRateLimit(retryAfterSeconds: number, status: 403 | 429 = 403): FaultResponse {
  return {
    status,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api`,
    },
  };
}

/** The primary rate limit: remaining 0 and the reset time in epoch seconds. */
export function primaryRateLimit(resetEpochSeconds: number, status: 403 | 429 = 403): FaultResponse {
  return {
    status,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(resetEpochSeconds),
      'x-ratelimit-resource': 'core',
    },
    body: {
      message: 'API rate limit exceeded.',
      documentation_url: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api`,
    },
  };
}

export function notFoundFault(): FaultResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
}
