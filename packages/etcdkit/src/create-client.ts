import type { Transport } from "@connectrpc/connect";
import { createAuth, type Auth } from "@etcdkit/auth";
import { createCluster, type Cluster } from "@etcdkit/cluster";
import { createSession, runSTM, type Session, type SessionOptions, type STM, type STMOptions, type STMResult } from "@etcdkit/concurrency";
import { createKV, type KV } from "@etcdkit/kv";
import { createLease, type LeaseClient } from "@etcdkit/lease";
import { createMaintenance, type Maintenance } from "@etcdkit/maintenance";
import { namespaceTransport, type NamespacedTransport } from "@etcdkit/namespace";
import { createTransport, type Bytes, type EtcdTransport, type TransportOptions } from "@etcdkit/transport";
import { invalidArgumentError, typeName } from "@etcdkit/transport/internal";
import { createWatch, type Watcher } from "@etcdkit/watch";

/**
 * What `createClient` takes: the transport's options (`endpoints`, `dialTimeoutMs`, `timeoutMs`,
 * `auth`, `tls`, `requireLeader`, `autoSyncIntervalMs`, keepalive and message limits), as written
 * by hand, read by `loadConfig` from Go's YAML/JSON client config, or by `configFromEnv` from
 * etcdctl's environment variables.
 *
 * @example
 * ```ts
 * const config: ClientConfig = { endpoints: ["http://127.0.0.1:2379"], dialTimeoutMs: 5000, timeoutMs: 10_000 };
 * ```
 */
export type ClientConfig = TransportOptions;

/**
 * Every etcd service on one transport, as Go's `clientv3.Client` (and etcd3's `Etcd3`). Services
 * are created on first use, so a program that only reads keys never opens a watch or keepalive
 * stream. All watches share one stream and all kept-alive leases another.
 *
 * Sessions (for locks, elections and recipes) and STM transactions come from `client.session()`
 * and `client.stm()`, built on the client's transport (`@etcdkit/concurrency`): over a
 * namespaced client they stay inside its namespace.
 *
 * @example
 * ```ts
 * await using client = createClient({ endpoints: ["http://127.0.0.1:2379"] });
 * await client.kv.put("greeting", "hello");
 * const members = await client.cluster.memberList();
 * ```
 */
export interface EtcdClient<T extends Transport = EtcdTransport> extends AsyncDisposable {
  /** The transport every service uses (etcdkit's `createTransport`; for a namespaced client, the namespaced one). */
  readonly transport: T;
  /** Keys, values, txns, compaction (`@etcdkit/kv`). */
  readonly kv: KV;
  /** Watches, all on one shared stream (`@etcdkit/watch`). */
  readonly watch: Watcher;
  /** Leases and keepalives, all on one shared stream (`@etcdkit/lease`). */
  readonly lease: LeaseClient;
  /** Membership (`@etcdkit/cluster`); not namespaced. */
  readonly cluster: Cluster;
  /** Status, alarms, defragment, hashes, snapshots (`@etcdkit/maintenance`); not namespaced. */
  readonly maintenance: Maintenance;
  /** Users, roles, permissions (`@etcdkit/auth`); not namespaced (permissions name real keys). */
  readonly auth: Auth;
  /**
   * A session (a lease kept alive) for locks, elections and recipes, on this client's transport
   * (`createSession` of `@etcdkit/concurrency`; same options and errors). The client closes the
   * sessions it made when it closes (revoking their leases, so their locks are released at once).
   *
   * @example
   * ```ts
   * const session = await client.session({ ttl: 10 });
   * await using held = await createMutex(session, "locks/orders").lock();
   * ```
   */
  session(options?: SessionOptions): Promise<Session>;
  /**
   * Runs `apply` as a software transactional memory transaction on this client's transport
   * (`runSTM` of `@etcdkit/concurrency`; same options, isolation levels and errors).
   *
   * @example
   * ```ts
   * await client.stm(async (stm) => stm.put("b", String(Number(await stm.get("a")) + 1)));
   * ```
   */
  stm<R>(apply: (stm: STM) => R | Promise<R>, options?: STMOptions): Promise<STMResult<R>>;
  /** The key prefix of this client, as bytes (empty for the root client; nested namespaces: the whole prefix). */
  readonly prefix: Uint8Array;
  /**
   * A client whose keys all live under `prefix` (Go's `namespace` package for KV, Watcher and
   * Lease, and everything built on its transport): its kv, watch and lease key lists see and
   * touch only keys under it, with the prefix stripped from every key they return. It shares
   * this client's connections. Asking twice for the same prefix gives the same client. Throws
   * "invalid-argument" for a prefix that is not text or bytes, and after `close()`.
   *
   * @example
   * ```ts
   * const app = client.namespace("app/");
   * await app.kv.put("config", "{}");  // "app/config" in etcd
   * ```
   */
  namespace(prefix: Bytes): EtcdClient<NamespacedTransport>;
  /**
   * Root client: ends every watch and stops every keepalive (of its namespaced clients too;
   * leases are not revoked, they are lost as "closed" and expire after their TTL), then closes
   * the transport. A namespaced client: ends its own watches and keepalives only. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Creates the client: one transport (`createTransport(config)`) and every service on it.
 * Throws EtcdError "invalid-argument" at once for bad options (no endpoints, a non-http(s) URL,
 * a negative duration, ...), before any I/O; calls fail as each service documents.
 *
 * Bundle size: the client references every service, so a bundle of `createClient` carries all of
 * them (measured in the package README). A function that needs only KV imports `createTransport`
 * and `createKV` (from here or from the service packages) and carries KV only.
 *
 * @example
 * ```ts
 * import { createClient, loadConfig } from "etcdkit";
 *
 * await using client = createClient(loadConfig("/etc/etcd/client.yaml"));
 * console.log((await client.kv.get("greeting")).kv?.text());
 * ```
 */
export function createClient(config: ClientConfig): EtcdClient {
  const transport = createTransport(config);
  return new ServiceSet(transport, new Uint8Array(0), undefined, () => transport.close());
}

/** The services of one client over one transport, each created on first use. */
class ServiceSet<T extends Transport> implements EtcdClient<T> {
  private kvValue: KV | undefined;
  private watchValue: Watcher | undefined;
  private leaseValue: LeaseClient | undefined;
  private clusterValue: Cluster | undefined;
  private maintenanceValue: Maintenance | undefined;
  private authValue: Auth | undefined;
  private readonly children = new Map<NamespacedTransport, ServiceSet<NamespacedTransport>>();
  private readonly sessions = new Set<Session>();
  private closing: Promise<void> | undefined;

  constructor(
    readonly transport: T,
    readonly prefix: Uint8Array,
    /** The root client, for a namespaced one (it owns the transport and the unnamespaced services). */
    private readonly root: ServiceSet<EtcdTransport> | undefined,
    private readonly closeTransport: (() => Promise<void>) | undefined,
  ) {}

  get kv(): KV {
    return (this.kvValue ??= createKV(this.transport));
  }

  get watch(): Watcher {
    return (this.watchValue ??= createWatch(this.transport));
  }

  get lease(): LeaseClient {
    return (this.leaseValue ??= createLease(this.transport));
  }

  get cluster(): Cluster {
    return this.root?.cluster ?? (this.clusterValue ??= createCluster(this.transport));
  }

  get maintenance(): Maintenance {
    return this.root?.maintenance ?? (this.maintenanceValue ??= createMaintenance(this.transport));
  }

  get auth(): Auth {
    return this.root?.auth ?? (this.authValue ??= createAuth(this.transport));
  }

  async session(options?: SessionOptions): Promise<Session> {
    if (this.closing !== undefined) throw invalidArgumentError("session: the client was closed");
    const session = await createSession(this.transport, options);
    this.sessions.add(session);
    void session.lost.then(() => this.sessions.delete(session));
    if (this.closing !== undefined) await session.close().catch(() => {});
    return session;
  }

  stm<R>(apply: (stm: STM) => R | Promise<R>, options?: STMOptions): Promise<STMResult<R>> {
    return runSTM(this.transport, apply, options);
  }

  namespace(prefix: Bytes): EtcdClient<NamespacedTransport> {
    if (this.closing !== undefined) throw invalidArgumentError("namespace: the client was closed");
    let transport: NamespacedTransport;
    try {
      transport = namespaceTransport(this.transport, prefix);
    } catch {
      throw invalidArgumentError(`namespace: the prefix must be a string or a Uint8Array, got ${typeName(prefix)}`);
    }
    const owner = (this.root ?? this) as ServiceSet<Transport>;
    let child = owner.children.get(transport);
    if (child === undefined || child.closing !== undefined) {
      child = new ServiceSet(transport, transport.namespace, owner as ServiceSet<EtcdTransport>, undefined);
      owner.children.set(transport, child);
    }
    return child;
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async closeAll(): Promise<void> {
    const children = [...this.children.values()];
    this.children.clear();
    await Promise.all(children.map((child) => child.close()));
    // Sessions first (revoked: their locks and leaderships end at once; a failure to revoke
    // leaves the lease to expire), then leases (their keepalives stop), watches, the connections.
    await Promise.all([...this.sessions].map((session) => session.close().catch(() => {})));
    this.sessions.clear();
    await this.leaseValue?.close();
    await this.watchValue?.close();
    await this.closeTransport?.();
  }
}
