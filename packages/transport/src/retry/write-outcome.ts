import type { MethodInfo } from "../call/method-info.js";
import { outcomeUnknownError, withOutcomeUnknown } from "../errors/client-errors.js";
import type { EtcdErrorReason } from "../errors/etcd-error-reason.js";
import type { EtcdError } from "../errors/etcd-error.js";
import { rpcErrorTable } from "../errors/rpctypes-table.js";

/** Reasons of etcd's own (typed) answers: the messages of its rpctypes table. */
const typedReasons: ReadonlySet<EtcdErrorReason> = new Set(rpcErrorTable.map((row) => row.reason));

/**
 * etcd answers that can come after the request was proposed to raft, so the write may still be
 * applied (etcd 3.4.23, `etcdserver/v3_server.go`): `processInternalRaftRequestOnce` gives up on a
 * proposal it already made with "timeout", "timeout-due-to-leader-fail",
 * "timeout-due-to-connection-lost" (`parseProposeCtxErr`), "stopped" (the server stopping), or the
 * request's context errors (Canceled / DeadlineExceeded, and "request cancelled" with code Unknown,
 * which is untyped anyway). "leader-changed" only comes from linearizable reads in 3.4, and is here
 * because newer servers may use it more widely. Every other typed answer is a rejection before the
 * proposal (validation, quota, auth, too-many-requests, no-leader with `hasleader`) or at apply time
 * with nothing changed (compacted, lease-not-found, key-not-found, auth-old-revision, lease-exists).
 */
const ambiguousReasons: ReadonlySet<EtcdErrorReason> = new Set<EtcdErrorReason>([
  "timeout",
  "timeout-due-to-leader-fail",
  "timeout-due-to-connection-lost",
  "leader-changed",
  "stopped",
  "canceled",
  "deadline-exceeded",
]);

/**
 * Whether a failed attempt of a write may have been applied by etcd: its request may have left the
 * client (`sent`) and no definitive etcd answer says it was not. Definitive are etcd's typed
 * answers (its rpctypes messages) other than the ambiguous ones above, and statuses that say the
 * call was never handled (Unimplemented, a request over the server's message size limit). Anything
 * else is ambiguous: a lost connection, the call's own deadline or signal, an answer without an
 * etcd message (a proxy's 502/503/504, an L7 hop's grpc-status 14), a response that could not be
 * read (`fromServer` false).
 *
 * @example
 * ```ts
 * if (info.mutates && mayHaveBeenApplied(failure.error, failure.sent, failure.fromServer)) ctx.mayHaveApplied = true;
 * ```
 */
export function mayHaveBeenApplied(error: EtcdError, sent: boolean, fromServer: boolean): boolean {
  if (!sent) return false;
  if (!fromServer) return true;
  const reason = error.reason;
  if (ambiguousReasons.has(reason)) return true;
  if (typedReasons.has(reason)) return false;
  return reason !== "unimplemented" && reason !== "message-too-large";
}

/**
 * The error a call finally fails with, given whether any of its attempts may have been applied
 * (`ambiguous`, only ever true for writes): unchanged when not; otherwise with
 * `outcomeUnknown: true`, and with reason "outcome-unknown" when no typed answer or deadline says
 * more (reasons "unavailable", "unknown"). A repeatable write that was retried after an ambiguous
 * attempt keeps the flag on its final typed answer ("lease-not-found" after a retried revoke).
 *
 * @example
 * ```ts
 * throw finalCallError(toEtcdError(err), methodInfo(method), ctx.mayHaveApplied);
 * ```
 */
export function finalCallError(error: EtcdError, info: MethodInfo, ambiguous: boolean): EtcdError {
  if (!ambiguous || error.outcomeUnknown) return error;
  if (error.reason === "unavailable" || error.reason === "unknown") {
    return outcomeUnknownError(info.name, error, info.policy === "repeatable");
  }
  return withOutcomeUnknown(error);
}
