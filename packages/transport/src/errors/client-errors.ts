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
 * The error for a mutating call that failed after its request may have reached etcd: it may or
 * may not have been applied, and it was not resent (resending could apply it twice). Code
 * Unavailable; the transport error is the `cause`, and its metadata is kept.
 *
 * @example
 * ```ts
 * if (policy === "non-repeatable" && requestSent) throw outcomeUnknownError("etcdserver.KV/Put", err);
 * // [unavailable] etcdserver.KV/Put: the write may or may not have been applied; it was not retried (...)
 * ```
 */
export function outcomeUnknownError(method: string, cause: unknown): EtcdError {
  const detail = causeText(cause);
  const message =
    `${method}: the write may or may not have been applied; it was not retried` +
    (detail === undefined ? "" : ` (${detail})`);
  const metadata = cause instanceof ConnectError ? cause.metadata : undefined;
  return new EtcdError(message, "outcome-unknown", Code.Unavailable, { cause, metadata });
}

/** The cause's own message only; never a stringified value, which could carry request data. */
function causeText(cause: unknown): string | undefined {
  if (cause instanceof ConnectError) return cause.rawMessage || undefined;
  if (cause instanceof Error) return cause.message || undefined;
  return undefined;
}
