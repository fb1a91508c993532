/**
 * `@etcdkit/transport` as bundlers resolve it for browsers and edge runtimes (the `browser`,
 * `worker`, `workerd` and `edge-light` export conditions): everything of the package entry except
 * the node:http2 transport (`createTransport`), so that no `node:` module is ever resolved there.
 * Use `createGatewayTransport` from `@etcdkit/transport/gateway` in those runtimes; the service
 * packages (kv, watch, lease, ...) import their helpers from here unchanged.
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
export {
  retryPolicies,
  retryPolicyFor,
  rpcPolicies,
  rpcPolicyFor,
  isRetryableError,
  type RetryPolicy,
  type RpcPolicy,
} from "./retry-policy.js";
export { createTokenSource, isStaleTokenError, type IssuedToken, type TokenSource } from "./auth/token-source.js";
export { connectCallOptions, MAX_TIMER_MS, type CallOptions } from "./call-options.js";
export {
  booleanOption,
  checkCallOptions,
  checkOptionsObject,
  checkTransport,
  isAbortSignal,
  ownOptions,
  typeName,
} from "./argument-checks.js";
export { checkInt64, checkMemberId, checkRevision, MAX_INT64, MAX_UINT64, MIN_INT64 } from "./id-checks.js";
export { toResponseHeader, type ResponseHeader } from "./response-header.js";
export { canAddressMembers, memberTransport, type MemberAddressingTransport } from "./endpoint-connector.js";
export { RequestQueue } from "./streams/request-queue.js";
export { reconnectDelayMs, FIRST_RECONNECT_DELAY_MS, MAX_RECONNECT_DELAY_MS } from "./streams/reconnect-delay.js";
export { monotonicNow } from "./clock.js";
export { refreshTimer, unrefTimer } from "./timers.js";
export { KeyValue, keyValueFromMessage, type KeyValueFields } from "./key-value.js";
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
