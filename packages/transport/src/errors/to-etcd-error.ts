import { Code, ConnectError } from "@connectrpc/connect";
import type { EtcdErrorReason } from "./etcd-error-reason.js";
import { EtcdError, isEtcdError } from "./etcd-error.js";
import { rpcErrorTable, type RpcErrorRow } from "./rpctypes-table.js";

/**
 * Turns anything a call threw into an EtcdError:
 *
 * - an EtcdError (from any copy of this package) is returned as is;
 * - a ConnectError whose message is an etcd server message gets that row's reason (exact match,
 *   else the longest table message it starts with, since etcd sometimes appends detail). The
 *   code the server sent is kept; only a bare `Unknown` is replaced by the row's code;
 * - any other ConnectError is classified by code: Unavailable → "unavailable",
 *   DeadlineExceeded → "deadline-exceeded", Canceled → "canceled", ResourceExhausted about a
 *   gRPC message size limit → "message-too-large", Unimplemented → "unimplemented", else "unknown";
 * - an `AbortError` / `TimeoutError` (an aborted signal's reason) → "canceled" / "deadline-exceeded";
 * - anything else → "unknown", with the value as `cause`.
 *
 * Metadata, details and cause are kept. The message is only ever the server's or the thrown
 * error's own message: values that are not errors are never stringified into it, so request data
 * (keys, values, passwords) cannot leak into messages from here.
 *
 * @example
 * ```ts
 * try {
 *   return await client.range(request);
 * } catch (err) {
 *   throw toEtcdError(err); // e.g. reason "compacted", code OutOfRange
 * }
 * ```
 */
export function toEtcdError(error: unknown): EtcdError {
  if (isEtcdError(error)) return error;
  if (error instanceof ConnectError) return fromConnectError(error);
  if (error instanceof Error) {
    if (error.name === "AbortError") {
      return new EtcdError(error.message || "the call was canceled", "canceled", Code.Canceled, { cause: error });
    }
    if (error.name === "TimeoutError") {
      return new EtcdError(error.message || "the call timed out", "deadline-exceeded", Code.DeadlineExceeded, {
        cause: error,
      });
    }
    return new EtcdError(error.message, "unknown", Code.Unknown, { cause: error });
  }
  const message = typeof error === "string" ? error : `a non-error value (${describe(error)}) was thrown`;
  return new EtcdError(message, "unknown", Code.Unknown, { cause: error });
}

function fromConnectError(error: ConnectError): EtcdError {
  const message = error.rawMessage;
  const row = findRpcErrorRow(message);
  const reason = row?.reason ?? reasonForCode(error.code, message);
  const code = row !== undefined && error.code === Code.Unknown ? row.code : error.code;
  const etcdError = new EtcdError(message, reason, code, { cause: error.cause, metadata: error.metadata });
  etcdError.details = error.details;
  return etcdError;
}

const exactRows = new Map<string, RpcErrorRow>(rpcErrorTable.map((row) => [row.message, row]));
/** Longest message first, so the most specific row wins a prefix match. */
const rowsByLength = [...rpcErrorTable].sort((a, b) => b.message.length - a.message.length);

function findRpcErrorRow(message: string): RpcErrorRow | undefined {
  return exactRows.get(message) ?? rowsByLength.find((row) => message.startsWith(row.message));
}

/** gRPC-go ("received message larger than max", "trying to send message larger than max") and connect-es. */
const messageTooLarge = /received message larger|message larger than max|larger than configured (?:read|write)MaxBytes/i;

function reasonForCode(code: Code, message: string): EtcdErrorReason {
  switch (code) {
    case Code.Unavailable:
      return "unavailable";
    case Code.DeadlineExceeded:
      return "deadline-exceeded";
    case Code.Canceled:
      return "canceled";
    case Code.ResourceExhausted:
      return messageTooLarge.test(message) ? "message-too-large" : "unknown";
    case Code.Unimplemented:
      return "unimplemented";
    default:
      return "unknown";
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return Array.isArray(value) ? "array" : "object";
  return typeof value;
}
