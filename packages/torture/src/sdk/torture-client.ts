import type { KvOutput, RecordedBatch, WatchRequest } from "../history/types.js";

/**
 * Per-call options the workloads pass.
 *
 * @example
 * ```ts
 * await client.put("r/0", "c1-2", { timeoutMs: 3000 });
 * ```
 */
export interface TortureCallOptions {
  readonly timeoutMs?: number;
}

/**
 * A key-value as the workloads see it (strings; the workloads write ASCII only).
 *
 * @example
 * ```ts
 * const kv: TortureKeyValue = { key: "r/0", value: "c1-2", modRevision: 5n, createRevision: 5n, version: 1 };
 * ```
 */
export interface TortureKeyValue {
  readonly key: string;
  readonly value: string;
  readonly modRevision: bigint;
  readonly createRevision: bigint;
  readonly version: number;
}

/**
 * A running watch: its batches as recorded (with the stream counter at receipt), when it was
 * registered, and how to stop it.
 *
 * @example
 * ```ts
 * const watch = client.watch({ key: "r/", prefix: true });
 * for await (const batch of watch.batches) console.log(batch.revision);
 * ```
 */
export interface TortureWatch {
  readonly ready: Promise<bigint>;
  readonly batches: AsyncIterable<RecordedBatch>;
  /** The revision the watch would resume from (last delivered + 1). */
  readonly nextRevision: bigint;
  cancel(): void;
}

/**
 * A granted lease: renewals as they arrive, its loss, and how to stop renewing or revoke it.
 *
 * @example
 * ```ts
 * const lease = await client.grant(2);
 * for await (const _ of lease.renewals) console.log("renewed");
 * ```
 */
export interface TortureLease {
  readonly id: bigint;
  readonly ttl: number;
  /** Yields once per renewal observed; ends when the lease is lost. */
  readonly renewals: AsyncIterable<void>;
  /** Settles once when the lease is lost. */
  readonly lost: Promise<{ readonly reason: string }>;
  /** Stops renewing without revoking. */
  release(): void;
  revoke(options?: TortureCallOptions): Promise<void>;
}

/**
 * What the workloads need from an etcd client. The suite records histories through this
 * interface only, so any client can be tortured: etcdkit over gRPC today (`createSdkClient`),
 * the gateway transport when it exists.
 *
 * @example
 * ```ts
 * const factory: ClientFactory = (endpoints) => createSdkClient({ endpoints });
 * const client = factory(cluster.endpoints);
 * ```
 */
export interface TortureClient {
  get(key: string, options?: TortureCallOptions & { readonly serializable?: boolean }): Promise<KvOutput & { f: "get" }>;
  put(key: string, value: string, options?: TortureCallOptions & { readonly lease?: bigint }): Promise<KvOutput & { f: "put" }>;
  delete(key: string, options?: TortureCallOptions): Promise<KvOutput & { f: "delete" }>;
  /** `if(value == expect) then(put value) else(get)`; `expect: null`: if the key is missing. */
  cas(key: string, expect: string | null, value: string, options?: TortureCallOptions): Promise<KvOutput & { f: "cas" }>;
  /** Every key with the prefix, at one revision. */
  readPrefix(prefix: string, options?: TortureCallOptions): Promise<{ revision: bigint; kvs: TortureKeyValue[] }>;
  /**
   * One optimistic txn: if every guard's mod revision holds, read `reads` (before the writes)
   * and put `puts`; else nothing. Returns the reads' values (null: absent).
   */
  guardedWrite(
    guards: readonly { readonly key: string; readonly modRevision: bigint }[],
    reads: readonly string[],
    puts: readonly { readonly key: string; readonly value: string }[],
    options?: TortureCallOptions,
  ): Promise<{ succeeded: boolean; revision: bigint; reads: Map<string, string | null> }>;
  watch(request: WatchRequest): TortureWatch;
  grant(ttl: number, options?: TortureCallOptions): Promise<TortureLease>;
  /** A lock session (a lease kept alive) for the lock-set workload, when the client has locks. */
  lockSession?(ttl: number): Promise<TortureLockSession>;
  /** Counters of the client's own (retries, re-authentications, watch streams...), if it has any. */
  counters?(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * A session for locks: a lease kept alive; `lost` settles when it ends (etcd says so, or no
 * renewal came back by its local deadline).
 *
 * @example
 * ```ts
 * const session = await client.lockSession!(2);
 * const held = await session.lock("locks/set", { timeoutMs: 5000 });
 * ```
 */
export interface TortureLockSession {
  readonly lost: Promise<{ readonly reason: string }>;
  lock(name: string, options?: TortureCallOptions): Promise<TortureHeldLock>;
  close(): Promise<void>;
}

/**
 * One acquisition of a lock: its fencing token, a write guarded on still holding it, and unlock.
 *
 * @example
 * ```ts
 * const applied = await held.guardedPut("locks-data/last", "c1-3");
 * await held.unlock();
 * ```
 */
export interface TortureHeldLock {
  /** The fencing token (the lock key's create revision). */
  readonly token: bigint;
  /** The store revision at which the lock was found held. */
  readonly acquiredAt: bigint;
  /** Puts `key` only while this acquisition still holds the lock (a txn guarded by it); returns whether it applied and at which revision. */
  guardedPut(key: string, value: string, options?: TortureCallOptions): Promise<{ succeeded: boolean; revision: bigint }>;
  unlock(options?: TortureCallOptions): Promise<void>;
}

/**
 * Makes a client for a list of endpoints (with credentials when the cluster has auth on).
 *
 * @example
 * ```ts
 * const factory: ClientFactory = (endpoints, options) => createSdkClient({ endpoints, ...options });
 * ```
 */
export type ClientFactory = (endpoints: readonly string[], options: ClientFactoryOptions) => TortureClient;

/**
 * Options a ClientFactory gets.
 *
 * @example
 * ```ts
 * const options: ClientFactoryOptions = { auth: { username: "root", password: "secret" } };
 * ```
 */
export interface ClientFactoryOptions {
  readonly auth?: { readonly username: string; readonly password: string };
  /**
   * Follow membership changes by refreshing the endpoints from the member list (only for clients
   * on members' own URLs: the list holds those, not the fault proxies).
   */
  readonly followMembership?: boolean;
}
