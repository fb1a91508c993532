import { Code } from "@connectrpc/connect";
import type { EtcdErrorReason } from "./errors/etcd-error-reason.js";
import type { EtcdError } from "./errors/etcd-error.js";
import { rpcErrorTable } from "./errors/rpctypes-table.js";

/**
 * How a unary RPC may be retried, as in etcd's Go client (`client/v3/retry.go`):
 *
 * - `repeatable`: safe to send again (reads, and the few writes Go marks repeatable); retried on
 *   Unavailable, on another endpoint.
 * - `non-repeatable`: could be applied twice; retried only when the request never left the client.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = retryPolicyFor("etcdserverpb.KV", "Range"); // "repeatable"
 * ```
 */
export type RetryPolicy = "repeatable" | "non-repeatable";

/**
 * How the transport treats one unary RPC: its retry policy, and whether it changes etcd's state
 * (a write), which decides `EtcdError.outcomeUnknown` when it fails.
 *
 * @example
 * ```ts
 * const policy: RpcPolicy = rpcPolicyFor("etcdserverpb.KV", "Put"); // { retry: "non-repeatable", mutates: true }
 * ```
 */
export interface RpcPolicy {
  readonly retry: RetryPolicy;
  /**
   * The RPC may change etcd's state. A failed call of such an RPC whose request may have reached
   * etcd, with no definitive etcd answer that it was not applied, has `outcomeUnknown: true`.
   */
  readonly mutates: boolean;
}

const policy = (retry: RetryPolicy, mutates: boolean): RpcPolicy => Object.freeze({ retry, mutates });
/** A read: repeatable, changes nothing. */
const READ = policy("repeatable", false);
/** A write that could be applied twice: sent again only when it provably never left the client. */
const WRITE = policy("non-repeatable", true);
/** A write Go's client retries like a read (a repeat is harmless or answered with a typed error). */
const REPEATABLE_WRITE = policy("repeatable", true);

/**
 * THE table of every unary RPC, keyed `"<service type name>/<method>"`: retry policy and whether
 * it mutates, for etcd 3.4 and newer (Maintenance.Downgrade, Auth.AuthStatus) plus the v3lock and
 * v3election services. A test fails when a regenerated descriptor has a unary RPC missing here.
 *
 * Retry policies follow Go's `client/v3/retry.go` (methods wrapped with `withRepeatablePolicy()`
 * are repeatable; everything else, including v3lock/v3election which Go calls without a policy,
 * gets Go's default `nonRepeatable`), except three read-only calls Go leaves at the default:
 * `Auth/AuthStatus` and `Election/Leader` only read, and `Auth/Authenticate` only issues a new
 * token (a duplicate is an unused token that expires), so all three are repeatable here.
 *
 * Go's repeatable writes, kept: `LeaseGrant` (a resend may leave an extra lease that expires after
 * its TTL, or "lease-exists" when the request names an ID), `LeaseRevoke` (a resend after success
 * answers "lease-not-found"), `Alarm` and `MoveLeader`.
 *
 * `mutates` is true for every RPC that may change etcd's state, also when a particular request
 * would not (a read-only Txn, an Alarm GET): the transport does not look into requests. Compact and
 * Defragment count as writes (they change the store, if not its keys); Authenticate does not (its
 * token changes nothing a caller could read back).
 *
 * @example
 * ```ts
 * rpcPolicies["etcdserverpb.KV/Put"]; // { retry: "non-repeatable", mutates: true }
 * ```
 */
export const rpcPolicies: Readonly<Record<string, RpcPolicy>> = Object.freeze({
  "etcdserverpb.KV/Range": READ,
  "etcdserverpb.KV/Put": WRITE,
  "etcdserverpb.KV/DeleteRange": WRITE,
  "etcdserverpb.KV/Txn": WRITE,
  "etcdserverpb.KV/Compact": WRITE,

  "etcdserverpb.Lease/LeaseGrant": REPEATABLE_WRITE,
  "etcdserverpb.Lease/LeaseRevoke": REPEATABLE_WRITE,
  "etcdserverpb.Lease/LeaseTimeToLive": READ,
  "etcdserverpb.Lease/LeaseLeases": READ,

  "etcdserverpb.Cluster/MemberAdd": WRITE,
  "etcdserverpb.Cluster/MemberRemove": WRITE,
  "etcdserverpb.Cluster/MemberUpdate": WRITE,
  "etcdserverpb.Cluster/MemberList": READ,
  "etcdserverpb.Cluster/MemberPromote": WRITE,

  "etcdserverpb.Maintenance/Alarm": REPEATABLE_WRITE,
  "etcdserverpb.Maintenance/Status": READ,
  "etcdserverpb.Maintenance/Defragment": WRITE,
  "etcdserverpb.Maintenance/Hash": READ,
  "etcdserverpb.Maintenance/HashKV": READ,
  "etcdserverpb.Maintenance/MoveLeader": REPEATABLE_WRITE,
  "etcdserverpb.Maintenance/Downgrade": WRITE, // 3.5+

  "etcdserverpb.Auth/AuthEnable": WRITE,
  "etcdserverpb.Auth/AuthDisable": WRITE,
  "etcdserverpb.Auth/AuthStatus": READ, // 3.5+; Go: default (non-repeatable); read-only
  "etcdserverpb.Auth/Authenticate": READ, // Go: default (non-repeatable); only issues a token
  "etcdserverpb.Auth/UserAdd": WRITE,
  "etcdserverpb.Auth/UserGet": READ,
  "etcdserverpb.Auth/UserList": READ,
  "etcdserverpb.Auth/UserDelete": WRITE,
  "etcdserverpb.Auth/UserChangePassword": WRITE,
  "etcdserverpb.Auth/UserGrantRole": WRITE,
  "etcdserverpb.Auth/UserRevokeRole": WRITE,
  "etcdserverpb.Auth/RoleAdd": WRITE,
  "etcdserverpb.Auth/RoleGet": READ,
  "etcdserverpb.Auth/RoleList": READ,
  "etcdserverpb.Auth/RoleDelete": WRITE,
  "etcdserverpb.Auth/RoleGrantPermission": WRITE,
  "etcdserverpb.Auth/RoleRevokePermission": WRITE,

  "v3lockpb.Lock/Lock": WRITE,
  "v3lockpb.Lock/Unlock": WRITE,

  "v3electionpb.Election/Campaign": WRITE,
  "v3electionpb.Election/Proclaim": WRITE,
  "v3electionpb.Election/Leader": READ, // Go: default (non-repeatable); read-only
  "v3electionpb.Election/Resign": WRITE,
} satisfies Record<string, RpcPolicy>);

/**
 * The retry policy of every unary RPC in `rpcPolicies`, by key.
 *
 * @example
 * ```ts
 * retryPolicies["etcdserverpb.KV/Put"]; // "non-repeatable"
 * ```
 */
export const retryPolicies: Readonly<Record<string, RetryPolicy>> = Object.freeze(
  Object.fromEntries(Object.entries(rpcPolicies).map(([key, entry]) => [key, entry.retry])),
);

/**
 * The policy of a unary RPC; an RPC not in `rpcPolicies` is a non-repeatable write (safe default).
 *
 * @example
 * ```ts
 * rpcPolicyFor(KV.typeName, KV.method.range.name); // { retry: "repeatable", mutates: false }
 * rpcPolicyFor("etcdserverpb.KV", "RangeStream");  // { retry: "non-repeatable", mutates: true } (unknown)
 * ```
 */
export function rpcPolicyFor(serviceTypeName: string, methodName: string): RpcPolicy {
  const key = `${serviceTypeName}/${methodName}`;
  return Object.hasOwn(rpcPolicies, key) ? rpcPolicies[key]! : WRITE;
}

/**
 * The retry policy of a unary RPC; an RPC not in `rpcPolicies` is "non-repeatable" (safe default).
 *
 * @example
 * ```ts
 * retryPolicyFor(KV.typeName, KV.method.range.name); // "repeatable"
 * retryPolicyFor("etcdserverpb.KV", "RangeStream");  // "non-repeatable" (unknown)
 * ```
 */
export function retryPolicyFor(serviceTypeName: string, methodName: string): RetryPolicy {
  return rpcPolicyFor(serviceTypeName, methodName).retry;
}

/**
 * etcd server errors sent with code Unavailable: transient conditions of one member (no leader,
 * leader changed, server stopped, request timed out, unhealthy, learner...). Derived from the table
 * so that a new Unavailable row joins automatically.
 */
const transientServerReasons: ReadonlySet<EtcdErrorReason> = new Set(
  rpcErrorTable.filter((row) => row.code === Code.Unavailable).map((row) => row.reason),
);

/**
 * Whether the transport may send a failed call again (to another endpoint), as Go's
 * `isSafeRetry`:
 *
 * - reason "unavailable" (connection failed, no etcd message): retried when the RPC is
 *   repeatable, or when the request never left the client (`requestSent` false);
 * - an etcd server error that the server sent with code Unavailable ("no-leader",
 *   "leader-changed", "stopped", "timeout*", "unhealthy", and in 3.4/3.5 "not-capable",
 *   "not-supported-for-learner", "cluster-version-unavailable"): retried only for repeatable RPCs.
 *   Go's `isSafeRetryImmutableRPC` does the same (only non-Unavailable etcd errors stop it); its
 *   `isSafeRetryMutableRPC` retries only "there is no address/connection available", which never
 *   carries an etcd message. The server's code decides: etcd 3.6 sends "not capable" as
 *   FailedPrecondition, which is then not retried, as in Go;
 * - everything else (other etcd errors such as "compacted" or "permission-denied", deadlines,
 *   cancellation, "outcome-unknown", "transport-closed") is never retried.
 *
 * @example
 * ```ts
 * isRetryableError(toEtcdError(err), retryPolicyFor("etcdserverpb.KV", "Put"), requestSent);
 * ```
 */
export function isRetryableError(error: EtcdError, policy: RetryPolicy, requestSent: boolean): boolean {
  if (error.code !== Code.Unavailable) return false;
  if (error.reason === "unavailable") return policy === "repeatable" || !requestSent;
  return policy === "repeatable" && transientServerReasons.has(error.reason);
}
