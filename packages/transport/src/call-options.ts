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
 * The Connect call options for `options` (only the fields Connect knows; undefined stays out).
 * Throws EtcdError "invalid-argument" for malformed options (see `checkCallOptions`).
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
  if (options?.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  return out;
}
