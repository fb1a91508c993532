import { checkCallOptions } from "./argument-checks.js";

/**
 * Per-call options, like Go's context: cancel with `signal`, bound with `timeoutMs`.
 *
 * @example
 * ```ts
 * await kv.get("k", { timeoutMs: 2000, signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface CallOptions {
  /** Aborts the call; it then fails with reason "canceled". */
  readonly signal?: AbortSignal | undefined;
  /** Deadline of the call in milliseconds; past it the call fails with reason "deadline-exceeded". */
  readonly timeoutMs?: number | undefined;
}

/**
 * The Connect call options for `options` (only the fields Connect knows; undefined stays out, and
 * so does a `timeoutMs` beyond MAX_TIMER_MS, which is no deadline at all). Throws EtcdError
 * "invalid-argument" for malformed options (see `checkCallOptions`).
 *
 * @example
 * ```ts
 * await client.memberList({}, connectCallOptions({ timeoutMs: 1000 })); // { timeoutMs: 1000 }
 * ```
 */
export function connectCallOptions(options: CallOptions | undefined): { signal?: AbortSignal; timeoutMs?: number } {
  checkCallOptions(options);
  const out: { signal?: AbortSignal; timeoutMs?: number } = {};
  if (options?.signal !== undefined) out.signal = options.signal;
  // Beyond setTimeout's range (including Infinity) there is no deadline to keep: Connect's own
  // transports would arm a timer that Node fires after 1 ms.
  if (options?.timeoutMs !== undefined && options.timeoutMs <= MAX_TIMER_MS) out.timeoutMs = options.timeoutMs;
  return out;
}

/**
 * The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days); Node fires a longer one
 * after 1 ms. A deadline or timer beyond it means "no deadline".
 *
 * @example
 * ```ts
 * setTimeout(fire, Math.min(MAX_TIMER_MS, delayMs));
 * ```
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
