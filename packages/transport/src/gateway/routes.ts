import type { DescMethod } from "@bufbuild/protobuf";
import { httpRoutes } from "@etcdkit/api/http-routes";

/**
 * The gateway path of an RPC, from the `google.api.http` annotations of etcd's protos
 * (`gen/http-routes.js`, extracted by `pnpm proto:sync`): `/v3/kv/range` for KV.Range. Every
 * etcd route is a POST with the request as its JSON body. Undefined for an RPC without a route
 * (an RPC of a newer etcd than the protos the table came from).
 *
 * @example
 * ```ts
 * gatewayPath(KV.method.range); // "/v3/kv/range"
 * ```
 */
export function gatewayPath(method: DescMethod): string | undefined {
  return httpRoutes[`${method.parent.typeName}.${method.name}`]?.path;
}
