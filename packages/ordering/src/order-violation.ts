import { Code } from "@connectrpc/connect";
import type { AnyOpResult, Op } from "@etcdkit/kv";
import { EtcdError, type Revision } from "@etcdkit/transport";

/**
 * A response older than one the ordering KV has already seen: a serializable read (or a txn
 * read) answered by a member that has not applied everything this client observed.
 *
 * @example
 * ```ts
 * const onViolation = (v: OrderViolation) => console.warn(`stale answer at ${v.revision}, seen ${v.previousRevision}`);
 * ```
 */
export interface OrderViolation {
  /** The op that got the stale answer. */
  readonly op: Op;
  /** The stale answer (not returned to the caller). */
  readonly result: AnyOpResult;
  /** Its revision. */
  readonly revision: Revision;
  /** The highest revision seen when the call started. */
  readonly previousRevision: Revision;
  /** Stale answers in this call so far, this one included (1 for the first). */
  readonly count: number;
  /** How many endpoints the call can switch between (1 when it cannot address members). */
  readonly endpoints: number;
}

/**
 * Decides what happens after a stale answer: return (or resolve) to retry on the next endpoint,
 * throw (or reject) to fail the call with that error. It may wait first (e.g. for a lagging
 * member to catch up).
 *
 * @example
 * ```ts
 * const failFast: OrderViolationHandler = (v) => { throw noGreaterRevisionError(v); };
 * ```
 */
export type OrderViolationHandler = (violation: OrderViolation) => void | Promise<void>;

/**
 * Go's default policy (`NewOrderViolationSwitchEndpointClosure`): switch to the next endpoint and
 * retry, and give up once a call got more than 5 × endpoints stale answers, with
 * {@link noGreaterRevisionError}. (Go counts over the client's lifetime; this counts per call, so
 * an old burst of stale answers does not fail every later call.)
 *
 * @example
 * ```ts
 * const kv = createOrderingKV(transport, { onViolation: (v) => { log(v); return switchEndpointPolicy(v); } });
 * ```
 */
export function switchEndpointPolicy(violation: OrderViolation): void {
  if (violation.count > 5 * Math.max(1, violation.endpoints)) throw noGreaterRevisionError(violation);
}

/**
 * The error of a call that found no endpoint at or past the revision it had seen (Go's
 * `ErrNoGreaterRev`): reason "unavailable", code Unavailable, naming both revisions.
 *
 * @example
 * ```ts
 * throw noGreaterRevisionError(violation);
 * // [unavailable] ordering: no endpoint answered at revision 42 or later after 16 stale answers (the last at 37) ...
 * ```
 */
export function noGreaterRevisionError(violation: OrderViolation): EtcdError {
  return new EtcdError(
    `ordering: no endpoint answered at revision ${violation.previousRevision} or later after ${violation.count} stale ` +
      `answers (the last at ${violation.revision}); no cluster members have a revision higher than the previously received revision`,
    "unavailable",
    Code.Unavailable,
  );
}
