import { invalidArgumentError } from "../errors/client-errors.js";

/**
 * One etcd client endpoint, parsed.
 *
 * @example
 * ```ts
 * const endpoint: Endpoint = parseEndpoint("http://127.0.0.1:2379"); // { url, secure: false, host: "127.0.0.1", port: 2379, ... }
 * ```
 */
export interface Endpoint {
  /** Normalized URL (`scheme://host:port`, no path), also the endpoint's identity. */
  readonly url: string;
  /** True for `https://`. */
  readonly secure: boolean;
  /** What http2.connect() is given. */
  readonly authority: string;
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
}

/**
 * Parses an endpoint URL: `http://host:port` or `https://host:port` (a missing port means 2379,
 * etcd's client port). Anything else (another scheme, a path, credentials in the URL) throws an
 * EtcdError "invalid-argument" naming the value.
 *
 * @example
 * ```ts
 * parseEndpoint("http://127.0.0.1:2379").secure; // false
 * parseEndpoint("unix:///tmp/etcd.sock"); // throws invalid-argument
 * ```
 */
export function parseEndpoint(raw: unknown): Endpoint {
  if (typeof raw !== "string" || raw.trim() === "") {
    throw invalidArgumentError(`endpoint must be a URL string such as "http://127.0.0.1:2379", got ${typeof raw}`);
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidArgumentError(`endpoint "${raw}" is not a URL; use "http://host:port" or "https://host:port"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalidArgumentError(
      `endpoint "${raw}" has scheme "${url.protocol.replace(/:$/, "")}"; only http:// and https:// are supported`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw invalidArgumentError(`endpoint "${url.protocol}//${url.host}" must not carry credentials; use the "auth" option`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw invalidArgumentError(`endpoint "${raw}" must not have a path, query or fragment`);
  }
  if (url.hostname === "") throw invalidArgumentError(`endpoint "${raw}" has no host`);
  const port = url.port === "" ? "2379" : url.port;
  const normalized = `${url.protocol}//${url.hostname}:${port}`;
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { url: normalized, secure: url.protocol === "https:", authority: normalized, host, port: Number(port) };
}
