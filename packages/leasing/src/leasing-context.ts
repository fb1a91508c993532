import type { KV } from "@etcdkit/kv";
import type { WireRange } from "@etcdkit/kv/internal";
import { EtcdError, type CallOptions } from "@etcdkit/transport";
import { checkCallOptions, invalidArgumentError, noTimeLeftError, ownOptions } from "@etcdkit/transport/internal";
import type { Watcher } from "@etcdkit/watch";
import { abortError } from "./call-scope.js";
import type { LeaseCache } from "./lease-cache.js";
import type { ResolvedLeasingOptions } from "./leasing-options.js";
import type { SessionKeeper } from "./leasing-session.js";
import type { LeasingCounters } from "./leasing-stats.js";
import type { OwnershipLayout } from "./ownership-layout.js";

/**
 * Everything the read, write and txn paths of a leasing KV share.
 *
 * @example
 * ```ts
 * const result = await leasingGet(context, op.get("config"), { timeoutMs: 1_000 });
 * ```
 */
export interface LeasingContext {
  /** The plain KV on the same transport: every request goes through it. */
  readonly kv: KV;
  /** Watches on the same transport (waits for owners to give keys up). */
  readonly watcher: Watcher;
  readonly layout: OwnershipLayout;
  readonly cache: LeaseCache;
  readonly sessions: SessionKeeper;
  readonly options: ResolvedLeasingOptions;
  readonly counters: LeasingCounters;
}

/**
 * Checks a call's options where no request may be sent (a cache hit): malformed options are
 * "invalid-argument", `timeoutMs <= 0` "deadline-exceeded", an aborted signal "canceled" — as
 * they would be for a call that goes to etcd. (A call on a closed leasing KV already failed
 * "canceled" on entry, see `createLeasingCore`.)
 *
 * @example
 * ```ts
 * checkCallStart(options);
 * ```
 */
export function checkCallStart(options: CallOptions | undefined): void {
  if (options === undefined) return;
  const own = ownOptions(options); // own properties only: nothing inherited from a polluted Object.prototype
  checkCallOptions(own);
  const { timeoutMs, signal } = own;
  if (timeoutMs !== undefined && timeoutMs <= 0) throw noTimeLeftError(timeoutMs);
  if (signal?.aborted === true) throw abortError(signal, "the call");
}

/**
 * Refuses (before any I/O) a write that reaches into the ownership prefix: it would forge,
 * change or delete other clients' ownership keys (Go's `fromKey` and whole-keyspace deletes
 * deleted them all). Throws EtcdError "invalid-argument".
 *
 * @example
 * ```ts
 * checkWritable(layout, op.delete("", { fromKey: true })); // throws: the range covers the prefix
 * ```
 */
export function checkWritable(layout: OwnershipLayout, range: WireRange): void {
  if (layout.touchesPrefix(range)) {
    throw invalidArgumentError(
      `leasing: a write may not reach into the ownership prefix ${JSON.stringify(new TextDecoder().decode(layout.prefix))} (it holds the leasing protocol's keys)`,
    );
  }
}

/**
 * The error of a read whose request was a write on the wire (an acquisition also creates an
 * ownership key): a read has no outcome to be unknown, so the copy says `outcomeUnknown: false`
 * (a lost connection becomes "unavailable").
 *
 * @example
 * ```ts
 * throw asReadError(err);
 * ```
 */
export function asReadError(error: EtcdError): EtcdError {
  if (!error.outcomeUnknown) return error;
  const reason = error.reason === "outcome-unknown" ? "unavailable" : error.reason;
  return new EtcdError(error.rawMessage, reason, error.code, { cause: error, metadata: error.metadata });
}
