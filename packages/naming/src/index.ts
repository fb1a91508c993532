/**
 * `@etcdkit/naming`: a service registry in etcd compatible with Go's `naming/endpoints` (and
 * gRPC-Go's etcd resolver): endpoints stored under `target/` as the JSON Go writes, added and
 * deleted atomically, listed and watched, optionally bound to a lease.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createEndpointManager } from "@etcdkit/naming";
 *
 * const manager = createEndpointManager({ kv, watch: watcher }, "my-service");
 * await manager.add("my-service/10.0.0.7:50051", { addr: "10.0.0.7:50051" }, { lease: lease.id });
 * console.log(await manager.list());
 * ```
 */
export {
  createEndpointManager,
  type EndpointChange,
  type EndpointManager,
  type EndpointSource,
} from "./endpoint-manager.js";
export { decodeEndpoint, encodeEndpoint, type Endpoint } from "./endpoint-codec.js";
export type { EndpointUpdate, EndpointWatch, EndpointWatchOptions } from "./endpoint-watch.js";
