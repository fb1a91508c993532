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
 * Parses an endpoint URL: `http://host:port` or `https://host:port`. A URL with no port at all
 * means 2379, etcd's client port; an explicit port is kept, also 443 for https and 80 for http. Anything else (another scheme, a path, credentials in the URL) throws an
 * EtcdError "invalid-argument" naming the value, with any credentials written into it replaced by
 * `***` (see redactEndpoint).
 *
 * @example
 * ```ts
 * parseEndpoint("http://127.0.0.1:2379").secure; // false
 * parseEndpoint("https://etcd.example.com").port;     // 2379
 * parseEndpoint("https://etcd.example.com:443").port; // 443
 * parseEndpoint("unix:///tmp/etcd.sock"); // throws invalid-argument
 * ```
 */
export function parseEndpoint(raw: unknown): Endpoint {
  if (typeof raw !== "string" || raw.trim() === "") {
    throw invalidArgumentError(`endpoint must be a URL string such as "http://127.0.0.1:2379", got ${typeof raw}`);
  }
  // Every message names the endpoint as written, but never credentials written into it.
  const shown = redactEndpoint(raw);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidArgumentError(`endpoint "${shown}" is not a URL; use "http://host:port" or "https://host:port"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalidArgumentError(
      `endpoint "${shown}" has scheme "${url.protocol.replace(/:$/, "")}"; only http:// and https:// are supported`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw invalidArgumentError(`endpoint "${url.protocol}//${url.host}" must not carry credentials; use the "auth" option`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw invalidArgumentError(`endpoint "${shown}" must not have a path, query or fragment`);
  }
  if (url.hostname === "") throw invalidArgumentError(`endpoint "${shown}" has no host`);
  const port = url.port !== "" ? url.port : hasExplicitPort(raw) ? defaultPorts[url.protocol]! : "2379";
  const normalized = `${url.protocol}//${url.hostname}:${port}`;
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { url: normalized, secure: url.protocol === "https:", authority: normalized, host, port: Number(port) };
}

/**
 * An endpoint as written, for error messages, with anything that may be credentials replaced by
 * `***`: everything before the last "@" (after the scheme's "//", if any). A host never contains
 * "@", and a password may contain "/", "?" or "#", which end the authority early for a URL
 * parser: cutting at the last "@" of the whole string hides it whatever it contains.
 *
 * @example
 * ```ts
 * redactEndpoint("http://root:hunter2@10.0.0.1:2379x"); // "http://***@10.0.0.1:2379x"
 * ```
 */
export function redactEndpoint(raw: string): string {
  const at = raw.lastIndexOf("@");
  if (at < 0) return raw;
  const slashes = raw.indexOf("//");
  const start = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  return `${raw.slice(0, start)}***${raw.slice(at)}`;
}

/** What the URL parser leaves out of `port` when a URL names it: the scheme's default port. */
const defaultPorts: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" };

/**
 * Whether the endpoint as written names a port. WHATWG `URL` reports an empty `port` both for
 * no port and for the scheme's default port (`https://h:443`), so this reads the authority
 * (after `scheme:` and slashes, up to a path, query or fragment, without credentials) of the
 * string `URL` parsed: a port follows a `:` after the host (after the `]` of an IPv6 address).
 */
function hasExplicitPort(raw: string): boolean {
  // URL removes tabs and newlines anywhere and treats "\\" as "/" in http(s) URLs; so does this.
  const text = raw.trim().replace(/[\t\n\r]/g, "");
  const afterScheme = text.slice(text.indexOf(":") + 1).replace(/^[/\\]*/, "");
  const authority = afterScheme.split(/[/\\?#]/, 1)[0]!;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const colon = hostPort.indexOf(":", hostPort.lastIndexOf("]") + 1);
  return colon >= 0 && colon < hostPort.length - 1;
}
