import { checkCallOptions, ownOptions } from "./argument-checks.js";
import { noTimeLeftError } from "./call/call-errors.js";

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
  /**
   * Deadline of the call in milliseconds; past it the call fails with reason "deadline-exceeded".
   * Undefined: the transport's default (unary calls only). `Infinity` (or anything beyond
   * MAX_TIMER_MS): no deadline at all, not even the transport's default. 0 or less: the call
   * fails "deadline-exceeded" at once, before any I/O.
   */
  readonly timeoutMs?: number | undefined;
}

/**
 * The Connect call options for `options`: only `signal` and `timeoutMs`, with the meaning etcdkit
 * gives `timeoutMs` on every transport (etcdkit's own and Connect's):
 *
 * - undefined: left out, so the transport's default deadline applies (to unary calls);
 * - a positive number up to MAX_TIMER_MS: that deadline;
 * - `Infinity` or more than MAX_TIMER_MS: no deadline at all. It becomes `timeoutMs: 0`, which
 *   Connect's Transport contract reads as "no deadline, not even the default" (passing Infinity
 *   on would arm a timer that Node fires after 1 ms);
 * - 0 or less: throws EtcdError "deadline-exceeded" (no time left; nothing is sent).
 *
 * Throws EtcdError "invalid-argument" for malformed options (see `checkCallOptions`). Only the
 * options' own properties count (see `ownOptions`), and the result has no prototype.
 *
 * @example
 * ```ts
 * await client.memberList({}, connectCallOptions({ timeoutMs: 1000 }));     // { timeoutMs: 1000 }
 * await client.memberList({}, connectCallOptions({ timeoutMs: Infinity })); // { timeoutMs: 0 }: none
 * ```
 */
export function connectCallOptions(options: CallOptions | undefined): { signal?: AbortSignal; timeoutMs?: number } {
  const own = ownOptions(options);
  checkCallOptions(own);
  // No prototype: Connect reads signal, timeoutMs, headers, ... from it, and must find only these.
  const out = Object.create(null) as { signal?: AbortSignal; timeoutMs?: number };
  if (own.signal !== undefined) out.signal = own.signal;
  const timeoutMs = own.timeoutMs;
  if (timeoutMs !== undefined) {
    if (timeoutMs <= 0) throw noTimeLeftError(timeoutMs);
    out.timeoutMs = timeoutMs > MAX_TIMER_MS ? NO_DEADLINE : timeoutMs;
  }
  return out;
}

/** Connect's transport-level "no deadline, not even the transport's default". */
const NO_DEADLINE = 0;

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
