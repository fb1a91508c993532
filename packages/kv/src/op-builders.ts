import { toOwnedBytes, type Bytes, type Revision } from "@etcdkit/transport";
import {
  booleanOption,
  checkInt64,
  checkRevision,
  emptyKeyError,
  invalidArgumentError,
  ownOptions,
  typeName,
} from "@etcdkit/transport/internal";
import type { Comparison } from "./compare.js";
import { noBytes, resolveRange, type WireRange } from "./key-range.js";
import type { DeleteOp, GetOp, Op, PutOp, TxnOp } from "./ops.js";
import type {
  DeleteOptions,
  GetOptions,
  PutKeepValueOptions,
  PutOptions,
  RangeReadOptions,
  SortOption,
} from "./options.js";

/**
 * The parts of a txn op: guards, the ops to run when every guard holds (`then`), and the ops to
 * run otherwise (`else`). Each part may be left out.
 *
 * @example
 * ```ts
 * const spec: TxnSpec<readonly [PutOp], readonly []> = { if: [compare.missing("k")], then: [op.put("k", "v")] };
 * ```
 */
export interface TxnSpec<T extends readonly Op[], E extends readonly Op[]> {
  readonly if?: readonly Comparison[];
  readonly then?: T;
  readonly else?: E;
}

const sortTargets = new Set(["key", "version", "createRevision", "modRevision", "value"]);
const sortOrders = new Set(["ascend", "descend"]);

/**
 * Builds a GetOp from an already resolved wire range; used by `op.get`, paging and namespaces.
 * Throws `invalid-argument` for a negative or fractional limit, a revision outside 0n … 2^63-1,
 * or a sort that is not `{ target, order? }` with a known target and order.
 *
 * @example
 * ```ts
 * const page = makeGetOp({ key: toBytes("a"), rangeEnd: toBytes("b") }, { limit: 100, revision: 42n });
 * ```
 */
export function makeGetOp(range: WireRange, readOptions: RangeReadOptions | undefined): GetOp {
  const options = ownOptions(readOptions);
  const limit = options.limit === undefined ? 0 : options.limit;
  if (!Number.isSafeInteger(limit) || limit < 0) throw invalidArgumentError(`limit must be a non-negative integer, got ${String(limit)}`);
  const sort = options.sort === undefined ? undefined : checkSort(options.sort);
  return Object.freeze({
    type: "get",
    key: range.key,
    rangeEnd: range.rangeEnd,
    limit,
    revision: revisionOption(options.revision, "revision"),
    sort,
    serializable: booleanOption(options.serializable, "serializable"),
    keysOnly: booleanOption(options.keysOnly, "keysOnly"),
    countOnly: booleanOption(options.countOnly, "countOnly"),
    minModRevision: revisionOption(options.minModRevision, "minModRevision"),
    maxModRevision: revisionOption(options.maxModRevision, "maxModRevision"),
    minCreateRevision: revisionOption(options.minCreateRevision, "minCreateRevision"),
    maxCreateRevision: revisionOption(options.maxCreateRevision, "maxCreateRevision"),
  });
}

function revisionOption(value: Revision | undefined, name: string): Revision {
  return value === undefined ? 0n : checkRevision(value, name);
}

function checkSort(given: SortOption): SortOption {
  if (typeof given !== "object" || given === null) {
    throw invalidArgumentError(`sort must be an object { target, order? }, got ${typeName(given)}`);
  }
  const sort = ownOptions(given, "sort");
  if (sort.target === undefined || !sortTargets.has(sort.target)) throw invalidArgumentError("unknown sort target");
  if (sort.order !== undefined && !sortOrders.has(sort.order)) throw invalidArgumentError("unknown sort order");
  return Object.freeze({ target: sort.target, order: sort.order ?? "ascend" });
}

function put(key: Bytes, value: Bytes, options?: PutOptions): PutOp;
function put(key: Bytes, options: PutKeepValueOptions): PutOp;
function put(key: Bytes, valueOrOptions: Bytes | PutKeepValueOptions, maybeOptions?: PutOptions): PutOp {
  const keyBytes = toOwnedBytes(key);
  if (keyBytes.length === 0) throw emptyKeyError();
  // Options in the value's place mean "keep the value" (ignoreValue); anything else must be bytes.
  const keepValue = isPlainOptions(valueOrOptions);
  const options = checkPutOptions(keepValue ? valueOrOptions : maybeOptions, keepValue, maybeOptions);
  const lease = options.lease === undefined ? 0n : checkInt64(options.lease, "lease (a bigint lease ID; 0n: none)");
  const prevKv = booleanOption(options.prevKv, "prevKv");
  const ignoreLease = booleanOption((options as Partial<PutOptions>).ignoreLease, "ignoreLease");
  if (ignoreLease && lease !== 0n) {
    throw invalidArgumentError("lease and ignoreLease cannot be used together");
  }
  return Object.freeze({
    type: "put",
    key: keyBytes,
    value: keepValue ? noBytes : toOwnedBytes(valueOrOptions as Bytes),
    lease,
    prevKv,
    ignoreValue: keepValue,
    ignoreLease,
  });
}

/** An options object in a put's value place: not bytes (of any realm), another view, an array or a buffer. */
function isPlainOptions(value: unknown): value is PutKeepValueOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
}

/**
 * The options of a put (own properties only), checked: `ignoreValue: true` exactly when the
 * options stand in the value's place (a value with it would be dropped silently; options after it
 * would be ignored).
 */
function checkPutOptions(
  given: PutOptions | PutKeepValueOptions | undefined,
  keepValue: boolean,
  extra: PutOptions | undefined,
): Partial<PutOptions | PutKeepValueOptions> {
  const options = ownOptions<PutOptions | PutKeepValueOptions>(given);
  const ignoreValue = booleanOption(options.ignoreValue, "ignoreValue");
  if (keepValue && !ignoreValue) throw invalidArgumentError("put needs a value, or options with ignoreValue: true in its place");
  if (keepValue && extra !== undefined) {
    throw invalidArgumentError("put(key, { ignoreValue: true, ... }) takes every option in that one object: give no third argument");
  }
  if (!keepValue && ignoreValue) {
    throw invalidArgumentError("ignoreValue keeps the current value: give no value, as put(key, { ignoreValue: true, ... })");
  }
  return options;
}

function txn<const T extends readonly Op[] = readonly [], const E extends readonly Op[] = readonly []>(
  spec: TxnSpec<T, E>,
): TxnOp<T, E> {
  if (typeof spec !== "object" || spec === null) {
    throw invalidArgumentError(`op.txn takes { if?, then?, else? }, got ${typeName(spec)}`);
  }
  const parts = ownOptions(spec, "op.txn's spec");
  return Object.freeze({
    type: "txn",
    compares: txnPart(parts.if, "if"),
    success: txnPart(parts.then, "then") as unknown as T,
    failure: txnPart(parts.else, "else") as unknown as E,
  });
}

/** One part of a txn spec as a frozen copy; absent is empty, anything but an array is an error. */
function txnPart<X>(part: readonly X[] | undefined, name: string): readonly X[] {
  if (part === undefined) return Object.freeze([]);
  if (!Array.isArray(part)) throw invalidArgumentError(`op.txn: ${name} must be an array, got ${typeName(part)}`);
  return Object.freeze([...part]);
}

/**
 * Builders of immutable operations, to run later with `kv.do(op)` or inside a txn. Options are
 * typed per operation: a limit on a put or a sort on a single key does not compile.
 *
 * Throws (synchronously, before any I/O): `empty-key` for an empty key without a range selector,
 * `invalid-argument` for malformed options (negative limit, a revision or lease outside int64,
 * lease with ignoreLease, a txn part that is not an array). Ops own their bytes: every non-empty
 * key, value or range end is a Uint8Array over an ArrayBuffer of its own (a byte array given as a
 * key or value is copied), so neither reusing the array afterwards nor writing into another op's
 * bytes changes the op; empty ones are one shared frozen empty array, which holds no bytes.
 *
 * @example
 * ```ts
 * const ops = [op.put("put-key", "123"), op.get("put-key"), op.put("put-key", "456")];
 * for (const o of ops) await kv.do(o);
 * const nested = op.txn({ if: [compare.missing("a")], then: [op.put("a", "1")], else: [op.get("a")] });
 * ```
 */
export const op = Object.freeze({
  /**
   * A read of one key, or of a range with `prefix`, `end` or `fromKey`.
   * @example
   * ```ts
   * op.get("foo");
   * op.get("key", { prefix: true, sort: { target: "key", order: "descend" } });
   * ```
   */
  get(key: Bytes, options?: GetOptions): GetOp {
    const own = ownOptions(options);
    return makeGetOp(resolveRange(key, own), own as RangeReadOptions);
  },
  /**
   * A write: `op.put(key, value, options?)`, or `op.put(key, { ignoreValue: true, ... })` to keep
   * the current value (for example to attach a lease).
   * @example
   * ```ts
   * op.put("k", "v", { lease: lease.id, prevKv: true });
   * op.put("k", { ignoreValue: true, ignoreLease: true });
   * ```
   */
  put,
  /**
   * A delete of one key, or of a range with `prefix`, `end` or `fromKey`.
   * @example
   * ```ts
   * op.delete("jobs/", { prefix: true, prevKv: true });
   * ```
   */
  delete(key: Bytes, options?: DeleteOptions): DeleteOp {
    const own = ownOptions(options);
    const range = resolveRange(key, own);
    return Object.freeze({ type: "delete", key: range.key, rangeEnd: range.rangeEnd, prevKv: booleanOption(own.prevKv, "prevKv") });
  },
  /**
   * A transaction as an op (for `kv.do` or nesting in another txn).
   * @example
   * ```ts
   * op.txn({ if: [compare.value("key", ">", "abc")], then: [op.put("key", "XYZ")], else: [op.put("key", "ABC")] });
   * ```
   */
  txn,
});
