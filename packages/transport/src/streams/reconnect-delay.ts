/**
 * Delay before re-opening a broken stream, after `failures` consecutive attempts that received
 * nothing: 50 ms doubling up to 2 s, with ±20 % jitter so that many clients do not reconnect in
 * step. Never 0, so a stream that fails at once cannot spin the event loop.
 *
 * @example
 * ```ts
 * setTimeout(reopen, reconnectDelayMs(failures));
 * reconnectDelayMs(1); // ~50 ms
 * reconnectDelayMs(9); // ~2 s
 * ```
 */
export function reconnectDelayMs(failures: number): number {
  const base = Math.min(MAX_RECONNECT_DELAY_MS, FIRST_RECONNECT_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

/**
 * First reconnect delay (ms).
 *
 * @example
 * ```ts
 * reconnectDelayMs(1) >= FIRST_RECONNECT_DELAY_MS * 0.8; // true
 * ```
 */
export const FIRST_RECONNECT_DELAY_MS = 50;
/**
 * Largest reconnect delay (ms).
 *
 * @example
 * ```ts
 * reconnectDelayMs(100) <= MAX_RECONNECT_DELAY_MS * 1.2; // true
 * ```
 */
export const MAX_RECONNECT_DELAY_MS = 2_000;
