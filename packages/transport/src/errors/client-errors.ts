import { Code, ConnectError } from "@connectrpc/connect";
import { EtcdError } from "./etcd-error.js";

/**
 * The error for an empty key, thrown before any network I/O. Its message is etcd's own
 * ("etcdserver: key is not provided"), so it reads the same as the server's.
 *
 * @example
 * ```ts
 * if (key.length === 0) throw emptyKeyError(); // reason "empty-key", code InvalidArgument
 * ```
 */
export function emptyKeyError(): EtcdError {
  return new EtcdError("etcdserver: key is not provided", "empty-key", Code.InvalidArgument);
}

/**
 * An error for bad options or arguments, thrown before any network I/O.
 *
 * @example
 * ```ts
 * if (ttlSeconds <= 0) throw invalidArgumentError("lease TTL must be a positive number of seconds");
 * ```
 */
export function invalidArgumentError(message: string): EtcdError {
  return new EtcdError(message, "invalid-argument", Code.InvalidArgument);
}

/**
 * The error for a mutating call that failed after its request may have reached etcd, with no
 * answer that says more: it may or may not have been applied. A non-repeatable write is not resent
 * (resending could apply it twice); a repeatable one (`retried`) was, and its last attempt failed
 * the same way. Code Unavailable, `outcomeUnknown` true; the transport error is the `cause`, and
 * its metadata is kept.
 *
 * @example
 * ```ts
 * if (policy === "non-repeatable" && requestSent) throw outcomeUnknownError("etcdserver.KV/Put", err);
 * // [unavailable] etcdserver.KV/Put: the write may or may not have been applied; it was not retried (...)
 * ```
 */
export function outcomeUnknownError(method: string, cause: unknown, retried = false): EtcdError {
  const detail = causeText(cause);
  const message =
    `${method}: the write may or may not have been applied` +
    (retried ? "" : "; it was not retried") +
    (detail === undefined ? "" : ` (${detail})`);
  const metadata = cause instanceof ConnectError ? cause.metadata : undefined;
  return new EtcdError(message, "outcome-unknown", Code.Unavailable, { cause, metadata });
}

/**
 * A copy of `error` with `outcomeUnknown: true` (same message, reason, code, cause, metadata,
 * details and revisions): the error of a write that may have been applied although the answer
 * has another reason ("deadline-exceeded", "timeout", ...).
 *
 * @example
 * ```ts
 * throw withOutcomeUnknown(ctx.error); // deadline-exceeded, outcomeUnknown: true
 * ```
 */
export function withOutcomeUnknown(error: EtcdError): EtcdError {
  if (error.outcomeUnknown) return error;
  const copy = new EtcdError(error.rawMessage, error.reason, error.code, {
    cause: error.cause,
    metadata: error.metadata,
    compactRevision: error.compactRevision,
    resumeRevision: error.resumeRevision,
    outcomeUnknown: true,
  });
  copy.details = error.details;
  return copy;
}

/** The cause's own message only; never a stringified value, which could carry request data. */
function causeText(cause: unknown): string | undefined {
  if (cause instanceof ConnectError) return cause.rawMessage || undefined;
  if (cause instanceof Error) return cause.message || undefined;
  return undefined;
}
