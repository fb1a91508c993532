import type { Comparison, GetOp, RangeResult } from "@etcdkit/kv";
import { RangeResultRecord } from "@etcdkit/kv/internal";
import { compareBytes, KeyValue, type ResponseHeader, type Revision } from "@etcdkit/transport";
import { copyBytes } from "./key-bytes.js";

const noKvs: readonly KeyValue[] = Object.freeze([]);
const noValue = Object.freeze(new Uint8Array(0));

/**
 * A single-key read answered from a known value of the key, with etcd's own semantics (etcd 3.4
 * `applierV3backend.Range`): `count` is the number of keys before the min/max revision filters
 * (1 or 0), the filters then remove the key from `kvs`, `countOnly` returns no kvs, `keysOnly`
 * an empty value. The kv is a fresh copy: changing its bytes changes nothing cached.
 *
 * `revision` is what the caller says the read is at; for a cache hit that is the newest revision
 * this client has seen, a lower bound of etcd's current revision (the value is etcd's current
 * one; the store's current revision is not known without asking etcd). `header` is the header of
 * the etcd answer the value came from (for a hit: the one that put it in the cache).
 *
 * @example
 * ```ts
 * const result = readValue(state.value, cache.knownRevision, state.header, op.get("config", { keysOnly: true }));
 * ```
 */
export function readValue(value: KeyValue | null, revision: Revision, header: ResponseHeader, get: GetOp): RangeResult {
  if (value === null) return new RangeResultRecord(header, revision, noKvs, 0, false);
  let include = !get.countOnly;
  if (include && get.maxModRevision !== 0n && value.modRevision > get.maxModRevision) include = false;
  if (include && get.minModRevision !== 0n && value.modRevision < get.minModRevision) include = false;
  if (include && get.maxCreateRevision !== 0n && value.createRevision > get.maxCreateRevision) include = false;
  if (include && get.minCreateRevision !== 0n && value.createRevision < get.minCreateRevision) include = false;
  const kvs = include ? Object.freeze([copyKeyValue(value, get.keysOnly)]) : noKvs;
  return new RangeResultRecord(header, revision, kvs, 1, false);
}

/**
 * A copy of a key-value with bytes of its own (`keysOnly`: an empty value).
 *
 * @example
 * ```ts
 * const mine = copyKeyValue(cached, false);
 * ```
 */
export function copyKeyValue(kv: KeyValue, keysOnly: boolean): KeyValue {
  return new KeyValue({
    key: copyBytes(kv.key),
    value: keysOnly ? noValue : copyBytes(kv.value),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
  });
}

/**
 * Evaluates a single-key txn comparison against a known value, exactly as etcd does (etcd 3.4
 * `applyCompare` / `compareKV`): on a missing key a `value` comparison is always false and every
 * other target compares with 0; `lease` compares the key's lease ID. (Go's leasing cache compared
 * no `lease` target at all, so `lease = X` held for any X, and took a missing key's value as "",
 * so `value = ""` held for a key that does not exist.)
 *
 * @example
 * ```ts
 * evaluateComparison(compare.version("k", "=", 0), null); // true
 * evaluateComparison(compare.value("k", "=", ""), null);  // false
 * ```
 */
export function evaluateComparison(comparison: Comparison, value: KeyValue | null): boolean {
  let result: number;
  if (value === null && comparison.target === "value") return false;
  switch (comparison.target) {
    case "value":
      result = compareBytes(value!.value, comparison.operand as Uint8Array);
      break;
    case "version":
      result = sign(BigInt(value?.version ?? 0) - (comparison.operand as bigint));
      break;
    case "createRevision":
      result = sign((value?.createRevision ?? 0n) - (comparison.operand as bigint));
      break;
    case "modRevision":
      result = sign((value?.modRevision ?? 0n) - (comparison.operand as bigint));
      break;
    case "lease":
      result = sign((value?.lease ?? 0n) - (comparison.operand as bigint));
      break;
    default:
      return false;
  }
  switch (comparison.operator) {
    case "=":
      return result === 0;
    case "!=":
      return result !== 0;
    case "<":
      return result < 0;
    case ">":
      return result > 0;
    default:
      return false;
  }
}

function sign(n: bigint): number {
  return n < 0n ? -1 : n > 0n ? 1 : 0;
}
