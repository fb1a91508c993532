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

const R = "repeatable";
const N = "non-repeatable";

/**
 * THE retry classification of every unary RPC, keyed `"<service type name>/<method>"`, covering
 * etcd 3.4 and newer (Maintenance.Downgrade, Auth.AuthStatus) plus the v3lock and v3election
 * services. A test fails when a regenerated descriptor has a unary RPC missing here.
 *
 * Follows Go's `client/v3/retry.go` (methods wrapped with `withRepeatablePolicy()` are
 * repeatable; everything else, including v3lock/v3election which Go calls without a policy, gets
 * Go's default `nonRepeatable`), except three read-only calls Go leaves at the default:
 * `Auth/AuthStatus` and `Election/Leader` only read, and `Auth/Authenticate` only issues a new
 * token (a duplicate is an unused token that expires), so all three are repeatable here.
 *
 * Go's repeatable writes, kept: `LeaseGrant` (a resend may leave an extra lease that expires after
 * its TTL, or "lease-exists" when the request names an ID), `LeaseRevoke` (a resend after success
 * answers "lease-not-found"), `Alarm` and `MoveLeader`.
 *
 * @example
 * ```ts
 * retryPolicies["etcdserverpb.KV/Put"]; // "non-repeatable"
 * ```
 */
export const retryPolicies: Readonly<Record<string, RetryPolicy>> = Object.freeze({
  "etcdserverpb.KV/Range": R,
  "etcdserverpb.KV/Put": N,
  "etcdserverpb.KV/DeleteRange": N,
  "etcdserverpb.KV/Txn": N,
  "etcdserverpb.KV/Compact": N,

  "etcdserverpb.Lease/LeaseGrant": R,
  "etcdserverpb.Lease/LeaseRevoke": R,
  "etcdserverpb.Lease/LeaseTimeToLive": R,
  "etcdserverpb.Lease/LeaseLeases": R,

  "etcdserverpb.Cluster/MemberAdd": N,
  "etcdserverpb.Cluster/MemberRemove": N,
  "etcdserverpb.Cluster/MemberUpdate": N,
  "etcdserverpb.Cluster/MemberList": R,
  "etcdserverpb.Cluster/MemberPromote": N,

  "etcdserverpb.Maintenance/Alarm": R,
  "etcdserverpb.Maintenance/Status": R,
  "etcdserverpb.Maintenance/Defragment": N,
  "etcdserverpb.Maintenance/Hash": R,
  "etcdserverpb.Maintenance/HashKV": R,
  "etcdserverpb.Maintenance/MoveLeader": R,
  "etcdserverpb.Maintenance/Downgrade": N, // 3.5+

  "etcdserverpb.Auth/AuthEnable": N,
  "etcdserverpb.Auth/AuthDisable": N,
  "etcdserverpb.Auth/AuthStatus": R, // 3.5+; Go: default (non-repeatable); read-only
  "etcdserverpb.Auth/Authenticate": R, // Go: default (non-repeatable); only issues a token
  "etcdserverpb.Auth/UserAdd": N,
  "etcdserverpb.Auth/UserGet": R,
  "etcdserverpb.Auth/UserList": R,
  "etcdserverpb.Auth/UserDelete": N,
  "etcdserverpb.Auth/UserChangePassword": N,
  "etcdserverpb.Auth/UserGrantRole": N,
  "etcdserverpb.Auth/UserRevokeRole": N,
  "etcdserverpb.Auth/RoleAdd": N,
  "etcdserverpb.Auth/RoleGet": R,
  "etcdserverpb.Auth/RoleList": R,
  "etcdserverpb.Auth/RoleDelete": N,
  "etcdserverpb.Auth/RoleGrantPermission": N,
  "etcdserverpb.Auth/RoleRevokePermission": N,

  "v3lockpb.Lock/Lock": N,
  "v3lockpb.Lock/Unlock": N,

  "v3electionpb.Election/Campaign": N,
  "v3electionpb.Election/Proclaim": N,
  "v3electionpb.Election/Leader": R, // Go: default (non-repeatable); read-only
  "v3electionpb.Election/Resign": N,
} satisfies Record<string, RetryPolicy>);

/**
 * The retry policy of a unary RPC; an RPC not in `retryPolicies` is "non-repeatable" (safe default).
 *
 * @example
 * ```ts
 * retryPolicyFor(KV.typeName, KV.method.range.name); // "repeatable"
 * retryPolicyFor("etcdserverpb.KV", "RangeStream");  // "non-repeatable" (unknown)
 * ```
 */
export function retryPolicyFor(serviceTypeName: string, methodName: string): RetryPolicy {
  const key = `${serviceTypeName}/${methodName}`;
  return Object.hasOwn(retryPolicies, key) ? retryPolicies[key]! : N;
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
