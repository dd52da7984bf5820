/**
 * Exponential backoff with jitter for connection attempts. Sleep and randomness are injected so
 * tests can check the exact schedule without waiting for it.
 */

export interface BackoffPolicy {
  /** Extra attempts after the first one. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * "Equal jitter": half the exponential delay is fixed, half random, so a herd of sweepwatch
 * runs that lost the cluster together do not all come back in the same instant, yet each waits
 * at least half the nominal delay.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(nominal / 2 + policy.random() * (nominal / 2));
}

/**
 * Runs `attempt` until it succeeds, it fails with an error `isTransient` rejects, or retries
 * run out; the last error is thrown as is.
 */
export async function withBackoff<T>(
  policy: BackoffPolicy,
  attempt: (n: number) => Promise<T>,
  isTransient: (error: unknown) => boolean,
  onRetry: (n: number, delayMs: number, error: unknown) => void,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= policy.retries || !isTransient(error)) throw error;
      const delay = backoffDelay(policy, n);
      onRetry(n, delay, error);
      await policy.sleep(delay);
    }
  }
}
