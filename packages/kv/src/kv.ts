import { type Bytes, type Revision } from "@etcdkit/transport";
import { invalidArgumentError, ownOptions, typeName } from "@etcdkit/transport/internal";
import { op } from "./op-builders.js";
import type { Op, PutOp } from "./ops.js";
import type {
  CallOptions,
  CompactOptions,
  DeleteOptions,
  GetOptions,
  PutKeepValueOptions,
  PutOptions,
  RangeReadOptions,
  SingleGetOptions,
} from "./options.js";
import { paginate, type PaginateOptions, type RangePage } from "./paginate.js";
import { GetResult as GetRecord } from "./result-records.js";
import type { CompactResult, DeleteResult, GetResult, OpResult, PutResult, RangeResult } from "./results.js";
import { createTxnBuilder, type TxnBuilder, type TxnRunner } from "./txn-builder.js";

/**
 * The two primitives every KV is built from: running an op and compacting. `createKV` implements
 * them over a Connect transport; `withNamespace` over another KV.
 *
 * @example
 * ```ts
 * const core: KVCore = { do: (o, options) => inner.do(o, options), compact: (rev, options) => inner.compact(rev, options) };
 * const kv = buildKV(core);
 * ```
 */
export interface KVCore {
  do<O extends Op>(operation: O, options?: CallOptions): Promise<OpResult<O>>;
  compact(revision: Revision, options?: CompactOptions): Promise<CompactResult>;
}

/**
 * etcd's key-value API. Every call takes `{ signal, timeoutMs }`; keys and values are strings
 * (UTF-8) or bytes; revisions and lease IDs are bigints; every failure is an EtcdError.
 *
 * Reasons any call can throw: `empty-key` (before any I/O), `invalid-argument` (bad options,
 * before any I/O), and the transport's `unavailable`, `deadline-exceeded`, `canceled`,
 * `transport-closed`, `outcome-unknown` (writes whose request may have reached etcd), `no-leader`,
 * `permission-denied`, `invalid-auth-token`; each method lists its own on top. A failed write that
 * may have been applied has `outcomeUnknown: true`, whatever the reason.
 *
 * @example
 * ```ts
 * const kv = createKV(transport);
 * await kv.put("sample_key", "sample_value");
 * const { kv: item } = await kv.get("sample_key"); // item: KeyValue | undefined
 * ```
 */
export interface KV extends KVCore {
  /**
   * Reads one key: the key-value (`kv`, undefined when the key does not exist), the revision the
   * read saw and the response header. Also throws `compacted` / `future-revision` with
   * `revision`, and `invalid-argument` for a range option (prefix, end, fromKey, limit, sort,
   * countOnly: use `range` or `getPrefix`).
   * @example
   * ```ts
   * const { kv: foo, revision } = await kv.get("foo");
   * console.log(foo?.text(), "at", revision);
   * ```
   */
  get(key: Bytes, options?: SingleGetOptions & CallOptions): Promise<GetResult>;
  /**
   * Reads a key or a range with every Range option. Also throws `compacted` / `future-revision`.
   * @example
   * ```ts
   * const { kvs, more } = await kv.range("a", { end: "m", limit: 100, sort: { target: "modRevision" } });
   * ```
   */
  range(key: Bytes, options?: GetOptions & CallOptions): Promise<RangeResult>;
  /**
   * Reads every key starting with `prefix` (an empty prefix: every key).
   * Also throws `compacted` / `future-revision`.
   * @example
   * ```ts
   * const page = await kv.getPrefix("key", { sort: { target: "key", order: "descend" } });
   * ```
   */
  getPrefix(prefix: Bytes, options?: RangeReadOptions & CallOptions): Promise<RangeResult>;
  /**
   * Reads every key >= `key`. Also throws `compacted` / `future-revision`.
   * @example
   * ```ts
   * const { kvs } = await kv.getFromKey("m", { limit: 10 });
   * ```
   */
  getFromKey(key: Bytes, options?: RangeReadOptions & CallOptions): Promise<RangeResult>;
  /**
   * Reads the whole keyspace (of the namespace, for a namespaced KV).
   * Also throws `compacted` / `future-revision`.
   * @example
   * ```ts
   * const { count } = await kv.getAll({ countOnly: true });
   * ```
   */
  getAll(options?: RangeReadOptions & CallOptions): Promise<RangeResult>;
  /**
   * Writes a key. Also throws `lease-not-found`, `key-not-found` (ignoreLease on a missing key),
   * `request-too-large`, `no-space`.
   * @example
   * ```ts
   * const { revision, prevKv } = await kv.put("k", "v", { prevKv: true });
   * ```
   */
  put(key: Bytes, value: Bytes, options?: PutOptions & CallOptions): Promise<PutResult>;
  /**
   * Updates a key but keeps its value (`ignoreValue`), e.g. to attach a lease. Also throws
   * `key-not-found` when the key does not exist, `lease-not-found`.
   * @example
   * ```ts
   * await kv.put("k", { ignoreValue: true, lease: lease.id });
   * ```
   */
  put(key: Bytes, options: PutKeepValueOptions & CallOptions): Promise<PutResult>;
  /**
   * Deletes a key or a range.
   * @example
   * ```ts
   * const { deleted } = await kv.delete("key", { prefix: true });
   * ```
   */
  delete(key: Bytes, options?: DeleteOptions & CallOptions): Promise<DeleteResult>;
  /**
   * Runs an op built earlier; the result is typed by the op (get → RangeResult, put → PutResult,
   * delete → DeleteResult, txn → TxnResult). Throws what the op's method throws.
   * @example
   * ```ts
   * for (const o of [op.put("put-key", "123"), op.get("put-key"), op.put("put-key", "456")]) await kv.do(o);
   * ```
   */
  do<O extends Op>(operation: O, options?: CallOptions): Promise<OpResult<O>>;
  /**
   * Compacts the history before `revision`. Also throws `compacted` (already compacted there)
   * and `future-revision`.
   * @example
   * ```ts
   * await kv.compact(revision, { physical: true });
   * ```
   */
  compact(revision: Revision, options?: CompactOptions): Promise<CompactResult>;
  /**
   * Starts a staged txn: `if` → `then` → `else` → `commit`. See TxnBuilder.
   * @example
   * ```ts
   * await kv.txn().if(compare.value("key", ">", "abc")).then(op.put("key", "XYZ")).else(op.put("key", "ABC")).commit();
   * ```
   */
  txn(): TxnBuilder;
  /**
   * Walks a range in pages at one pinned revision (a consistent snapshot). See `paginate`.
   * @example
   * ```ts
   * for await (const page of kv.paginate("jobs/", { prefix: true, pageSize: 500 })) console.log(page.kvs.length);
   * ```
   */
  paginate(key: Bytes, options: PaginateOptions): AsyncIterable<RangePage>;
}

/**
 * Builds the full KV API on top of a KVCore. Throws `invalid-argument` at once when `core` has no
 * `do` and `compact` functions.
 *
 * @example
 * ```ts
 * const kv = buildKV({ do: myDo, compact: myCompact });
 * ```
 */
export function buildKV(core: KVCore): KV {
  if (!isKVCore(core)) {
    throw invalidArgumentError(`buildKV needs a core with do(op, options) and compact(revision, options), got ${typeName(core)}`);
  }
  const run = core.do.bind(core) as KVCore["do"];
  const runTxn: TxnRunner = (txn, options) => run(txn, options);
  const kv: KV = {
    do: run,
    compact: (revision, options) => core.compact(revision, options),
    async get(key, options) {
      if (options !== undefined) checkSingleKeyOptions(options);
      const result = await run(op.get(key, options), options);
      return new GetRecord(result.header, result.revision, result.kvs[0]);
    },
    async range(key, options) {
      return run(op.get(key, options), options);
    },
    async getPrefix(prefix, options) {
      return run(op.get(prefix, { ...options, prefix: true }), options);
    },
    async getFromKey(key, options) {
      return run(op.get(key, { ...options, fromKey: true }), options);
    },
    async getAll(options) {
      return run(op.get("", { ...options, prefix: true }), options);
    },
    async put(key: Bytes, valueOrOptions: Bytes | (PutKeepValueOptions & CallOptions), options?: PutOptions & CallOptions) {
      // op.put tells the two forms apart (and rejects options after the keep-value form); the call
      // options are in whichever argument held the put's options.
      const put = (op.put as (k: Bytes, v: unknown, o: unknown) => PutOp)(key, valueOrOptions, options);
      return run(put, put.ignoreValue ? (valueOrOptions as CallOptions) : options);
    },
    async delete(key, options) {
      return run(op.delete(key, options), options);
    },
    txn: () => createTxnBuilder(runTxn),
    paginate: (key, options) => paginate(kv, key, options),
  };
  return Object.freeze(kv);
}

/**
 * Whether `value` has the two functions of a KVCore (every KV has them).
 *
 * @example
 * ```ts
 * if (!isKVCore(kv)) throw invalidArgumentError("not a KV");
 * ```
 */
export function isKVCore(value: unknown): value is KVCore {
  const core = value as Partial<KVCore> | null;
  return typeof core?.do === "function" && typeof core.compact === "function";
}

/**
 * `kv.get` reads one key: a range selector or a range-only option would be silently misread
 * (`countOnly` made every key look missing; `prefix` returned the first key of the range).
 */
function checkSingleKeyOptions(options: SingleGetOptions & CallOptions): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) return; // op.get rejects it, naming what it got
  const o = ownOptions(options as Partial<Record<"prefix" | "fromKey" | "countOnly" | "end" | "sort" | "limit", unknown>>);
  // Only values that would change the read: prefix: false, limit: 0 and countOnly: false are no-ops.
  const misplaced =
    o.prefix === true ? "prefix"
    : o.fromKey === true ? "fromKey"
    : o.countOnly === true ? "countOnly"
    : o.end !== undefined ? "end"
    : o.sort !== undefined ? "sort"
    : o.limit !== undefined && o.limit !== 0 ? "limit"
    : undefined;
  if (misplaced !== undefined) {
    throw invalidArgumentError(`get reads one key: ${misplaced} needs range(), getPrefix(), getFromKey() or getAll()`);
  }
}
