/**
 * `@etcdkit/transport`: the shared transport of etcdkit. A fast Connect `Transport` for etcd
 * over node:http2 (endpoints, failover, retry rules, auth, TLS, keepalive), the typed errors
 * every package throws, and the byte/ID helpers.
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
export { transportDefaults, type TransportOptions } from "./transport/transport-options.js";
export type { TlsOptions } from "./tls.js";
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
export { createTokenSource, isStaleTokenError, type TokenSource } from "./auth/token-source.js";
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
export { KeyValue, keyValueFromMessage, type KeyValueFields } from "./key-value.js";
