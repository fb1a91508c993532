import { Code } from "@connectrpc/connect";
import { EtcdError } from "@etcdkit/transport";

/**
 * The error of a wait or an operation whose session is gone: its lease expired, was revoked, was
 * closed or orphaned, or the key the caller waited with was deleted (so it cannot own what it
 * waited for). Reason "session-expired".
 *
 * @example
 * ```ts
 * throw sessionExpiredError("the lock key locks/a/694d... is gone");
 * ```
 */
export function sessionExpiredError(detail: string, cause?: unknown): EtcdError {
  return new EtcdError(`concurrency: session expired: ${detail}`, "session-expired", Code.FailedPrecondition, { cause });
}

/**
 * The error of `tryLock` when another session holds the lock. Reason "locked".
 *
 * @example
 * ```ts
 * throw lockedError("locks/orders");
 * ```
 */
export function lockedError(prefix: string): EtcdError {
  return new EtcdError(`mutex: ${JSON.stringify(prefix)} is locked by another session`, "locked", Code.FailedPrecondition);
}

/**
 * The error of `proclaim` when this candidate is not (or no longer) the leader. Reason
 * "election-not-leader", as etcd's own election service answers.
 *
 * @example
 * ```ts
 * throw notLeaderError("elections/api");
 * ```
 */
export function notLeaderError(prefix: string): EtcdError {
  return new EtcdError(`election: not leader of ${JSON.stringify(prefix)}`, "election-not-leader");
}

/**
 * The error of `leader()` when nobody leads the election. Reason "election-no-leader", as etcd's
 * own election service answers.
 *
 * @example
 * ```ts
 * throw noLeaderError("elections/api");
 * ```
 */
export function noLeaderError(prefix: string): EtcdError {
  return new EtcdError(`election: no leader of ${JSON.stringify(prefix)}`, "election-no-leader");
}

/**
 * The error of an STM transaction that kept conflicting past its retry cap. Reason "stm-conflict".
 *
 * @example
 * ```ts
 * throw stmConflictError(10);
 * ```
 */
export function stmConflictError(attempts: number): EtcdError {
  return new EtcdError(
    `stm: the transaction conflicted with concurrent writes ${attempts} times; gave up (nothing was applied)`,
    "stm-conflict",
    Code.Aborted,
  );
}

/**
 * The error of `DoubleBarrier.enter` when the barrier already has its expected participants.
 * Reason "barrier-full".
 *
 * @example
 * ```ts
 * throw barrierFullError("barriers/job", 5);
 * ```
 */
export function barrierFullError(key: string, count: number): EtcdError {
  return new EtcdError(`double barrier ${JSON.stringify(key)} already has ${count} participants`, "barrier-full", Code.FailedPrecondition);
}
