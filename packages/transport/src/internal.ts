/**
 * `@etcdkit/transport/internal`: the helpers etcdkit's own packages share (argument checks, ID
 * checks, error constructors, the shared streams' hub, request queue and reconnect delays, the
 * readable-result base (`ReadableRecord`: `toJSON` and `util.inspect` views), timers, per-member transports, the retry and token machinery). NOT part of the public API: no
 * semver promise, anything here may change or go in any release. Applications use the package
 * entry (`@etcdkit/transport`) and the service packages.
 *
 * Runtime-neutral (no `node:` module), so the same entry serves Node, browsers and edge bundles.
 *
 * @example
 * ```ts
 * import { checkTransport, invalidArgumentError, ownOptions } from "@etcdkit/transport/internal";
 *
 * function createThing(transport: unknown, options?: { flag?: boolean }) {
 *   checkTransport(transport, "createThing");
 *   const own = ownOptions(options);
 *   if (own.flag !== undefined && typeof own.flag !== "boolean") throw invalidArgumentError("flag must be a boolean");
 * }
 * ```
 */
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
export { rpcErrorTable, type RpcErrorRow } from "./errors/rpctypes-table.js";
export { toEtcdError } from "./errors/to-etcd-error.js";
export { noTimeLeftError } from "./call/call-errors.js";
export { createRpcClient } from "./call/rpc-client.js";
export { emptyKeyError, invalidArgumentError, outcomeUnknownError } from "./errors/client-errors.js";
export { retryPolicies, retryPolicyFor, isRetryableError, type RetryPolicy } from "./retry-policy.js";
export { createTokenSource, isStaleTokenError, type TokenSource } from "./auth/token-source.js";
export { toResponseHeader } from "./response-header.js";
export { canAddressMembers, memberTransport, type MemberAddressingTransport } from "./endpoint-connector.js";
export { RequestQueue } from "./streams/request-queue.js";
export { reconnectDelayMs, FIRST_RECONNECT_DELAY_MS, MAX_RECONNECT_DELAY_MS } from "./streams/reconnect-delay.js";
export { StreamHub, StreamSession, TERMINAL_STREAM_REASONS, type StreamAttempt, type StreamHubHandler } from "./streams/stream-hub.js";
export { bytesToJSON, ReadableRecord, readableRecord, toJSONValue, type BytesJSON } from "./readable.js";
export { refreshTimer, unrefTimer } from "./timers.js";
export { keyValueFromMessage } from "./key-value.js";
export { gatewayPath } from "./gateway/routes.js";
