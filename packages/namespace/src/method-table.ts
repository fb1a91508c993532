import { prefixKeyField, prefixLeaderField, prefixRangeFields, prefixTxn, prefixWatchRequest } from "./request-mapping.js";
import {
  stripDeleteResponse,
  stripElectionResponse,
  stripLeaseKeys,
  stripLockResponse,
  stripPutResponse,
  stripRangeResponse,
  stripTxnResponse,
  stripWatchResponse,
} from "./response-mapping.js";

/**
 * How one RPC is moved into a namespace: its request messages get the namespace in front of
 * every key, its response messages lose it.
 *
 * @example
 * ```ts
 * const mapping = namespaceMappings.get("etcdserverpb.KV/Range");
 * const request = mapping?.request?.(ns, input);
 * ```
 */
export interface MethodMapping {
  request?(namespace: Uint8Array, input: Record<string, unknown>): Record<string, unknown>;
  response?(namespace: Uint8Array, message: Record<string, unknown>): void;
}

/**
 * The RPCs that name keys, by `service type name/method name`: KV (Range, Put, DeleteRange, Txn),
 * Watch, LeaseTimeToLive (its keys), and the server-side Lock and Election services. Every other
 * RPC (Compact, lease grants and keepalives, cluster, maintenance, auth) passes through
 * unchanged: etcd has one revision history and one set of leases, members and users.
 *
 * @example
 * ```ts
 * namespaceMappings.has("etcdserverpb.KV/Put"); // true
 * namespaceMappings.has("etcdserverpb.KV/Compact"); // false: not namespaced
 * ```
 */
export const namespaceMappings: ReadonlyMap<string, MethodMapping> = new Map<string, MethodMapping>([
  ["etcdserverpb.KV/Range", { request: prefixRangeFields, response: stripRangeResponse }],
  ["etcdserverpb.KV/Put", { request: (ns, input) => prefixKeyField(ns, input, "key"), response: stripPutResponse }],
  ["etcdserverpb.KV/DeleteRange", { request: prefixRangeFields, response: stripDeleteResponse }],
  ["etcdserverpb.KV/Txn", { request: prefixTxn, response: stripTxnResponse }],
  ["etcdserverpb.Watch/Watch", { request: prefixWatchRequest, response: stripWatchResponse }],
  ["etcdserverpb.Lease/LeaseTimeToLive", { response: stripLeaseKeys }],
  ["v3lockpb.Lock/Lock", { request: (ns, input) => prefixKeyField(ns, input, "name"), response: stripLockResponse }],
  ["v3lockpb.Lock/Unlock", { request: (ns, input) => prefixKeyField(ns, input, "key") }],
  ["v3electionpb.Election/Campaign", { request: (ns, input) => prefixKeyField(ns, input, "name"), response: stripElectionResponse }],
  ["v3electionpb.Election/Proclaim", { request: prefixLeaderField }],
  ["v3electionpb.Election/Leader", { request: (ns, input) => prefixKeyField(ns, input, "name"), response: stripElectionResponse }],
  ["v3electionpb.Election/Observe", { request: (ns, input) => prefixKeyField(ns, input, "name"), response: stripElectionResponse }],
  ["v3electionpb.Election/Resign", { request: prefixLeaderField }],
]);
