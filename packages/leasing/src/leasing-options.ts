import { invalidArgumentError, ownOptions, typeName } from "@etcdkit/transport/internal";

/**
 * Options of `createLeasingKV`.
 *
 * @example
 * ```ts
 * const options: LeasingKVOptions = { ttl: 10, safetyMarginMs: 1_000, timeoutMs: 5_000 };
 * ```
 */
export interface LeasingKVOptions {
  /**
   * TTL in seconds of the session lease that holds this client's ownership keys (default 60, as
   * Go's). A client that stops (crash, partition) blocks writers of the keys it owned for at most
   * this long; a shorter TTL costs more keepalive traffic.
   */
  readonly ttl?: number;
  /**
   * How long before the lease's local deadline (last renewal's send time + TTL) the cache stops
   * serving reads (default: 10% of the TTL, at least 500 ms). It absorbs the difference between
   * this machine's clock rate and etcd's leader's, which etcd's lease expiry runs on.
   */
  readonly safetyMarginMs?: number;
  /**
   * How long a write waits for another client to give up a key it owns, when the write has no
   * `timeoutMs` of its own (default 60 000 ms); then it fails "deadline-exceeded", not applied.
   * `Infinity`: wait as long as it takes.
   */
  readonly revokeTimeoutMs?: number;
  /** Bounds opening the first session (lease grant and ownership watch). */
  readonly timeoutMs?: number;
  /** Aborts opening the first session. */
  readonly signal?: AbortSignal;
}

/**
 * The options with their defaults applied.
 *
 * @example
 * ```ts
 * const resolved = resolveLeasingOptions({ ttl: 5 }); // { ttl: 5, safetyMarginMs: 500, revokeTimeoutMs: 60000 }
 * ```
 */
export interface ResolvedLeasingOptions {
  readonly ttl: number;
  readonly safetyMarginMs: number;
  readonly revokeTimeoutMs: number;
}

/** Go's default session TTL, in seconds. */
const DEFAULT_TTL = 60;
const DEFAULT_REVOKE_TIMEOUT_MS = 60_000;
const MIN_MARGIN_MS = 500;

/**
 * Validates the options (before any I/O; own properties only) and applies the defaults. Throws EtcdError
 * "invalid-argument" for options that are not an object, a TTL that is not a positive integer,
 * a negative or non-numeric margin, or a revoke timeout that is not a positive number. The call
 * options (`timeoutMs`, `signal`) are checked where they are used.
 *
 * @example
 * ```ts
 * resolveLeasingOptions({ ttl: 0 }); // throws invalid-argument
 * ```
 */
export function resolveLeasingOptions(options: LeasingKVOptions | undefined): ResolvedLeasingOptions {
  const own = ownOptions(options); // own properties only: nothing inherited from a polluted Object.prototype
  const ttl = own.ttl ?? DEFAULT_TTL;
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 1 || ttl > 2 ** 31 - 1) {
    throw invalidArgumentError(`createLeasingKV: ttl must be a positive integer number of seconds, got ${describe(ttl)}`);
  }
  const margin = own.safetyMarginMs ?? Math.max(MIN_MARGIN_MS, ttl * 100);
  if (typeof margin !== "number" || Number.isNaN(margin) || margin < 0 || margin === Infinity) {
    throw invalidArgumentError(`createLeasingKV: safetyMarginMs must be a finite number >= 0, got ${describe(margin)}`);
  }
  const revokeTimeoutMs = own.revokeTimeoutMs ?? DEFAULT_REVOKE_TIMEOUT_MS;
  if (typeof revokeTimeoutMs !== "number" || Number.isNaN(revokeTimeoutMs) || revokeTimeoutMs <= 0) {
    throw invalidArgumentError(`createLeasingKV: revokeTimeoutMs must be a positive number (or Infinity), got ${describe(revokeTimeoutMs)}`);
  }
  return { ttl, safetyMarginMs: margin, revokeTimeoutMs };
}

function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : typeName(value);
}
