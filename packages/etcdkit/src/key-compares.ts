import { compare, type Comparison } from "@etcdkit/kv";
import type { Bytes } from "@etcdkit/transport";

/**
 * The txn guard "the key exists", as Go's `clientv3util.KeyExists`: its version is above 0.
 * Throws "empty-key" for an empty key, before any I/O.
 *
 * @example
 * ```ts
 * await client.kv.txn().if(keyExists("config")).then(op.get("config")).commit();
 * ```
 */
export function keyExists(key: Bytes): Comparison {
  return compare.version(key, ">", 0);
}

/**
 * The txn guard "the key does not exist", as Go's `clientv3util.KeyMissing`: its version is 0.
 * The guard of a create-if-absent. Throws "empty-key" for an empty key, before any I/O.
 *
 * @example
 * ```ts
 * const { succeeded } = await client.kv.txn().if(keyMissing("config")).then(op.put("config", "{}")).commit();
 * ```
 */
export function keyMissing(key: Bytes): Comparison {
  return compare.version(key, "=", 0);
}
