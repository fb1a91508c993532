import type { Transport } from "@connectrpc/connect";
import { createKV, type KV } from "@etcdkit/kv";
import { buildKV } from "@etcdkit/kv/internal";
import { isBytes, isEtcdError, toOwnedBytes, type Bytes } from "@etcdkit/transport";
import { invalidArgumentError, ownOptions, toEtcdError, typeName } from "@etcdkit/transport/internal";
import { createWatch } from "@etcdkit/watch";
import { CallScope } from "./call-scope.js";
import { LeaseCache } from "./lease-cache.js";
import type { LeasingContext } from "./leasing-context.js";
import { createLeasingCore } from "./leasing-core.js";
import { resolveLeasingOptions, type LeasingKVOptions } from "./leasing-options.js";
import { SessionKeeper } from "./leasing-session.js";
import { newCounters, type LeasingStats } from "./leasing-stats.js";
import { OwnershipLayout } from "./ownership-layout.js";

/**
 * A KV whose linearizable single-key reads are served from a local cache while this client owns
 * the key (Go's `clientv3/leasing` protocol). It has the whole KV API of `@etcdkit/kv`; see
 * `createLeasingKV`. A cache hit's `get` result has the newest revision this client has seen and
 * the header of the etcd answer that put the value in the cache.
 *
 * @example
 * ```ts
 * await using lkv = await createLeasingKV(transport, "leasing/");
 * await lkv.get("config"); // from etcd, and now owned
 * const { kv, revision, header } = await lkv.get("config"); // from the cache
 * ```
 */
export interface LeasingKV extends KV, AsyncDisposable {
  /** The ownership prefix (every ownership key is `prefix + key`). */
  readonly prefix: Uint8Array;
  /** Counters: cache hits and misses, keys acquired, revokes, sessions. */
  readonly stats: LeasingStats;
  /**
   * Drops the cache and revokes the session lease, so that every ownership key of this client
   * is deleted at once and writers waiting on them go on. Later calls fail "canceled".
   * Idempotent. Throws the transport's errors when the lease cannot be revoked ("unavailable",
   * "deadline-exceeded", ...): the ownership keys then go when etcd expires the lease (its TTL).
   * `await using` ignores "transport-closed" and a lease that is already gone.
   */
  close(): Promise<void>;
}

/**
 * A client with a transport (`createClient` of the `etcdkit` package, for instance).
 *
 * @example
 * ```ts
 * const target: HasTransport = { transport };
 * ```
 */
export interface HasTransport {
  readonly transport: Transport;
}

/**
 * Creates a leasing KV on `target` (a Connect transport, or a client with a `transport`) with
 * ownership keys under `prefix`, and opens its session: a lease of `ttl` seconds kept alive, and
 * a watch on the prefix. Resolves once both are ready.
 *
 * Reads of single keys take ownership of the key (a lease-bound key `prefix + key`) and are then
 * answered from memory while the lease is provably alive. Writes to keys owned by other clients
 * ask the owner to give them up and wait (bounded by `timeoutMs`, or `revokeTimeoutMs`). Every
 * writer of the keys a leasing KV may cache must be a leasing KV with the same prefix (this one,
 * or Go's `leasing.NewKV` — same keys, same values): a plain write does not invalidate caches.
 *
 * Throws before any I/O "invalid-argument" (not a transport, an empty or non-bytes prefix, bad
 * options) or "deadline-exceeded" (`timeoutMs <= 0`); then the session's errors ("unavailable",
 * "deadline-exceeded", "canceled", ...).
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createLeasingKV } from "@etcdkit/leasing";
 *
 * const transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * await using lkv = await createLeasingKV(transport, "leasing/", { ttl: 10 });
 * const { kv: flags, revision } = await lkv.get("feature-flags"); // flags: KeyValue | undefined at revision
 * ```
 */
export async function createLeasingKV(target: Transport | HasTransport, prefix: Bytes, options?: LeasingKVOptions): Promise<LeasingKV> {
  const transport = transportOf(target);
  if (!isBytes(prefix)) throw invalidArgumentError(`createLeasingKV: the prefix must be a string or a Uint8Array, got ${typeName(prefix)}`);
  const prefixBytes = toOwnedBytes(prefix);
  if (prefixBytes.length === 0) throw invalidArgumentError("createLeasingKV: the prefix must not be empty (ownership keys would be the keys themselves)");
  const resolved = resolveLeasingOptions(options);
  const kv = createKV(transport);
  const watcher = createWatch(transport);
  const cache = new LeaseCache();
  const counters = newCounters();
  const layout = new OwnershipLayout(prefixBytes);
  const sessions = new SessionKeeper(transport, kv, watcher, layout, cache, resolved, counters);
  const { signal, timeoutMs } = ownOptions(options);
  const scope = new CallScope({ signal, timeoutMs }, sessions.closedSignal);
  try {
    await sessions.start(scope);
  } catch (err) {
    await watcher.close();
    throw toEtcdError(err);
  }
  const context: LeasingContext = { kv, watcher, layout, cache, sessions, options: resolved, counters };
  const leasing = buildKV(createLeasingCore(context));
  const close = async (): Promise<void> => {
    try {
      await sessions.close();
    } finally {
      await watcher.close();
    }
  };
  return Object.freeze({
    ...leasing,
    get prefix(): Uint8Array {
      return prefixBytes.slice();
    },
    get stats(): LeasingStats {
      return { ...counters, cachedKeys: cache.cachedKeys };
    },
    close,
    async [Symbol.asyncDispose](): Promise<void> {
      try {
        await close();
      } catch (err) {
        if (!isEtcdError(err, ["transport-closed", "lease-not-found"])) throw err;
      }
    },
  });
}

function transportOf(target: Transport | HasTransport): Transport {
  const candidate = target as Partial<Transport & HasTransport> | null;
  if (typeof candidate?.unary === "function" && typeof candidate.stream === "function") return candidate as Transport;
  const inner = candidate?.transport as Partial<Transport> | undefined;
  if (typeof inner?.unary === "function" && typeof inner.stream === "function") return inner as Transport;
  throw invalidArgumentError(`createLeasingKV needs a Connect transport or a client with a transport, got ${typeName(target)}`);
}
