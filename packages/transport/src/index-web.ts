/**
 * `@etcdkit/transport` as bundlers resolve it for browsers and edge runtimes (the `browser`,
 * `worker`, `workerd` and `edge-light` export conditions): everything of the package entry except
 * the node:http2 transport (`createTransport`), so that no `node:` module is ever resolved there.
 * Use `createGatewayTransport` from `@etcdkit/transport/gateway` in those runtimes. The helpers
 * the service packages share live in `@etcdkit/transport/internal` (not part of the API).
 *
 * @example
 * ```ts
 * import { toBytes, isEtcdError } from "@etcdkit/transport"; // in a Worker: this module
 * ```
 */
export { transportDefaults, type TransportOptions } from "./transport/transport-options.js";
export * from "./errors/index.js";
export * from "./bytes.js";
export * from "./ids.js";
export { rpcPolicies, rpcPolicyFor, type RetryPolicy, type RpcPolicy } from "./retry-policy.js";
export { connectCallOptions, MAX_TIMER_MS, type CallOptions } from "./call-options.js";
export type { ResponseHeader } from "./response-header.js";
export { monotonicNow } from "./clock.js";
export { KeyValue, type KeyValueFields } from "./key-value.js";
export { callReport, callReportKey, type CallReport } from "./observe/call-report.js";
export type { ObserveOptions } from "./observe/observe-options.js";
export {
  transportEventListener,
  type ConnectFailedEvent,
  type EndpointDownCause,
  type EndpointDownEvent,
  type EndpointsChangedEvent,
  type EndpointUpEvent,
  type RetryEvent,
  type StreamReopenEvent,
  type TokenRefreshEvent,
  type TransportEvent,
  type TransportEventListener,
} from "./observe/transport-events.js";
