import { op, type CallOptions, type KV, type Op } from "@etcdkit/kv";
import { type LeaseId, type Revision } from "@etcdkit/transport";
import { checkInt64, invalidArgumentError, typeName } from "@etcdkit/transport/internal";
import type { Watcher } from "@etcdkit/watch";
import { decodeEndpoint, encodeEndpoint, type Endpoint } from "./endpoint-codec.js";
import { watchEndpoints, type EndpointWatch, type EndpointWatchOptions } from "./endpoint-watch.js";

/**
 * One change of `update`: add (or replace) an endpoint under `key`, optionally attached to a
 * lease (it disappears when the lease does), or delete the endpoint under `key`.
 *
 * @example
 * ```ts
 * const changes: EndpointChange[] = [
 *   { op: "delete", key: "svc/10.0.0.7:50051" },
 *   { op: "add", key: "svc/10.0.0.8:50051", endpoint: { addr: "10.0.0.8:50051" }, lease: lease.id },
 * ];
 * ```
 */
export type EndpointChange =
  | { readonly op: "add"; readonly key: string; readonly endpoint: Endpoint; readonly lease?: LeaseId }
  | { readonly op: "delete"; readonly key: string };

/**
 * What an endpoint manager reads and writes through: a KV and a watcher of one cluster (the
 * `etcdkit` client, or a namespaced one, is one).
 *
 * @example
 * ```ts
 * const source: EndpointSource = { kv: createKV(transport), watch: createWatch(transport) };
 * ```
 */
export interface EndpointSource {
  readonly kv: KV;
  readonly watch: Watcher;
}

/**
 * A service registry in etcd, compatible with Go's `naming/endpoints` (and gRPC-Go's etcd
 * resolver built on it): endpoints of a target live under `target/` (by convention
 * `target/<addr>`), each as the JSON Go writes, so Go and TypeScript services discover each other.
 *
 * @example
 * ```ts
 * const manager = createEndpointManager(client, "foo/bar/my-service");
 * await manager.add("foo/bar/my-service/10.0.0.7:50051", { addr: "10.0.0.7:50051" }, { lease: lease.id });
 * ```
 */
export interface EndpointManager {
  /** The target (service name) whose endpoints live under `target/`. */
  readonly target: string;
  /**
   * Applies several changes atomically, in one txn (Go's `Update`); resolves with its revision.
   * Throws "invalid-argument" (before I/O) for a key outside `target/`, an unknown op, an endpoint
   * without an `addr` string or metadata that is not JSON; then the txn's errors ("too-many-ops",
   * "duplicate-key" for two changes of one key, "lease-not-found", transport errors).
   */
  update(changes: readonly EndpointChange[], options?: CallOptions): Promise<Revision>;
  /** Adds (or replaces) one endpoint (Go's `AddEndpoint`). Throws like `update`. */
  add(key: string, endpoint: Endpoint, options?: CallOptions & { readonly lease?: LeaseId }): Promise<Revision>;
  /** Deletes one endpoint (Go's `DeleteEndpoint`); deleting a missing one is not an error. Throws like `update`. */
  delete(key: string, options?: CallOptions): Promise<Revision>;
  /**
   * Every endpoint of the target, by key (Go's `List`). Values Go could not read are skipped,
   * as Go does. Throws transport errors.
   */
  list(options?: CallOptions): Promise<Map<string, Endpoint>>;
  /**
   * The endpoints as they change (Go's `NewWatchChannel`): first one batch of "add" updates for
   * every endpoint listed (none when there is none), then the changes after that read, batch
   * per revision. See `EndpointWatch`.
   */
  watch(options?: EndpointWatchOptions): EndpointWatch;
}

/**
 * An endpoint manager for `target` over `source` (Go's `endpoints.NewManager(client, target)`).
 * Throws "invalid-argument" at once for a source without `kv` and `watch`, or a target that is
 * not a non-empty string.
 *
 * @example
 * ```ts
 * const manager = createEndpointManager({ kv, watch: watcher }, "my-service");
 * for await (const updates of manager.watch()) for (const u of updates) console.log(u.op, u.key, u.endpoint?.addr);
 * ```
 */
export function createEndpointManager(source: EndpointSource, target: string): EndpointManager {
  if (typeof source?.kv?.do !== "function" || typeof source.watch?.watch !== "function") {
    throw invalidArgumentError(`createEndpointManager: the source needs a kv and a watch (e.g. the etcdkit client), got ${typeName(source)}`);
  }
  if (typeof target !== "string" || target === "") throw invalidArgumentError("createEndpointManager: the target must be a non-empty string");
  const prefix = `${target}/`;

  const toOp = (change: EndpointChange): Op => {
    if (typeof change?.key !== "string" || !change.key.startsWith(prefix)) {
      throw invalidArgumentError(`endpoints: endpoint key should be prefixed with '${prefix}' got: '${String(change?.key)}'`);
    }
    if (change.op === "add") {
      const lease = change.lease === undefined ? undefined : checkInt64(change.lease, "endpoints: the lease ID");
      return op.put(change.key, encodeEndpoint(change.endpoint), lease === undefined ? undefined : { lease });
    }
    if (change.op === "delete") return op.delete(change.key);
    throw invalidArgumentError(`endpoints: bad update op ${JSON.stringify((change as { op?: unknown }).op)} (use "add" or "delete")`);
  };

  const update = async (changes: readonly EndpointChange[], options?: CallOptions): Promise<Revision> => {
    if (!Array.isArray(changes)) throw invalidArgumentError(`endpoints: update takes an array of changes, got ${typeName(changes)}`);
    const ops = changes.map(toOp);
    const result = await source.kv.do(op.txn({ then: ops }), options);
    return result.revision;
  };

  return Object.freeze({
    target,
    update,
    add: (key: string, endpoint: Endpoint, options?: CallOptions & { readonly lease?: LeaseId }) =>
      update([{ op: "add", key, endpoint, lease: options?.lease }], callOnly(options)),
    delete: (key: string, options?: CallOptions) => update([{ op: "delete", key }], options),
    async list(options?: CallOptions): Promise<Map<string, Endpoint>> {
      const { kvs } = await source.kv.getPrefix(prefix, callOnly(options));
      const endpoints = new Map<string, Endpoint>();
      for (const item of kvs) {
        const endpoint = decodeEndpoint(item.text());
        if (endpoint !== undefined) endpoints.set(item.keyText(), endpoint);
      }
      return endpoints;
    },
    watch: (options?: EndpointWatchOptions) => watchEndpoints(source, prefix, options),
  });
}



function callOnly(options: (CallOptions & { readonly lease?: LeaseId }) | undefined): CallOptions | undefined {
  if (options === undefined || options === null || typeof options !== "object") return options;
  return { signal: options.signal, timeoutMs: options.timeoutMs };
}
