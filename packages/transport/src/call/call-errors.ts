import type { IncomingHttpHeaders } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { EtcdError } from "../errors/etcd-error.js";
import { codeFromHttpStatus } from "../errors/http-status-code.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { toHeaders } from "../grpc/headers.js";

/**
 * How one attempt of a call failed, as the retry loop needs to know it: the error, whether the
 * request may have reached etcd (`sent`), and whether etcd itself answered with that status
 * (`fromServer`). Internal: callers only ever see `error`.
 *
 * @example
 * ```ts
 * reject(new AttemptFailure(unavailableError("stream refused"), false, false)); // safe to resend
 * ```
 */
export class AttemptFailure {
  constructor(
    readonly error: EtcdError,
    /** False only when the request provably never left the client. */
    readonly sent: boolean,
    /** True when the error is a gRPC status sent by etcd (not a connection failure). */
    readonly fromServer: boolean,
  ) {}
}

/**
 * Reason "unavailable" (code Unavailable): no connection, connection lost, refused stream.
 *
 * @example
 * ```ts
 * throw unavailableError("connect ECONNREFUSED 127.0.0.1:2379 (http://127.0.0.1:2379)", err);
 * ```
 */
export function unavailableError(message: string, cause?: unknown): EtcdError {
  return new EtcdError(message, "unavailable", Code.Unavailable, { cause });
}

/**
 * Reason "deadline-exceeded": the call's `timeoutMs` passed. `cause`: what ended the call as its
 * deadline passed, when something did (etcd's answer to the same deadline, read before the timer).
 *
 * @example
 * ```ts
 * ctx.cancel(deadlineError(2000));
 * ```
 */
export function deadlineError(timeoutMs: number, cause?: unknown): EtcdError {
  return new EtcdError(`the call did not complete within its deadline (${timeoutMs} ms)`, "deadline-exceeded", Code.DeadlineExceeded, { cause });
}

/**
 * Reason "deadline-exceeded" for a call given no time at all (`timeoutMs` of 0 or less): it fails
 * before any I/O.
 *
 * @example
 * ```ts
 * if (timeoutMs <= 0) throw noTimeLeftError(timeoutMs);
 * ```
 */
export function noTimeLeftError(timeoutMs: number): EtcdError {
  return new EtcdError(`timeoutMs ${timeoutMs} leaves the call no time; it was not sent`, "deadline-exceeded", Code.DeadlineExceeded);
}

/**
 * The call's own deadline or signal (`error`, reason "deadline-exceeded" or "canceled") ended it
 * while it was waiting for something else: the same reason and code, with what it was waiting for
 * in the message and `cause` (e.g. the last connection error, or the failure it was about to retry)
 * as the cause. Any other error (e.g. "transport-closed") is returned unchanged.
 *
 * @example
 * ```ts
 * throw endedWhile(ctx.error, "while waiting to retry after: etcdserver: no leader", lastFailure);
 * // [deadline_exceeded] the call did not complete within its deadline (1000 ms) while waiting to retry after: ...
 * ```
 */
export function endedWhile(error: EtcdError, waitingFor: string, cause: unknown): EtcdError {
  if (error.reason !== "deadline-exceeded" && error.reason !== "canceled") return error;
  return new EtcdError(`${error.rawMessage} ${waitingFor}`, error.reason, error.code, {
    cause: cause ?? error.cause,
    metadata: error.metadata,
    outcomeUnknown: error.outcomeUnknown,
  });
}

/**
 * Reason "canceled": the call's AbortSignal fired. The signal's reason is the cause (and an
 * EtcdError reason passes through unchanged).
 *
 * @example
 * ```ts
 * signal.addEventListener("abort", () => ctx.cancel(canceledError(signal.reason)));
 * ```
 */
export function canceledError(reason: unknown): EtcdError {
  if (reason instanceof Error && reason.name === "TimeoutError") return toEtcdError(reason);
  if (reason instanceof EtcdError) return reason;
  return new EtcdError("the call was canceled by its AbortSignal", "canceled", Code.Canceled, { cause: reason });
}

/**
 * Reason "transport-closed": `close()` was called before or during the call.
 *
 * @example
 * ```ts
 * if (closed) throw transportClosedError();
 * ```
 */
export function transportClosedError(): EtcdError {
  return new EtcdError("the transport was closed", "transport-closed", Code.Canceled);
}

/**
 * Reason "message-too-large": a message over maxSendMessageBytes / maxReceiveMessageBytes.
 *
 * @example
 * ```ts
 * throw messageTooLargeError("request", 3_000_000, 2_097_152);
 * ```
 */
export function messageTooLargeError(direction: "request" | "response", size: number, limit: number): EtcdError {
  const option = direction === "request" ? "maxSendMessageBytes" : "maxReceiveMessageBytes";
  return new EtcdError(
    `${direction} message of ${size} bytes is larger than ${option} (${limit} bytes)`,
    "message-too-large",
    Code.ResourceExhausted,
  );
}

/**
 * A malformed gRPC response (missing status, missing or extra message, compressed frame,
 * undecodable bytes): code Internal, reason "unknown".
 *
 * @example
 * ```ts
 * throw protocolError("response has no message");
 * ```
 */
export function protocolError(message: string, cause?: unknown): EtcdError {
  return new EtcdError(`gRPC protocol error: ${message}`, "unknown", Code.Internal, { cause });
}

/**
 * The EtcdError for a non-OK gRPC status sent by etcd (from trailers, or from the headers of a
 * trailers-only response), mapped through the rpctypes table by `toEtcdError`.
 *
 * @example
 * ```ts
 * statusError("11", "etcdserver: mvcc: required revision is a future revision", trailers); // reason "future-revision"
 * ```
 */
export function statusError(
  status: string,
  encodedMessage: string | undefined,
  metadata: IncomingHttpHeaders | undefined,
): EtcdError {
  const code = Number.parseInt(status, 10);
  const message = decodeGrpcMessage(encodedMessage ?? "");
  const known = Number.isInteger(code) && code > 0 && code <= 16;
  const connectError = new ConnectError(
    known ? message : `invalid grpc-status ${status}: ${message}`,
    known ? (code as Code) : Code.Unknown,
    metadata === undefined ? undefined : toHeaders(metadata),
  );
  return toEtcdError(connectError);
}

/**
 * The error for an HTTP status other than 200 without a gRPC status (a proxy or a non-gRPC
 * server answered), mapped as gRPC specifies (503 → Unavailable, 404 → Unimplemented, ...).
 *
 * @example
 * ```ts
 * httpStatusError(503, headers); // reason "unavailable"
 * ```
 */
export function httpStatusError(httpStatus: number, metadata: IncomingHttpHeaders | undefined): EtcdError {
  const code = codeFromHttpStatus(httpStatus);
  const error = new ConnectError(
    `HTTP ${httpStatus} without gRPC status`,
    code,
    metadata === undefined ? undefined : toHeaders(metadata),
  );
  return toEtcdError(error);
}

/** grpc-message is percent-encoded; a malformed encoding is shown as received. */
function decodeGrpcMessage(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * An error's own message (with its Node.js `code` when the message lacks it), for embedding in
 * EtcdError messages. Never stringifies anything else, so no request data can leak through it.
 *
 * @example
 * ```ts
 * errorText(err); // "connect ECONNREFUSED 127.0.0.1:2379"
 * ```
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && !error.message.includes(code)) return `${error.message} (${code})`;
  return error.message;
}
