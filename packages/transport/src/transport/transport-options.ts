import { MAX_TIMER_MS } from "../call-options.js";
import { ownOptions } from "../argument-checks.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { parseEndpoint, type Endpoint } from "../endpoints/parse-endpoint.js";
import type { TlsOptions } from "../tls.js";
import { resolveObserveOptions, type ObserveOptions, type ResolvedObserveOptions } from "../observe/observe-options.js";

/**
 * Options of {@link createTransport}. Only `endpoints` is required.
 *
 * @example
 * ```ts
 * const options: TransportOptions = {
 *   endpoints: ["https://10.0.0.1:2379", "https://10.0.0.2:2379"],
 *   dialTimeoutMs: 3000,
 *   tls: { ca: readFileSync("ca.pem") },
 *   auth: { username: "root", password: process.env.ETCD_PASSWORD! },
 * };
 * ```
 */
export interface TransportOptions extends ObserveOptions {
  /** etcd client URLs, `http://host:port` or `https://host:port`. At least one. */
  endpoints: readonly string[];
  /**
   * How long establishing a connection may take (TCP, TLS, HTTP/2 settings), and how long a call
   * without a deadline keeps trying unreachable endpoints before failing with reason
   * "unavailable". Default 5000.
   */
  dialTimeoutMs?: number;
  /**
   * Default deadline of every unary call that does not pass its own `timeoutMs`. Streams (Watch,
   * LeaseKeepAlive, Snapshot) never get it: they have a deadline only when their caller gives one.
   * `Infinity` is the same as leaving it out. Default: none.
   */
  timeoutMs?: number;
  /** TLS settings for `https://` endpoints (CA, client certificate, server name). */
  tls?: TlsOptions;
  /** Username and password: the transport authenticates and sends the token on every call. */
  auth?: { username: string; password: string };
  /**
   * Send `hasleader: true` on every call: etcd then rejects calls on a member that has no
   * leader (reason "no-leader") instead of blocking. Per call: pass the header yourself.
   */
  requireLeader?: boolean;
  /**
   * HTTP/2 PING cadence: a connection with open calls and no traffic for this long is pinged,
   * and an idle connection is pinged before it is used again. Keep it at or above etcd's
   * `--grpc-keepalive-min-time` (5 s by default), or etcd answers with GOAWAY too_many_pings.
   * Default 10 000; 0 disables pings.
   */
  keepAliveIntervalMs?: number;
  /** How long a PING may go unanswered before the connection is dropped. Default 5000. */
  keepAliveTimeoutMs?: number;
  /** Refresh the endpoint list from Cluster.MemberList (non-learner members) at this interval. Default: off. */
  autoSyncIntervalMs?: number;
  /** Largest request message; bigger requests fail with "message-too-large" before I/O. Default 2 MiB (as Go). */
  maxSendMessageBytes?: number;
  /**
   * Largest response message; bigger responses fail with "message-too-large". Default 16 MiB
   * (Go's client allows 2^31-1). It also bounds what one response can cost in memory: decoded,
   * a message takes up to about 55 times its size (empty sub-messages from a hostile server;
   * real answers of small keys about 10-20 times), so keep it well below the heap / 64. Raise it
   * for larger Range answers from a trusted cluster, or page through them (`@etcdkit/kv`).
   */
  maxReceiveMessageBytes?: number;
}

/**
 * TransportOptions with defaults applied and endpoints parsed.
 *
 * @example
 * ```ts
 * const { dialTimeoutMs, endpoints }: ResolvedOptions = resolveOptions(options);
 * ```
 */
export interface ResolvedOptions extends ResolvedObserveOptions {
  readonly endpoints: readonly Endpoint[];
  /**
   * Every connection uses TLS (the endpoints are `https://`): endpoints learned later that are
   * not `https://` are dropped, and no connection is ever made without TLS.
   */
  readonly secure: boolean;
  readonly dialTimeoutMs: number;
  readonly timeoutMs: number | undefined;
  readonly tls: TlsOptions | undefined;
  readonly auth: { readonly username: string; readonly password: string } | undefined;
  readonly requireLeader: boolean;
  readonly keepAliveIntervalMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly autoSyncIntervalMs: number;
  readonly maxSendMessageBytes: number;
  readonly maxReceiveMessageBytes: number;
}

/**
 * Defaults of the numeric options.
 *
 * @example
 * ```ts
 * transportDefaults.maxSendMessageBytes; // 2097152, as Go's MaxCallSendMsgSize
 * transportDefaults.maxReceiveMessageBytes; // 16777216: bounds what one response can cost
 * ```
 */
export const transportDefaults = {
  dialTimeoutMs: 5_000,
  keepAliveIntervalMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxSendMessageBytes: 2 * 1024 * 1024,
  maxReceiveMessageBytes: 16 * 1024 * 1024,
} as const;

/**
 * Validates options and fills in defaults; throws an EtcdError "invalid-argument" on bad input
 * (no endpoints, a scheme other than http/https, negative durations...), before any I/O.
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ endpoints: ["http://127.0.0.1:2379"] });
 * resolved.dialTimeoutMs; // 5000
 * ```
 */
export function resolveOptions(given: TransportOptions): ResolvedOptions {
  if (typeof given !== "object" || given === null) throw invalidArgumentError("createTransport: options are required");
  // Own properties only, also of `tls` and `auth`: a polluted Object.prototype sets no option.
  const options = ownOptions(given, "createTransport: options");
  const list = options.endpoints;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidArgumentError('createTransport: "endpoints" must list at least one URL, e.g. "http://127.0.0.1:2379"');
  }
  const endpoints: Endpoint[] = [];
  for (const raw of list as readonly unknown[]) {
    const endpoint = parseEndpoint(raw);
    if (!endpoints.some((e) => e.url === endpoint.url)) endpoints.push(endpoint);
  }
  const tls = options.tls === undefined ? undefined : ownOptions(options.tls, 'createTransport: "tls"');
  const secure = checkSchemes(endpoints, tls);
  const auth = options.auth === undefined ? undefined : ownOptions(options.auth, 'createTransport: "auth"');
  if (auth !== undefined) {
    if (typeof auth.username !== "string" || auth.username === "" || typeof auth.password !== "string") {
      throw invalidArgumentError('createTransport: "auth" needs a non-empty username and a password string');
    }
  }
  const observe = resolveObserveOptions(options, "createTransport");
  return {
    endpoints,
    secure,
    interceptors: observe.interceptors,
    emit: observe.emit,
    dialTimeoutMs: positive("dialTimeoutMs", options.dialTimeoutMs, transportDefaults.dialTimeoutMs),
    timeoutMs: defaultTimeout(options.timeoutMs),
    tls,
    auth: auth === undefined ? undefined : { username: auth.username!, password: auth.password! },
    requireLeader: options.requireLeader === true,
    keepAliveIntervalMs: nonNegative("keepAliveIntervalMs", options.keepAliveIntervalMs, transportDefaults.keepAliveIntervalMs),
    keepAliveTimeoutMs: positive("keepAliveTimeoutMs", options.keepAliveTimeoutMs, transportDefaults.keepAliveTimeoutMs),
    autoSyncIntervalMs: nonNegative("autoSyncIntervalMs", options.autoSyncIntervalMs, 0),
    maxSendMessageBytes: positive("maxSendMessageBytes", options.maxSendMessageBytes, transportDefaults.maxSendMessageBytes),
    maxReceiveMessageBytes: positive(
      "maxReceiveMessageBytes",
      options.maxReceiveMessageBytes,
      transportDefaults.maxReceiveMessageBytes,
    ),
  };
}

/**
 * One scheme for every endpoint, as Go's client has one set of transport credentials: `tls` with
 * an `http://` endpoint would skip TLS for it and send the token and password in cleartext, and a
 * list mixing `https://` and `http://` would do the same for its `http://` members. Returns
 * whether the transport is a TLS transport; throws EtcdError "invalid-argument" (naming `who`).
 *
 * @example
 * ```ts
 * checkSchemes([parseEndpoint("https://a:2379")], undefined); // true
 * ```
 */
export function checkSchemes(endpoints: readonly Endpoint[], tls: object | undefined, who = "createTransport"): boolean {
  const plain = endpoints.find((e) => !e.secure);
  if (tls !== undefined && plain !== undefined) {
    throw invalidArgumentError(
      `${who}: "tls" is set but endpoint "${plain.url}" is http://, which would connect without TLS and ` +
        "send credentials in cleartext; use https:// endpoints (or leave tls out for a plain-text cluster)",
    );
  }
  const secure = endpoints[0]!.secure;
  if (endpoints.some((e) => e.secure !== secure)) {
    throw invalidArgumentError(
      `${who}: "endpoints" mix https:// and http:// URLs; every endpoint of one transport uses the same scheme ` +
        "(an http:// member would get the token and password in cleartext)",
    );
  }
  return secure;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw invalidArgumentError(`createTransport: "${name}" must be a positive number of ${unit(name)}, got ${String(value)}`);
  }
  return value;
}

/** The transport's default deadline: a positive number of ms; Infinity (or beyond MAX_TIMER_MS) is none. */
function defaultTimeout(value: number | undefined): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  const ms = positive("timeoutMs", value, 0);
  return ms > MAX_TIMER_MS ? undefined : ms;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw invalidArgumentError(`createTransport: "${name}" must be 0 or a positive number of ${unit(name)}, got ${String(value)}`);
  }
  return value;
}

function unit(name: string): string {
  return name.endsWith("Bytes") ? "bytes" : "milliseconds";
}
