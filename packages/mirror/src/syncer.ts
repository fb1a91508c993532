import type { KV, RangePage } from "@etcdkit/kv";
import { isBytes, toOwnedBytes, type Bytes, type Revision } from "@etcdkit/transport";
import { checkCallOptions, checkRevision, invalidArgumentError, typeName } from "@etcdkit/transport/internal";
import type { Watch, WatchFeatures, Watcher } from "@etcdkit/watch";

/**
 * What a syncer reads from: a KV and a watcher of the same cluster (the `etcdkit` client is one).
 *
 * @example
 * ```ts
 * const source: SyncSource = { kv: createKV(transport), watch: createWatch(transport) };
 * ```
 */
export interface SyncSource {
  readonly kv: KV;
  readonly watch: Watcher;
}

/**
 * Options of `syncBase`.
 *
 * @example
 * ```ts
 * const options: SyncBaseOptions = { pageSize: 500, timeoutMs: 10_000, signal };
 * ```
 */
export interface SyncBaseOptions {
  /** Keys per Range call (default 1000, as Go's mirror). */
  readonly pageSize?: number;
  /** Deadline of each Range call. */
  readonly timeoutMs?: number;
  /** Ends the walk ("canceled"). */
  readonly signal?: AbortSignal;
}

/**
 * Options of `syncUpdates`: the watch's features, except its start (always the base revision + 1).
 *
 * @example
 * ```ts
 * const options: SyncUpdatesOptions = { prevKv: true, signal };
 * ```
 */
export type SyncUpdatesOptions = Omit<WatchFeatures, "startRevision">;

/**
 * Copies a prefix of one cluster: the state at one revision, then every change after it
 * (Go's `mirror.Syncer`).
 *
 * @example
 * ```ts
 * const syncer = createSyncer(source, "app/");
 * for await (const page of syncer.syncBase()) for (const item of page.kvs) await target.put(item.key, item.value);
 * for await (const batch of syncer.syncUpdates()) apply(batch);
 * ```
 */
export interface Syncer {
  /** The prefix it copies ("" or empty bytes: the whole keyspace). */
  readonly prefix: Bytes;
  /** The base revision: given to `createSyncer`, or pinned by the first `syncBase`; 0n before. */
  readonly revision: Revision;
  /**
   * Every key of the prefix at the base revision, in pages (ascending key order), all read at
   * that one revision, however the prefix changes meanwhile. With no revision given, it is the
   * current revision when the walk starts (`revision` is set before the first page).
   * Throws "invalid-argument" (before I/O) for bad options, "compacted" when the base revision is
   * compacted (before or during the walk), "canceled" / "deadline-exceeded", transport errors.
   */
  syncBase(options?: SyncBaseOptions): AsyncIterable<RangePage>;
  /**
   * Every change of the prefix after the base revision (a watch from `revision + 1`), so base +
   * updates miss nothing and repeat nothing. Throws "invalid-argument" at once while the base
   * revision is not known (call `syncBase` first, or give a revision), or for bad options.
   */
  syncUpdates(options?: SyncUpdatesOptions): Watch;
}

/**
 * A syncer of `prefix` ("" for every key) from `source`, at `revision` (default 0n: the current
 * revision when `syncBase` starts). Go's `mirror.NewSyncer(client, prefix, rev)`.
 *
 * Throws "invalid-argument" at once for a source without `kv` and `watch`, a prefix that is not
 * text or bytes, or a revision that is not a bigint in [0n, 2^63 - 1].
 *
 * @example
 * ```ts
 * const syncer = createSyncer(createClient({ endpoints: ["http://10.0.0.1:2379"] }), "app/");
 * ```
 */
export function createSyncer(source: SyncSource, prefix: Bytes = "", revision: Revision = 0n): Syncer {
  if (typeof source?.kv?.paginate !== "function" || typeof source.watch?.watch !== "function") {
    throw invalidArgumentError(`createSyncer: the source needs a kv and a watch (e.g. the etcdkit client), got ${typeName(source)}`);
  }
  if (!isBytes(prefix)) throw invalidArgumentError("createSyncer: the prefix must be a string or a Uint8Array");
  checkRevision(revision, "createSyncer: the revision");
  const key = typeof prefix === "string" ? prefix : toOwnedBytes(prefix);
  let base = revision;

  async function* syncBase(options?: SyncBaseOptions): AsyncGenerator<RangePage, void, undefined> {
    checkCallOptions(options);
    const call = { signal: options?.signal, timeoutMs: options?.timeoutMs };
    if (base === 0n) {
      // Pin the current revision even when the prefix is empty (a walk of nothing yields no page).
      base = (await source.kv.getPrefix(key, { countOnly: true, ...call })).revision;
    }
    yield* source.kv.paginate(key, { prefix: true, revision: base, pageSize: options?.pageSize, ...call });
  }

  return Object.freeze({
    prefix: key,
    get revision() {
      return base;
    },
    syncBase,
    syncUpdates(options?: SyncUpdatesOptions): Watch {
      if (base === 0n) throw invalidArgumentError("syncUpdates: the base revision is not known yet: run syncBase first (or give createSyncer a revision)");
      if (options !== undefined && (typeof options !== "object" || options === null)) {
        throw invalidArgumentError(`syncUpdates: options must be an object, got ${typeName(options)}`);
      }
      return source.watch.watch(key, { ...options, prefix: true, startRevision: base + 1n } as never);
    },
  });
}
