import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";

/**
 * Request and response metadata of gRPC calls, kept as node:http2's plain header objects on the
 * hot path; `Headers` objects are only built when someone reads them.
 */

/** Reserved header names a caller must not override. */
const reserved = new Set([":method", ":path", ":authority", ":scheme", "content-type", "te", "grpc-timeout"]);

/**
 * Builds the request header object of one call. `extra` holds caller headers (lower-cased
 * entries, as from `callerHeaders`); they are applied last and win, except for the protocol's
 * own headers (`:path`, `content-type`, `te`, `grpc-timeout`...).
 *
 * @example
 * ```ts
 * session.request(requestHeaders("/etcdserverpb.KV/Range", 1500, token, false, undefined));
 * ```
 */
export function requestHeaders(
  path: string,
  timeoutMs: number | undefined,
  token: string | undefined,
  requireLeader: boolean,
  extra: ReadonlyArray<readonly [string, string]> | undefined,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ":method": "POST",
    ":path": path,
    "content-type": "application/grpc+proto",
    te: "trailers",
  };
  if (timeoutMs !== undefined) headers["grpc-timeout"] = encodeTimeout(timeoutMs);
  if (token !== undefined) headers.token = token;
  if (requireLeader) headers.hasleader = "true";
  if (extra !== undefined) {
    // A caller's header replaces the transport's (e.g. its own `hasleader` or `token`): gRPC
    // metadata must not get "true, true".
    for (const [name, value] of extra) if (!reserved.has(name)) headers[name] = value;
  }
  return headers;
}

/**
 * gRPC's `grpc-timeout` value: at most 8 digits plus a unit; rounds up so the server never
 * gives up before the client.
 *
 * @example
 * ```ts
 * encodeTimeout(1500); // "1500m"
 * encodeTimeout(3 * 24 * 3600 * 1000); // "259200S"
 * ```
 */
export function encodeTimeout(timeoutMs: number): string {
  const ms = Math.max(1, Math.ceil(timeoutMs));
  if (ms < 100_000_000) return `${ms}m`;
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 100_000_000) return `${seconds}S`;
  return `${Math.min(99_999_999, Math.ceil(seconds / 3600))}H`;
}

/**
 * Caller headers (any HeadersInit) as lower-cased entries, or undefined when there are none.
 *
 * @example
 * ```ts
 * callerHeaders({ hasleader: "true" }); // [["hasleader", "true"]]
 * ```
 */
export function callerHeaders(init: HeadersInit | undefined): Array<[string, string]> | undefined {
  if (init === undefined) return undefined;
  const entries: Array<[string, string]> = [];
  new Headers(init).forEach((value, name) => {
    entries.push([name, value]);
  });
  return entries.length === 0 ? undefined : entries;
}

/**
 * node:http2 response headers or trailers as a fetch `Headers` object (pseudo-headers dropped).
 *
 * @example
 * ```ts
 * toHeaders({ ":status": 200, "content-type": "application/grpc" }).get("content-type");
 * ```
 */
export function toHeaders(raw: IncomingHttpHeaders | undefined): Headers {
  const headers = new Headers();
  if (raw === undefined) return headers;
  for (const name of Object.keys(raw)) {
    if (name.startsWith(":")) continue;
    const value = raw[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.append(name, String(value));
  }
  return headers;
}

/**
 * Copies node:http2 headers into an existing Headers object (used for stream responses, whose
 * Headers objects exist before the response arrives).
 *
 * @example
 * ```ts
 * stream.on("trailers", (raw) => fillHeaders(response.trailer, raw));
 * ```
 */
export function fillHeaders(target: Headers, raw: IncomingHttpHeaders): void {
  toHeaders(raw).forEach((value, name) => target.append(name, value));
}
