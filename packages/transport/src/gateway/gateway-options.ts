import { ownOptions } from "../argument-checks.js";
import { MAX_TIMER_MS } from "../call-options.js";
import { checkSchemes, transportDefaults } from "../transport/transport-options.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { parseEndpoint } from "../endpoints/parse-endpoint.js";
import { resolveObserveOptions, type ObserveOptions, type ResolvedObserveOptions } from "../observe/observe-options.js";

/**
 * Options of {@link createGatewayTransport}. Only `endpoints` is required.
 *
 * @example
 * ```ts
 * const options: GatewayTransportOptions = {
 *   endpoints: ["https://etcd-1.example.com:2379", "https://etcd-2.example.com:2379"],
 *   auth: { username: "app", password },
 *   timeoutMs: 5000,
 * };
 * ```
 */
export interface GatewayTransportOptions extends ObserveOptions {
  /** etcd client URLs, `http://host:port` or `https://host:port`, all of one scheme (the gateway is served on the client port). */
  endpoints: readonly string[];
  /** Username and password: the transport authenticates and sends the token in `Authorization`. */
  auth?: { username: string; password: string };
  /**
   * Default deadline of every unary call that does not pass its own `timeoutMs` (streams never
   * get it). `Infinity` is the same as leaving it out. Default: none.
   */
  timeoutMs?: number;
  /**
   * Send `hasleader: true` with every call (as gateway metadata, `Grpc-Metadata-hasleader`). Not
   * available cross-origin in browsers (see `sendMetadata`).
   */
  requireLeader?: boolean;
  /**
   * Send gRPC metadata (require-leader, caller headers) as `Grpc-Metadata-*` headers. etcd's
   * `--cors` allows only the `accept`, `content-type` and `authorization` request headers, so a
   * browser page cannot send them to an etcd on another origin. Default: true, except in a
   * browser page whose origin differs from the endpoints'.
   */
  sendMetadata?: boolean;
  /** The fetch to use. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /**
   * Largest answer read: a unary answer's body, or one line of a streamed answer; more fails with
   * "message-too-large" (the rest is not read). Default 16 MiB, as the gRPC transport's: a JSON
   * answer is parsed whole and costs a multiple of its size in memory.
   */
  maxReceiveMessageBytes?: number;
}

/**
 * GatewayTransportOptions with defaults applied and endpoints parsed.
 *
 * @example
 * ```ts
 * resolveGatewayOptions({ endpoints: ["http://127.0.0.1:2379"] }).endpoints; // ["http://127.0.0.1:2379"]
 * ```
 */
export interface ResolvedGatewayOptions extends ResolvedObserveOptions {
  readonly endpoints: readonly string[];
  /** The endpoints are `https://`: a member addressed by `forEndpoint` must be too. */
  readonly secure: boolean;
  readonly auth: { readonly username: string; readonly password: string } | undefined;
  readonly timeoutMs: number | undefined;
  readonly requireLeader: boolean;
  readonly sendMetadata: boolean;
  readonly fetch: typeof globalThis.fetch;
  readonly maxReceiveMessageBytes: number;
}

/**
 * Validates options and fills in defaults; throws an EtcdError "invalid-argument" on bad input,
 * before any I/O.
 *
 * @example
 * ```ts
 * resolveGatewayOptions({ endpoints: [] }); // throws invalid-argument
 * ```
 */
export function resolveGatewayOptions(given: GatewayTransportOptions): ResolvedGatewayOptions {
  const fail = (message: string) => invalidArgumentError(`createGatewayTransport: ${message}`);
  if (typeof given !== "object" || given === null) throw fail("options are required");
  // Own properties only, also of `auth`: a polluted Object.prototype sets no option.
  const options = ownOptions(given, "createGatewayTransport: options");
  const list = options.endpoints;
  if (!Array.isArray(list) || list.length === 0) throw fail('"endpoints" must list at least one URL, e.g. "http://127.0.0.1:2379"');
  const parsed = (list as readonly unknown[]).map((raw) => parseEndpoint(raw));
  const secure = checkSchemes(parsed, undefined, "createGatewayTransport");
  const endpoints = [...new Set(parsed.map((e) => e.url))];
  const auth = options.auth === undefined ? undefined : ownOptions(options.auth, 'createGatewayTransport: "auth"');
  if (auth !== undefined && (typeof auth.username !== "string" || auth.username === "" || typeof auth.password !== "string")) {
    throw fail('"auth" needs a non-empty username and a password string');
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function") throw fail("no fetch: this runtime has no globalThis.fetch; pass one as `fetch`");
  const timeoutMs = options.timeoutMs;
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs > 0))) {
    throw fail(`"timeoutMs" must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  const observe = resolveObserveOptions(options, "createGatewayTransport");
  return {
    endpoints,
    secure,
    interceptors: observe.interceptors,
    emit: observe.emit,
    auth: auth === undefined ? undefined : { username: auth.username!, password: auth.password! },
    timeoutMs: timeoutMs === undefined || timeoutMs > MAX_TIMER_MS ? undefined : timeoutMs,
    requireLeader: options.requireLeader === true,
    sendMetadata: options.sendMetadata ?? !isCrossOriginPage(endpoints),
    // Called unbound: some runtimes' fetch throws "Illegal invocation" when called as a method.
    fetch: (input, init) => fetchFn(input, init),
    maxReceiveMessageBytes: receiveLimit(options.maxReceiveMessageBytes, fail),
  };
}

function receiveLimit(value: unknown, fail: (message: string) => Error): number {
  if (value === undefined) return transportDefaults.maxReceiveMessageBytes;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw fail(`"maxReceiveMessageBytes" must be a positive number of bytes, got ${String(value)}`);
  }
  return value;
}

/** True in a browser page (a `document` and `location`) whose origin differs from some endpoint's. */
function isCrossOriginPage(endpoints: readonly string[]): boolean {
  const g = globalThis as { document?: unknown; location?: { origin?: string } };
  if (g.document === undefined || typeof g.location?.origin !== "string") return false;
  return endpoints.some((url) => url !== g.location!.origin);
}
