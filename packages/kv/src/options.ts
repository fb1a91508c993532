import type { CallOptions, LeaseId, Revision } from "@etcdkit/transport";
import type { RangeSelector, SingleKeySelector } from "./key-range.js";

/**
 * Per-call options, like Go's context: cancel with `signal`, bound the call with `timeoutMs`
 * (shared by every etcdkit package).
 *
 * @example
 * ```ts
 * await kv.get("k", { signal: AbortSignal.timeout(1000) });
 * await kv.put("k", "v", { timeoutMs: 2000 });
 * ```
 */
export type { CallOptions } from "@etcdkit/transport";

/**
 * Which key-value field a range is sorted by.
 *
 * @example
 * ```ts
 * const target: SortTarget = "modRevision";
 * ```
 */
export type SortTarget = "key" | "version" | "createRevision" | "modRevision" | "value";

/**
 * Sort order of a range: lowest first (`"ascend"`, the default) or highest first.
 *
 * @example
 * ```ts
 * const order: SortOrder = "descend";
 * ```
 */
export type SortOrder = "ascend" | "descend";

/**
 * How a range is sorted. etcd returns keys in ascending key order anyway; a sort by key ascending
 * is therefore sent as "no sort", as Go's client does, which keeps `limit` cheap on the server.
 *
 * @example
 * ```ts
 * await kv.getPrefix("key", { sort: { target: "key", order: "descend" } });
 * ```
 */
export interface SortOption {
  readonly target: SortTarget;
  readonly order?: SortOrder;
}

/**
 * Read options that make sense for a single key and for a range.
 *
 * @example
 * ```ts
 * await kv.get("k", { revision: 42n, serializable: true });
 * ```
 */
export interface ReadOptions {
  /** Read the store as of this revision (0 or absent: the latest). */
  readonly revision?: Revision;
  /** Serve the read from the local member without consensus (may be stale). */
  readonly serializable?: boolean;
  /** Return keys and metadata but no values. */
  readonly keysOnly?: boolean;
  /** Only keys whose mod revision is >= this. */
  readonly minModRevision?: Revision;
  /** Only keys whose mod revision is <= this. */
  readonly maxModRevision?: Revision;
  /** Only keys whose create revision is >= this. */
  readonly minCreateRevision?: Revision;
  /** Only keys whose create revision is <= this. */
  readonly maxCreateRevision?: Revision;
}

/**
 * Options that only make sense for a range: a limit, a sort, a count without the keys.
 *
 * @example
 * ```ts
 * await kv.getPrefix("jobs/", { limit: 10, sort: { target: "createRevision" } });
 * ```
 */
export interface RangeReadOptions extends ReadOptions {
  /** At most this many keys (0 or absent: no limit); `more` tells whether there were more. */
  readonly limit?: number;
  readonly sort?: SortOption;
  /** Return only `count`, no key-values. */
  readonly countOnly?: boolean;
}

/**
 * Options of a single-key read: a range-only option (limit, sort, countOnly) is a compile error.
 *
 * @example
 * ```ts
 * op.get("k", { revision: 5n });
 * // op.get("k", { limit: 1 }); // compile error: no limit without a range
 * ```
 */
export type SingleGetOptions = ReadOptions &
  SingleKeySelector & { readonly limit?: never; readonly sort?: never; readonly countOnly?: never };

/**
 * Options of a range read: a range selector plus every range option.
 *
 * @example
 * ```ts
 * op.get("app/", { prefix: true, limit: 100, sort: { target: "modRevision", order: "descend" } });
 * ```
 */
export type RangeGetOptions = RangeReadOptions & RangeSelector;

/**
 * Options of a read: single-key or range.
 *
 * @example
 * ```ts
 * const options: GetOptions = { fromKey: true, countOnly: true };
 * ```
 */
export type GetOptions = SingleGetOptions | RangeGetOptions;

/**
 * How a put treats the key's lease: attach `lease` (absent or 0n: none), or keep the current
 * lease (`ignoreLease`, the key must exist). Both at once is a compile error.
 *
 * @example
 * ```ts
 * await kv.put("k", "v", { lease: lease.id });
 * await kv.put("k", "v2", { ignoreLease: true });
 * ```
 */
export type PutLeaseOption =
  | { readonly lease?: LeaseId; readonly ignoreLease?: false }
  | { readonly ignoreLease: true; readonly lease?: never };

/**
 * Options of a put with a value.
 *
 * @example
 * ```ts
 * const { prevKv } = await kv.put("k", "v", { prevKv: true, lease: 0x1234n });
 * ```
 */
export type PutOptions = { readonly prevKv?: boolean; readonly ignoreValue?: false } & PutLeaseOption;

/**
 * Options of a put that keeps the key's current value (`ignoreValue`; the key must exist), for
 * example to attach a new lease. There is no value argument in this form.
 *
 * @example
 * ```ts
 * await kv.put("k", { ignoreValue: true, lease: lease.id });
 * ```
 */
export type PutKeepValueOptions = { readonly ignoreValue: true; readonly prevKv?: boolean } & PutLeaseOption;

/**
 * Options of a delete: a single key, or a range selector; `prevKv` returns what was deleted.
 *
 * @example
 * ```ts
 * await kv.delete("jobs/", { prefix: true, prevKv: true });
 * ```
 */
export type DeleteOptions = { readonly prevKv?: boolean } & (SingleKeySelector | RangeSelector);

/**
 * Options of a compaction.
 *
 * @example
 * ```ts
 * await kv.compact(revision, { physical: true });
 * ```
 */
export interface CompactOptions extends CallOptions {
  /** Wait until the compaction is physically applied to the backend before returning. */
  readonly physical?: boolean;
}

