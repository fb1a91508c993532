import { Code, ConnectError } from "@connectrpc/connect";
import type { EtcdError } from "../errors/etcd-error.js";
import { codeFromHttpStatus } from "../errors/http-status-code.js";
import { toEtcdError } from "../errors/to-etcd-error.js";

/**
 * The EtcdError of a failed unary gateway call: from its JSON error body, `{"error","code","message"}`
 * (etcd 3.4/3.5) or `{"code","message","details"}` (3.6+), with the same reasons as the gRPC path
 * ("compacted", "auth-failed", …); from the HTTP status when the body is not a gateway error.
 *
 * @example
 * ```ts
 * const err = gatewayError(400, { error: "etcdserver: mvcc: required revision is a future revision", code: 11, message: "…" }, "KV/Range");
 * err.reason; // "future-revision"
 * ```
 */
export function gatewayError(status: number, body: unknown, method: string, metadata?: Headers): EtcdError {
  const fields = errorFields(body);
  if (fields !== undefined) return toEtcdError(new ConnectError(fields.message, fields.code, metadata));
  const code = codeFromHttpStatus(status);
  const message =
    status === 404
      ? `${method} is not served by this etcd's gateway (HTTP 404): the RPC is newer than the server, or the endpoint is not etcd`
      : `the gateway answered ${method} with HTTP ${status}`;
  return toEtcdError(new ConnectError(message, code, metadata));
}

/**
 * The EtcdError of a `{"error": …}` line that ends a streaming answer: `{grpc_code, http_code,
 * message, http_status}` (etcd 3.4/3.5) or `{code, message, details}` (3.6+). Undefined when the
 * line is not an error.
 *
 * @example
 * ```ts
 * streamLineError({ error: { grpc_code: 14, message: "etcdserver: no leader" } })?.reason; // "no-leader"
 * ```
 */
export function streamLineError(line: unknown): EtcdError | undefined {
  if (typeof line !== "object" || line === null || !("error" in line)) return undefined;
  const error = (line as { error: unknown }).error;
  const fields = errorFields(error);
  if (fields !== undefined) return toEtcdError(new ConnectError(fields.message, fields.code));
  const message = typeof error === "string" ? error : "the gateway ended the stream with an error";
  return toEtcdError(new ConnectError(message, Code.Unknown));
}

/**
 * True when a body is a gateway error (etcd's own answer, with a gRPC code and message).
 *
 * @example
 * ```ts
 * isGatewayErrorBody({ code: 11, message: "etcdserver: ..." }); // true
 * isGatewayErrorBody("Bad Gateway"); // false
 * ```
 */
export function isGatewayErrorBody(body: unknown): boolean {
  return errorFields(body) !== undefined;
}

function errorFields(body: unknown): { code: Code; message: string } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as { code?: unknown; grpc_code?: unknown; message?: unknown; error?: unknown };
  const code = typeof b.grpc_code === "number" ? b.grpc_code : b.code;
  if (typeof code !== "number" || !Number.isInteger(code) || code < 1 || code > 16) return undefined;
  const message = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : "";
  return { code: code as Code, message };
}
