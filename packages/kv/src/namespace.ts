import { toOwnedBytes, type Bytes } from "@etcdkit/transport";
import { invalidArgumentError, typeName } from "@etcdkit/transport/internal";
import { buildKV, isKVCore, type KV } from "./kv.js";
import { prefixOp, stripResult } from "./namespace-mapping.js";
import type { Op } from "./ops.js";
import type { AnyOpResult, OpResult } from "./results.js";

/**
 * A KV confined to the keys under `namespace`: every key, range, txn comparison and nested txn is
 * prefixed on the way out, and the prefix is stripped from every key coming back (range results,
 * prevKv, prevKvs, txn responses). Ranges to the end of the keyspace (`fromKey`, `getAll`, an
 * empty prefix) end at the end of the namespace, so a namespaced KV never sees keys outside it.
 * Compaction is not namespaced (etcd has one history). Namespaces nest.
 *
 * Throws `invalid-argument` at once when `kv` is not a KV or `namespace` not text or bytes.
 * Its calls throw what the wrapped KV throws; `empty-key` is still checked on the key inside the
 * namespace (before any I/O).
 *
 * @example
 * ```ts
 * const app = withNamespace(kv, "app/");
 * await app.put("config", "{}");            // writes "app/config"
 * const all = await app.getAll();            // keys come back as "config", …
 * ```
 */
export function withNamespace(kv: KV, namespace: Bytes): KV {
  if (!isKVCore(kv)) {
    throw invalidArgumentError(`withNamespace wraps a KV (from createKV or withNamespace), got ${typeName(kv)}`);
  }
  const prefix = toOwnedBytes(namespace);
  return buildKV({
    async do<O extends Op>(operation: O, options?: Parameters<KV["do"]>[1]): Promise<OpResult<O>> {
      const result = await kv.do(prefixOp(prefix, operation), options);
      return stripResult(prefix, result as AnyOpResult) as OpResult<O>;
    },
    compact: (revision, options) => kv.compact(revision, options),
  });
}
