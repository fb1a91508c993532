import { prefixRangeEnd } from "@etcdkit/transport";
import { emptyKeyError } from "@etcdkit/transport/internal";

/**
 * A key inside the namespace as etcd stores it: the namespace, then the key. An empty key is
 * refused with EtcdError "empty-key" (etcd's own error for it): prefixed, it would silently name
 * the namespace key itself.
 *
 * @example
 * ```ts
 * prefixKey(toBytes("app/"), toBytes("a")); // "app/a"
 * ```
 */
export function prefixKey(namespace: Uint8Array, key: Uint8Array): Uint8Array {
  if (key.length === 0) throw emptyKeyError();
  return concat(namespace, key);
}

/**
 * A wire range (`key`, `rangeEnd` as in etcd's requests) moved into the namespace, as Go's
 * `namespace` package does: the namespace goes in front of the key and of the range end; a range
 * end of `[0]` ("every key from `key` on") ends at the end of the namespace. The whole keyspace
 * (`"\0"` to `"\0"`) thus becomes every key of the namespace. A single key (empty range end) must
 * not be empty ("empty-key"). Returns new arrays.
 *
 * @example
 * ```ts
 * prefixWireRange(toBytes("app/"), toBytes("a"), new Uint8Array([0])); // { key: "app/a", rangeEnd: "app0" }
 * ```
 */
export function prefixWireRange(namespace: Uint8Array, key: Uint8Array, rangeEnd: Uint8Array): { key: Uint8Array; rangeEnd: Uint8Array } {
  if (rangeEnd.length === 0) return { key: prefixKey(namespace, key), rangeEnd };
  const prefixedKey = concat(namespace, key);
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { key: prefixedKey, rangeEnd: prefixRangeEnd(namespace) };
  return { key: prefixedKey, rangeEnd: concat(namespace, rangeEnd) };
}

/**
 * A key as the namespace's user sees it: without the namespace. Keys etcd sends back for a
 * namespaced request are always inside it; the view shares the bytes of `key`.
 *
 * @example
 * ```ts
 * stripKey(toBytes("app/"), toBytes("app/a")); // "a"
 * ```
 */
export function stripKey(namespace: Uint8Array, key: Uint8Array): Uint8Array {
  return key.subarray(namespace.length);
}

/**
 * True when `key` starts with the namespace.
 *
 * @example
 * ```ts
 * hasPrefix(toBytes("app/"), toBytes("other/a")); // false
 * ```
 */
export function hasPrefix(namespace: Uint8Array, key: Uint8Array): boolean {
  if (key.length < namespace.length) return false;
  for (let i = 0; i < namespace.length; i++) if (key[i] !== namespace[i]) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
