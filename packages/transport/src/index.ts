/**
 * `@etcdkit/transport`: the shared transport of etcdkit. A fast Connect `Transport` for etcd
 * over node:http2 (endpoints, failover, retry rules, auth, TLS, keepalive), the typed errors
 * every package throws, and the byte/ID helpers.
 *
 * @module @etcdkit/transport
 *
 * @example
 * ```ts
 * import { createClient } from "@connectrpc/connect";
 * import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
 * import { createTransport, toBytes } from "@etcdkit/transport";
 *
 * await using transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * const kv = createClient(KV, transport);
 * await kv.put({ key: toBytes("greeting"), value: toBytes("hello") });
 * ```
 */
export {
  createTransport,
  type EtcdTransport,
  type TransportStats,
} from "./transport/create-transport.js";
export type { EtcdMemberTransport } from "./transport/member-transport.js";
export type { TlsOptions } from "./tls.js";
// Everything that runs in every runtime (also what browser and edge bundlers resolve this package to).
export * from "./index-web.js";
