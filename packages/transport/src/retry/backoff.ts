/**
 * Delay before retry number `retry` (1-based) of a call: 25 ms growing by half per retry up to
 * 100 ms, with ±20 % jitter so that clients failing together do not retry together. Short on
 * purpose: the retry goes to another endpoint, and etcd's own elections take a few hundred ms.
 *
 * @example
 * ```ts
 * await sleepFor(ctx, retryBackoffMs(1)); // ~25 ms
 * retryBackoffMs(5); // ~100 ms
 * ```
 */
export function retryBackoffMs(retry: number): number {
  const base = Math.min(MAX_RETRY_BACKOFF_MS, FIRST_RETRY_BACKOFF_MS * 1.5 ** Math.max(0, retry - 1));
  return base * (0.8 + 0.4 * Math.random());
}

/**
 * First retry delay.
 *
 * @example
 * ```ts
 * retryBackoffMs(1) >= FIRST_RETRY_BACKOFF_MS * 0.8; // true
 * ```
 */
export const FIRST_RETRY_BACKOFF_MS = 25;

/**
 * Largest retry delay.
 *
 * @example
 * ```ts
 * retryBackoffMs(50) <= MAX_RETRY_BACKOFF_MS * 1.2; // true
 * ```
 */
export const MAX_RETRY_BACKOFF_MS = 100;

/**
 * Retries of a call without a deadline (with a deadline, retries continue until it): about
 * 2.5 s of retrying, enough to ride out a leader election as Go's client does.
 *
 * @example
 * ```ts
 * const mayRetry = ctx.deadline === Infinity ? retries <= MAX_RETRIES_WITHOUT_DEADLINE : monotonicNow() + delay < ctx.deadline;
 * ```
 */
export const MAX_RETRIES_WITHOUT_DEADLINE = 30;
