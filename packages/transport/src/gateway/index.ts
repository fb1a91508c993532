/**
 * `@etcdkit/transport/gateway`: a Connect `Transport` over etcd's JSON gateway and `fetch`, for
 * browsers, Cloudflare Workers, Deno Deploy and other edge runtimes (no HTTP/2 with trailers
 * there). Nothing here imports a `node:` module.
 *
 * @module @etcdkit/transport/gateway
 *
 * @example
 * ```ts
 * import { createGatewayTransport } from "@etcdkit/transport/gateway";
 * const transport = createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * ```
 */
export { createGatewayTransport, type EtcdGatewayTransport, type GatewayTransportStats } from "./create-gateway-transport.js";
export type { GatewayTransportOptions } from "./gateway-options.js";
export { fromGatewayJson, toGatewayJson, type JsonObject, type JsonValue } from "./json-codec.js";
