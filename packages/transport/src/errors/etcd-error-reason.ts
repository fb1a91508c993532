/**
 * Reasons for errors that etcd itself reports: one per distinct server error message in etcd's
 * `rpctypes/error.go` (3.4 through 3.6+), plus the few messages the v3election and auth packages
 * send as-is. The message → reason mapping lives in one place: `rpcErrorTable`.
 *
 * @example
 * ```ts
 * const retryLater: EtcdServerErrorReason[] = ["no-leader", "leader-changed"];
 * ```
 */
export type EtcdServerErrorReason =
  // KV request validation
  | "empty-key"
  | "key-not-found"
  | "value-provided"
  | "lease-provided"
  | "ttl-zero"
  | "too-many-ops"
  | "duplicate-key"
  | "invalid-client-api-version"
  | "invalid-sort-option"
  // MVCC
  | "compacted"
  | "future-revision"
  | "no-space"
  // Lease
  | "lease-not-found"
  | "lease-exists"
  | "lease-ttl-too-large"
  // Watch
  | "watch-canceled"
  // Cluster membership
  | "member-exists"
  | "peer-url-exists"
  | "member-not-enough-started"
  | "member-bad-urls"
  | "member-not-found"
  | "member-not-learner"
  | "learner-not-ready"
  | "too-many-learners"
  | "cluster-id-mismatch"
  // Request limits
  | "request-too-large"
  | "too-many-requests"
  // Auth
  | "root-user-not-exist"
  | "root-role-not-exist"
  | "user-already-exist"
  | "user-empty"
  | "user-not-found"
  | "role-already-exist"
  | "role-not-found"
  | "role-empty"
  | "auth-failed"
  | "permission-not-given"
  | "permission-denied"
  | "role-not-granted"
  | "permission-not-granted"
  | "auth-not-enabled"
  | "invalid-auth-token"
  | "invalid-auth-mgmt"
  | "auth-old-revision"
  // Raft / server health
  | "no-leader"
  | "not-leader"
  | "leader-changed"
  | "not-capable"
  | "stopped"
  | "timeout"
  | "timeout-due-to-leader-fail"
  | "timeout-due-to-connection-lost"
  | "timeout-wait-applied-index"
  | "unhealthy"
  | "corrupt"
  | "not-supported-for-learner"
  | "bad-leader-transferee"
  // Downgrade (etcd 3.5+)
  | "cluster-version-unavailable"
  | "wrong-downgrade-version-format"
  | "invalid-downgrade-target-version"
  | "downgrade-in-process"
  | "no-inflight-downgrade"
  // Election service (v3election server, sent with code Unknown)
  | "election-not-leader"
  | "election-no-leader";

/**
 * Reasons the SDK assigns itself: transport failures, local validation, and outcomes that no
 * server message describes.
 *
 * - `outcome-unknown`: a write may or may not have been applied, and nothing says more (its
 *   connection was lost, or the answer had no etcd message). Its `outcomeUnknown` is true, as it is
 *   on a write's error of any other reason that may have been applied (`deadline-exceeded`,
 *   `timeout`, ...).
 * - `unavailable`: no endpoint reachable / connection failed (gRPC Unavailable without an etcd message).
 * - `deadline-exceeded`, `canceled`: the call's `timeoutMs` passed or its `signal` aborted
 *   (also etcd's own "context deadline exceeded" / "request canceled").
 * - `transport-closed`: the transport was closed before or during the call.
 * - `invalid-argument`: rejected before any network I/O.
 * - `message-too-large`: a gRPC message exceeded a size limit on either side.
 * - `slow-consumer`: a stream's consumer fell too far behind (e.g. a watch's buffer bound); the
 *   error carries `resumeRevision`.
 * - `unimplemented`: the server does not know the RPC (e.g. a 3.5+ RPC against etcd 3.4).
 * - `locked`: a lock is held by another session (`tryLock`).
 * - `session-expired`: a concurrency session's lease is gone (expired, revoked, closed), or the
 *   key a lock or campaign waited with was deleted, so it cannot own what it waited for.
 * - `stm-conflict`: an STM transaction kept conflicting with concurrent writes past its retry cap.
 * - `barrier-full`: a double barrier already has its expected number of participants.
 * - `unknown`: anything else; inspect `code` and `cause`.
 *
 * @example
 * ```ts
 * const local: EtcdClientErrorReason = "outcome-unknown";
 * ```
 */
export type EtcdClientErrorReason =
  | "outcome-unknown"
  | "unavailable"
  | "deadline-exceeded"
  | "canceled"
  | "transport-closed"
  | "invalid-argument"
  | "message-too-large"
  | "slow-consumer"
  | "unimplemented"
  | "locked"
  | "session-expired"
  | "stm-conflict"
  | "barrier-full"
  | "unknown";

/**
 * Why an etcdkit call failed: a stable, kebab-case string for every etcd server error message
 * and for the client-side failures. Compare with `isEtcdError(err, reason)`.
 *
 * @example
 * ```ts
 * if (isEtcdError(err, "compacted")) restartWatchFrom(err.compactRevision);
 * ```
 */
export type EtcdErrorReason = EtcdServerErrorReason | EtcdClientErrorReason;
