import { Code } from "@connectrpc/connect";
import type { EtcdErrorReason } from "./etcd-error-reason.js";

/**
 * One etcd server error: the message exactly as etcd sends it in `grpc-message`, our reason, and
 * the gRPC code etcd pairs with it.
 *
 * @example
 * ```ts
 * const row: RpcErrorRow = { message: "etcdserver: no leader", reason: "no-leader", code: Code.Unavailable };
 * ```
 */
export interface RpcErrorRow {
  readonly message: string;
  readonly reason: EtcdErrorReason;
  readonly code: Code;
}

const row = (message: string, reason: EtcdErrorReason, code: Code): RpcErrorRow =>
  Object.freeze({ message, reason, code });

/**
 * THE table of etcd server error messages, from etcd's `api/v3rpc/rpctypes/error.go`
 * (3.4: `etcdserver/api/v3rpc/rpctypes/error.go`). Every message of 3.4 and of newer etcd is here.
 *
 * `code` is the code of the first etcd release that sent the message. etcd 3.6 changed three:
 * "not capable", "rpc not supported for learner" and "cluster version not found during downgrade"
 * are Unavailable in 3.4/3.5 and FailedPrecondition in 3.6+. `toEtcdError` keeps the code the
 * server actually sent, so retry decisions follow the server's version, as Go's client does.
 *
 * @example
 * ```ts
 * const compacted = rpcErrorTable.find((r) => r.reason === "compacted");
 * // { message: "etcdserver: mvcc: required revision has been compacted", reason: "compacted", code: Code.OutOfRange }
 * ```
 */
export const rpcErrorTable: readonly RpcErrorRow[] = Object.freeze([
  // KV request validation
  row("etcdserver: key is not provided", "empty-key", Code.InvalidArgument),
  row("etcdserver: key not found", "key-not-found", Code.InvalidArgument),
  row("etcdserver: value is provided", "value-provided", Code.InvalidArgument),
  row("etcdserver: lease is provided", "lease-provided", Code.InvalidArgument),
  // Only in some etcd development revisions of api/v3rpc/rpctypes/error.go (ErrGRPCTTLZero).
  row("etcdserver: ttl is 0", "ttl-zero", Code.InvalidArgument),
  row("etcdserver: too many operations in txn request", "too-many-ops", Code.InvalidArgument),
  row("etcdserver: duplicate key given in txn request", "duplicate-key", Code.InvalidArgument),
  row("etcdserver: invalid client api version", "invalid-client-api-version", Code.InvalidArgument), // 3.6+
  row("etcdserver: invalid sort option", "invalid-sort-option", Code.InvalidArgument), // 3.6+

  // MVCC
  row("etcdserver: mvcc: required revision has been compacted", "compacted", Code.OutOfRange),
  row("etcdserver: mvcc: required revision is a future revision", "future-revision", Code.OutOfRange),
  row("etcdserver: mvcc: database space exceeded", "no-space", Code.ResourceExhausted),

  // Lease
  row("etcdserver: requested lease not found", "lease-not-found", Code.NotFound),
  row("etcdserver: lease already exists", "lease-exists", Code.FailedPrecondition),
  row("etcdserver: too large lease TTL", "lease-ttl-too-large", Code.OutOfRange),

  // Watch
  row("etcdserver: watch canceled", "watch-canceled", Code.Canceled),

  // Cluster membership
  row("etcdserver: member ID already exist", "member-exists", Code.FailedPrecondition),
  row("etcdserver: Peer URLs already exists", "peer-url-exists", Code.FailedPrecondition),
  row(
    "etcdserver: re-configuration failed due to not enough started members",
    "member-not-enough-started",
    Code.FailedPrecondition,
  ),
  row("etcdserver: given member URLs are invalid", "member-bad-urls", Code.InvalidArgument),
  row("etcdserver: member not found", "member-not-found", Code.NotFound),
  row("etcdserver: can only promote a learner member", "member-not-learner", Code.FailedPrecondition),
  row(
    "etcdserver: can only promote a learner member which is in sync with leader",
    "learner-not-ready",
    Code.FailedPrecondition,
  ),
  row("etcdserver: too many learner members in cluster", "too-many-learners", Code.FailedPrecondition),
  row("etcdserver: cluster ID mismatch", "cluster-id-mismatch", Code.FailedPrecondition), // 3.6+

  // Request limits
  row("etcdserver: request is too large", "request-too-large", Code.InvalidArgument),
  row("etcdserver: too many requests", "too-many-requests", Code.ResourceExhausted),

  // Auth
  row("etcdserver: root user does not exist", "root-user-not-exist", Code.FailedPrecondition),
  row("etcdserver: root user does not have root role", "root-role-not-exist", Code.FailedPrecondition),
  row("etcdserver: user name already exists", "user-already-exist", Code.FailedPrecondition),
  row("etcdserver: user name is empty", "user-empty", Code.InvalidArgument),
  row("etcdserver: user name not found", "user-not-found", Code.FailedPrecondition),
  row("etcdserver: role name already exists", "role-already-exist", Code.FailedPrecondition),
  row("etcdserver: role name not found", "role-not-found", Code.FailedPrecondition),
  row("etcdserver: role name is empty", "role-empty", Code.InvalidArgument),
  row("etcdserver: authentication failed, invalid user ID or password", "auth-failed", Code.InvalidArgument),
  // auth.ErrNoPasswordUser is missing from etcd's toGRPCErrorMap, so it arrives raw with code Unknown.
  row("auth: authentication failed, password was given for no password user", "auth-failed", Code.Unknown),
  // The admin check of Maintenance's Defragment, Snapshot, Hash and HashKV returns the auth store's
  // errors unconverted (etcd 3.4: authMaintenanceServer.isAuthenticated), so they too arrive raw
  // with code Unknown; an expired token there must still read as one.
  row("auth: invalid auth token", "invalid-auth-token", Code.Unknown),
  row("auth: revision in header is old", "auth-old-revision", Code.Unknown),
  row("auth: user name is empty", "user-empty", Code.Unknown),
  row("auth: permission denied", "permission-denied", Code.Unknown),
  row("etcdserver: permission not given", "permission-not-given", Code.InvalidArgument), // 3.5+
  row("etcdserver: permission denied", "permission-denied", Code.PermissionDenied),
  row("etcdserver: role is not granted to the user", "role-not-granted", Code.FailedPrecondition),
  row("etcdserver: permission is not granted to the role", "permission-not-granted", Code.FailedPrecondition),
  row("etcdserver: authentication is not enabled", "auth-not-enabled", Code.FailedPrecondition),
  row("etcdserver: invalid auth token", "invalid-auth-token", Code.Unauthenticated),
  row("etcdserver: invalid auth management", "invalid-auth-mgmt", Code.InvalidArgument),
  row("etcdserver: revision of auth store is old", "auth-old-revision", Code.InvalidArgument),

  // Raft / server health
  row("etcdserver: no leader", "no-leader", Code.Unavailable),
  row("etcdserver: not leader", "not-leader", Code.FailedPrecondition),
  row("etcdserver: leader changed", "leader-changed", Code.Unavailable),
  row("etcdserver: not capable", "not-capable", Code.Unavailable), // FailedPrecondition in 3.6+
  row("etcdserver: server stopped", "stopped", Code.Unavailable),
  row("etcdserver: request timed out", "timeout", Code.Unavailable),
  row(
    "etcdserver: request timed out, possibly due to previous leader failure",
    "timeout-due-to-leader-fail",
    Code.Unavailable,
  ),
  row(
    "etcdserver: request timed out, possibly due to connection lost",
    "timeout-due-to-connection-lost",
    Code.Unavailable,
  ),
  row(
    "etcdserver: request timed out, waiting for the applied index took too long",
    "timeout-wait-applied-index",
    Code.Unavailable,
  ),
  row("etcdserver: unhealthy cluster", "unhealthy", Code.Unavailable),
  row("etcdserver: corrupt cluster", "corrupt", Code.DataLoss),
  row("etcdserver: rpc not supported for learner", "not-supported-for-learner", Code.Unavailable), // FailedPrecondition in 3.6+
  row("etcdserver: bad leader transferee", "bad-leader-transferee", Code.FailedPrecondition),

  // Downgrade (3.5+)
  row(
    "etcdserver: cluster version not found during downgrade",
    "cluster-version-unavailable",
    Code.Unavailable, // FailedPrecondition in 3.6+
  ),
  row(
    "etcdserver: wrong downgrade target version format",
    "wrong-downgrade-version-format",
    Code.InvalidArgument,
  ),
  row("etcdserver: invalid downgrade target version", "invalid-downgrade-target-version", Code.InvalidArgument),
  row("etcdserver: cluster has a downgrade job in progress", "downgrade-in-process", Code.FailedPrecondition),
  row("etcdserver: no inflight downgrade job", "no-inflight-downgrade", Code.FailedPrecondition),

  // Server-side context errors (3.5+). They share the client reasons: to a caller, etcd giving up
  // on the call's context is the same outcome as the client doing so.
  row("etcdserver: request canceled", "canceled", Code.Canceled),
  row("etcdserver: context deadline exceeded", "deadline-exceeded", Code.DeadlineExceeded),

  // Election service: concurrency.ErrElectionNotLeader / ErrElectionNoLeader, passed through by the
  // v3election server without conversion, so gRPC sends them with code Unknown.
  row("election: not leader", "election-not-leader", Code.Unknown),
  row("election: no leader", "election-no-leader", Code.Unknown),
]);
