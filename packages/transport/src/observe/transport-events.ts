import type { EtcdError } from "../errors/etcd-error.js";

/**
 * Why a connection to an endpoint stopped taking calls (`endpoint-down`):
 *
 * - "connection-lost": the socket or the HTTP/2 session failed or closed;
 * - "goaway": etcd sent GOAWAY (shutting down, or "too_many_pings"); see `goaway`;
 * - "keepalive-timeout": a PING went unanswered (a dead or blackholed peer);
 * - "replaced": the transport retired an idle connection (rather than PING it again, which etcd
 *   would punish with GOAWAY too_many_pings) or one that refused a new stream; the endpoint
 *   connects afresh on its next call;
 * - "closed": the transport was closed, or auto-sync removed the endpoint.
 *
 * @example
 * ```ts
 * const cause: EndpointDownCause = "keepalive-timeout";
 * ```
 */
export type EndpointDownCause = "connection-lost" | "goaway" | "keepalive-timeout" | "replaced" | "closed";

/**
 * A connection to `endpoint` completed its HTTP/2 handshake and takes calls. `reconnect` is true
 * when the endpoint had a connection before in this transport's life (a reconnect).
 *
 * @example
 * ```ts
 * const up: EndpointUpEvent = { type: "endpoint-up", endpoint: "http://10.0.0.1:2379", reconnect: true };
 * ```
 */
export interface EndpointUpEvent {
  readonly type: "endpoint-up";
  readonly endpoint: string;
  readonly reconnect: boolean;
}

/**
 * The connection to `endpoint` stopped taking new calls. Calls go to the other endpoints; the
 * endpoint reconnects on demand (after a short backoff when it failed).
 *
 * @example
 * ```ts
 * const down: EndpointDownEvent = { type: "endpoint-down", endpoint, cause: "goaway", error, goaway: { code: 0, lastStreamId: 7, tooManyPings: false } };
 * ```
 */
export interface EndpointDownEvent {
  readonly type: "endpoint-down";
  readonly endpoint: string;
  readonly cause: EndpointDownCause;
  /** What happened, in words (its `rawMessage`), reason "unavailable" or "transport-closed". */
  readonly error: EtcdError;
  /** With cause "goaway": the HTTP/2 error code (0: graceful), the last stream etcd processed, and whether etcd complained about the PING rate. */
  readonly goaway?: { readonly code: number; readonly lastStreamId: number; readonly tooManyPings: boolean };
}

/**
 * A connection attempt to `endpoint` failed (refused, TLS failure, dial timeout...). The
 * endpoint is not tried again for `retryInMs` (a backoff growing from 100 ms to 2 s).
 *
 * @example
 * ```ts
 * const failed: ConnectFailedEvent = { type: "connect-failed", endpoint, error, retryInMs: 200 };
 * ```
 */
export interface ConnectFailedEvent {
  readonly type: "connect-failed";
  readonly endpoint: string;
  readonly error: EtcdError;
  readonly retryInMs: number;
}

/**
 * A unary call is being sent again after a retryable failure (see the retry rules), after a
 * backoff of `backoffMs`. `attempt` counts the retries of this call (1 for the first), `endpoint`
 * is where the failed attempt went ("" when it found no endpoint), `error` why it failed.
 *
 * @example
 * ```ts
 * const retry: RetryEvent = { type: "retry", method: "etcdserverpb.KV/Range", attempt: 1, endpoint, error, backoffMs: 31 };
 * ```
 */
export interface RetryEvent {
  readonly type: "retry";
  /** "etcdserverpb.KV/Range". */
  readonly method: string;
  readonly attempt: number;
  readonly endpoint: string;
  readonly error: EtcdError;
  readonly backoffMs: number;
}

/**
 * etcd refused the auth token (`error.reason` "invalid-auth-token": expired, see etcd's
 * `--auth-token-ttl`; "auth-old-revision": the auth store changed; "user-empty": a call went
 * without one): the transport dropped it and authenticates again before the next call.
 *
 * @example
 * ```ts
 * const refresh: TokenRefreshEvent = { type: "token-refresh", endpoint, error };
 * ```
 */
export interface TokenRefreshEvent {
  readonly type: "token-refresh";
  /** The member that refused the token. */
  readonly endpoint: string;
  readonly error: EtcdError;
}

/**
 * The endpoint list changed (auto-sync or `syncEndpoints()` from Cluster.MemberList).
 *
 * @example
 * ```ts
 * const changed: EndpointsChangedEvent = { type: "endpoints-changed", endpoints, added: ["http://10.0.0.4:2379"], removed: [] };
 * ```
 */
export interface EndpointsChangedEvent {
  readonly type: "endpoints-changed";
  readonly endpoints: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * A long-lived stream of `@etcdkit/watch` (all watches of a transport) or `@etcdkit/lease` (the
 * shared keepalive stream) broke with `error` and is re-opened after `delayMs`; `attempt` counts
 * the re-opens since the stream last got an answer. Watches resume from their next revision;
 * keepalives resend at once.
 *
 * @example
 * ```ts
 * const reopen: StreamReopenEvent = { type: "stream-reopen", stream: "watch", attempt: 1, delayMs: 100, error };
 * ```
 */
export interface StreamReopenEvent {
  readonly type: "stream-reopen";
  readonly stream: "watch" | "lease-keepalive";
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: EtcdError;
}

/**
 * A diagnostic event of a transport, as plain data (`type` tells which), for logs and metrics.
 *
 * @example
 * ```ts
 * const onEvent = (event: TransportEvent) => {
 *   if (event.type === "endpoint-down") log.warn(`${event.endpoint} down (${event.cause}): ${event.error.rawMessage}`);
 * };
 * ```
 */
export type TransportEvent =
  | EndpointUpEvent
  | EndpointDownEvent
  | ConnectFailedEvent
  | RetryEvent
  | TokenRefreshEvent
  | EndpointsChangedEvent
  | StreamReopenEvent;

/**
 * A listener of transport events (`createTransport({ onEvent })`). It is called synchronously
 * when the event happens; whatever it throws is ignored (the transport carries on).
 *
 * @example
 * ```ts
 * const listener: TransportEventListener = (event) => console.log(event.type);
 * ```
 */
export type TransportEventListener = (event: TransportEvent) => void;

/**
 * Where a transport keeps its listener: a registered symbol, so that copies of this package
 * (in a monorepo, or a bundle next to node_modules) find each other's.
 */
const LISTENER = Symbol.for("etcdkit.transport.onEvent");

/**
 * The listener `onEvent` wrapped so that it never throws into the transport.
 *
 * @example
 * ```ts
 * const emit = safeListener(options.onEvent); // undefined without a listener
 * emit?.({ type: "endpoint-up", endpoint, reconnect: false });
 * ```
 */
export function safeListener(onEvent: TransportEventListener | undefined): TransportEventListener | undefined {
  if (onEvent === undefined) return undefined;
  return (event) => {
    try {
      onEvent(event);
    } catch {
      // A listener's failure must not break the connection or call that reported the event.
    }
  };
}

/**
 * Records `emit` as the event listener of `transport` (for `transportEventListener`). Does
 * nothing without a listener.
 *
 * @example
 * ```ts
 * attachListener(transport, emit);
 * ```
 */
export function attachListener(transport: object, emit: TransportEventListener | undefined): void {
  if (emit !== undefined) Object.defineProperty(transport, LISTENER, { value: emit });
}

/**
 * The event listener of a transport (its `onEvent`), or undefined when nobody listens, so that
 * a package built on a transport (watch, lease) can report its own events: look it up once,
 * then `listener?.(event)` costs nothing when there is none. A transport that wraps another and
 * names it `parent` (as `@etcdkit/namespace` does) passes its parent's.
 *
 * @example
 * ```ts
 * const emit = transportEventListener(transport);
 * emit?.({ type: "stream-reopen", stream: "watch", attempt: 1, delayMs: 100, error });
 * ```
 */
export function transportEventListener(transport: unknown): TransportEventListener | undefined {
  let current = transport;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const own = (current as { [LISTENER]?: TransportEventListener })[LISTENER];
    if (typeof own === "function") return own;
    current = (current as { parent?: unknown }).parent;
  }
  return undefined;
}
