import type { SortOption } from "./options.js";

/**
 * Read options that return the first key of a prefix under one sort: Go's `clientv3.WithFirstKey()`,
 * `WithLastCreate()`, ... Like Go's, each is `prefix`, a sort and `limit: 1`; spread it into other
 * options to combine (`{ ...withLastRev(), serializable: true }`). The key read is the prefix
 * (an empty key: the whole keyspace).
 *
 * @example
 * ```ts
 * const { kvs: [oldest] } = await kv.range("jobs/", withFirstCreate());
 * ```
 */
export interface SortShortcut {
  readonly prefix: true;
  readonly sort: SortOption;
  readonly limit: 1;
}

function top(target: SortOption["target"], order: NonNullable<SortOption["order"]>): SortShortcut {
  return Object.freeze({ prefix: true, sort: Object.freeze({ target, order }), limit: 1 });
}

/**
 * The lexically first key of the prefix (Go's `WithFirstKey`).
 *
 * @example
 * ```ts
 * const { kvs: [first] } = await kv.range("users/", withFirstKey());
 * ```
 */
export function withFirstKey(): SortShortcut {
  return top("key", "ascend");
}

/**
 * The lexically last key of the prefix (Go's `WithLastKey`).
 *
 * @example
 * ```ts
 * const { kvs: [last] } = await kv.range("users/", withLastKey());
 * ```
 */
export function withLastKey(): SortShortcut {
  return top("key", "descend");
}

/**
 * The key of the prefix with the oldest create revision (Go's `WithFirstCreate`): the head of a
 * queue of keys, the first waiter of a lock.
 *
 * @example
 * ```ts
 * const { kvs: [head] } = await kv.range("queue/", withFirstCreate());
 * ```
 */
export function withFirstCreate(): SortShortcut {
  return top("createRevision", "ascend");
}

/**
 * The key of the prefix with the newest create revision (Go's `WithLastCreate`).
 *
 * @example
 * ```ts
 * const { kvs: [newest] } = await kv.range("queue/", withLastCreate());
 * ```
 */
export function withLastCreate(): SortShortcut {
  return top("createRevision", "descend");
}

/**
 * The key of the prefix modified longest ago (Go's `WithFirstRev`).
 *
 * @example
 * ```ts
 * const { kvs: [stalest] } = await kv.range("heartbeats/", withFirstRev());
 * ```
 */
export function withFirstRev(): SortShortcut {
  return top("modRevision", "ascend");
}

/**
 * The key of the prefix modified last (Go's `WithLastRev`).
 *
 * @example
 * ```ts
 * const { kvs: [latest] } = await kv.range("config/", withLastRev());
 * ```
 */
export function withLastRev(): SortShortcut {
  return top("modRevision", "descend");
}
