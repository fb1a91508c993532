/**
 * `@etcdkit/namespace`: one key prefix for everything built on a transport (KV, watches, lease
 * key lists, server-side locks and elections, and the packages built on them), as Go's
 * `clientv3/namespace` does for its KV, Watcher and Lease.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createKV } from "@etcdkit/kv";
 * import { namespaceTransport } from "@etcdkit/namespace";
 * import { createTransport } from "@etcdkit/transport";
 *
 * const transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * const kv = createKV(namespaceTransport(transport, "app/"));
 * await kv.put("config", "{}"); // "app/config" in etcd
 * ```
 */
export { namespaceTransport, type NamespacedTransport } from "./namespace-transport.js";
