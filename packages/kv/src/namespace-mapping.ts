import { KeyValue, prefixRangeEnd, toBytes, type Bytes } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import type { Comparison } from "./compare.js";
import type { WireRange } from "./key-range.js";
import type { Op } from "./ops.js";
import { notAComparisonError, notAnOpError, readOp } from "./request-encoding.js";
import * as records from "./result-records.js";
import type { AnyOpResult, TxnResult } from "./results.js";

/**
 * Maps a wire range inside a namespace to the range outside it, as Go's `namespace` package does:
 * the namespace is put in front of the key and of the range end; a range end of `[0]` ("to the
 * end of the keyspace") becomes the end of the namespace, `prefixRangeEnd(namespace)`. The whole
 * keyspace `["\0", "\0")` therefore maps to `[namespace + "\0", end of namespace)`: a key equal to
 * the namespace itself would be the empty key inside it, which no op can name, so no range holds
 * it either. An empty namespace changes nothing. Returns new arrays; neither argument is changed.
 *
 * Throws `invalid-argument` when `namespace` is not text or bytes or `range` is not a WireRange.
 *
 * @example
 * ```ts
 * prefixRange("app/", { key: toBytes("a"), rangeEnd: new Uint8Array([0]) });
 * // { key: "app/a", rangeEnd: "app0" }
 * ```
 */
export function prefixRange(namespace: Bytes, range: WireRange): WireRange {
  const prefix = toBytes(namespace);
  if (!(range?.key instanceof Uint8Array) || !(range.rangeEnd instanceof Uint8Array)) {
    throw invalidArgumentError("prefixRange: the range must be { key, rangeEnd } of Uint8Arrays (see resolveRange)");
  }
  const { key, rangeEnd } = range;
  const prefixedKey = concat(prefix, key);
  if (rangeEnd.length === 0) return { key: prefixedKey, rangeEnd };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { key: prefixedKey, rangeEnd: prefixRangeEnd(prefix) };
  return { key: prefixedKey, rangeEnd: concat(prefix, rangeEnd) };
}

/**
 * An op with every key, range and txn comparison moved into the namespace (nested txns too).
 *
 * @example
 * ```ts
 * prefixOp(toBytes("app/"), op.get("a", { prefix: true })); // get "app/a" .. "app/b"
 * ```
 */
export function prefixOp<O extends Op>(namespace: Uint8Array, operation: O): O {
  return readOp((o: Op) => prefixAnyOp(namespace, o), operation) as O;
}

function prefixAnyOp(namespace: Uint8Array, operation: Op): Op {
  switch (operation?.type) {
    case "get":
      return Object.freeze({ ...operation, ...prefixRange(namespace, operation) });
    case "delete":
      return Object.freeze({ ...operation, ...prefixRange(namespace, operation) });
    case "put":
      return Object.freeze({ ...operation, key: concat(namespace, operation.key) });
    case "txn":
      return Object.freeze({
        ...operation,
        compares: Object.freeze(operation.compares.map((c) => prefixComparison(namespace, c))),
        success: Object.freeze(operation.success.map((o) => prefixAnyOp(namespace, o))),
        failure: Object.freeze(operation.failure.map((o) => prefixAnyOp(namespace, o))),
      });
    default:
      throw notAnOpError();
  }
}

/**
 * A txn comparison moved into the namespace.
 *
 * @example
 * ```ts
 * prefixComparison(toBytes("app/"), compare.exists("a")); // exists "app/a"
 * ```
 */
export function prefixComparison(namespace: Uint8Array, comparison: Comparison): Comparison {
  if (typeof comparison?.target !== "string") throw notAComparisonError();
  return Object.freeze({ ...comparison, ...prefixRange(namespace, comparison) });
}

/**
 * A result with the namespace removed from every key (prevKv, prevKvs and txn responses too).
 *
 * @example
 * ```ts
 * const result = stripResult(namespaceBytes, await inner.do(prefixOp(namespaceBytes, o)));
 * ```
 */
export function stripResult<R extends AnyOpResult>(namespace: Uint8Array, result: R): R {
  const strip = (kv: KeyValue) => stripKeyValue(namespace, kv);
  const { header, revision } = result;
  if ("kvs" in result) {
    return new records.RangeResult(header, revision, Object.freeze(result.kvs.map(strip)), result.count, result.more) as AnyOpResult as R;
  }
  if ("deleted" in result) {
    return new records.DeleteResult(header, revision, result.deleted, Object.freeze(result.prevKvs.map(strip))) as AnyOpResult as R;
  }
  if ("succeeded" in result) {
    const responses = Object.freeze(result.responses.map((r: AnyOpResult) => stripResult(namespace, r)));
    return new records.TxnResult(result.succeeded, header, revision, responses) as TxnResult as R;
  }
  return new records.PutResult(header, revision, result.prevKv === undefined ? undefined : strip(result.prevKv)) as AnyOpResult as R;
}

/**
 * A key-value with the namespace removed from its key.
 *
 * @example
 * ```ts
 * stripKeyValue(toBytes("app/"), item).keyText(); // "a" for "app/a"
 * ```
 */
export function stripKeyValue(namespace: Uint8Array, kv: KeyValue): KeyValue {
  return new KeyValue({ ...kv, key: kv.key.subarray(namespace.length) });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
