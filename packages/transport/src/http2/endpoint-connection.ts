import type { EtcdError } from "../errors/etcd-error.js";
import { monotonicNow } from "../clock.js";
import { transportClosedError, unavailableError } from "../call/call-errors.js";
import type { Endpoint } from "../endpoints/parse-endpoint.js";
import { describeTlsError, type TlsOptions } from "../tls.js";
import type { EndpointDownCause, TransportEventListener } from "../observe/transport-events.js";
import { dial, type DialAttempt } from "./dial.js";
import { backedOffKeepAliveMs, LiveSession, type DownKind, type KeepAliveSettings } from "./live-session.js";

/**
 * - `idle`: no session; may connect unless `retryAt` is in the future (backoff after a failure).
 * - `connecting`: a dial is in progress.
 * - `ready`: `live` is set (it may still need a PING before use, see LiveSession.needsVerify).
 * - `closed`: removed or transport closed; never used again.
 *
 * @example
 * ```ts
 * if (conn.state === "idle" && monotonicNow() >= conn.retryAt) conn.connect();
 * ```
 */
export type ConnectionState = "idle" | "connecting" | "ready" | "closed";

/**
 * Settings shared by all connections of a transport.
 *
 * @example
 * ```ts
 * const settings: ConnectionSettings = { secure: false, tls: undefined, dialTimeoutMs: 5000, keepAlive: { intervalMs: 10_000, timeoutMs: 5000 }, counters: { streams: 0, connections: 0 }, emit: undefined };
 * ```
 */
export interface ConnectionSettings {
  /**
   * A TLS transport: a connection to an endpoint that is not `https://` is never made (it fails
   * at once, for good), so no token or password ever leaves in cleartext.
   */
  readonly secure: boolean;
  readonly tls: TlsOptions | undefined;
  readonly dialTimeoutMs: number;
  readonly keepAlive: KeepAliveSettings;
  /**
   * Shared counters: `streams` counts every stream opened on any session, `connections` every
   * connection established (HTTP/2 handshake completed).
   */
  readonly counters: { streams: number; connections: number };
  /** The transport's event listener (endpoint up/down, failed connects), when it has one. */
  readonly emit?: TransportEventListener | undefined;
}

/** First backoff after a failure; doubles per consecutive failure up to MAX_BACKOFF_MS, ±20 % jitter. */
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/**
 * One endpoint and its (at most one) HTTP/2 session: connects lazily, reports every state
 * change through `onChange`, and after a failure (connect error, dial timeout, connection lost,
 * unanswered PING) stays unhealthy for a short, growing backoff so that calls go elsewhere.
 *
 * @example
 * ```ts
 * const conn = new EndpointConnection(parseEndpoint("http://127.0.0.1:2379"), settings, () => pool.notify());
 * conn.connect();
 * // later: conn.state === "ready" && conn.live?.request(headers)
 * ```
 */
export class EndpointConnection {
  state: ConnectionState = "idle";
  /** The session while `ready`. */
  live: LiveSession | undefined;
  /** While idle after a failure: do not connect again before this time (`monotonicNow()` ms). */
  retryAt = 0;
  /** Why the last connect or session failed (for "unavailable" messages). */
  lastError: EtcdError | undefined;
  /** When the last failure happened (`monotonicNow()` ms). */
  failedAt = 0;
  /** The last failure will not go away by retrying (TLS verification, certificate rejected). */
  lastErrorPermanent = false;

  private failures = 0;
  /** A connection was established before (the next one is a reconnect). */
  private wasUp = false;
  private attempt: DialAttempt | undefined;
  private readonly keepAlive: KeepAliveSettings;
  private readonly listeners: Array<() => void> = [];

  constructor(
    readonly endpoint: Endpoint,
    private readonly settings: ConnectionSettings,
    private readonly onChange: () => void,
  ) {
    this.keepAlive = { ...settings.keepAlive };
  }

  get url(): string {
    return this.endpoint.url;
  }

  /**
   * Also calls `listener` on every state change (besides the owner's `onChange`): a pool of
   * calls bound to this one endpoint waits on it.
   */
  addListener(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Starts connecting if idle (ignores the backoff; callers check `retryAt`). */
  connect(): void {
    if (this.state !== "idle") return;
    this.state = "connecting";
    if (this.settings.secure && !this.endpoint.secure) {
      // Unreachable through the transport's API (it drops and refuses such URLs); the last guard.
      this.connectFailed(downgradeRefusedError(this.endpoint.url), true);
      return;
    }
    const attempt = dial(this.endpoint, this.settings.tls, this.settings.dialTimeoutMs);
    this.attempt = attempt;
    attempt.connected.then(
      ({ session, socket, adopt }) => {
        if (this.attempt !== attempt) {
          // Canceled meanwhile; the dial's guards keep swallowing late errors of this session.
          session.destroy();
          socket.destroy();
          return;
        }
        this.attempt = undefined;
        // Adopted and wrapped in a LiveSession in one synchronous step: no event can fall between.
        const early = adopt();
        if (early !== undefined) {
          this.connectFailed(early);
          return;
        }
        this.failures = 0;
        this.lastError = undefined;
        this.live = new LiveSession(
          session,
          socket,
          this.endpoint.url,
          this.keepAlive,
          this.settings.counters,
          (live, kind, error) => this.sessionDown(live, kind, error),
          () => this.changed(),
        );
        this.state = "ready";
        this.settings.counters.connections++;
        this.settings.emit?.({ type: "endpoint-up", endpoint: this.endpoint.url, reconnect: this.wasUp });
        this.wasUp = true;
        this.changed();
      },
      (error: EtcdError) => {
        if (this.attempt !== attempt) return;
        this.attempt = undefined;
        this.connectFailed(error);
      },
    );
  }

  /** Marks the endpoint unhealthy (e.g. a call saw its connection die) and drops the session. */
  markUnhealthy(error: EtcdError): void {
    const live = this.live;
    if (live !== undefined) live.destroy("failed", error);
  }

  /** Closes for good: cancels a dial, destroys the session (open streams fail with "transport-closed"). */
  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    const error = transportClosedError();
    this.attempt?.cancel(error);
    this.attempt = undefined;
    const live = this.live;
    this.live = undefined;
    if (live?.usable) this.reportDown("closed", error, live);
    live?.destroy("closed", error);
  }

  /** Closes gracefully: no new calls, open streams may finish (endpoint removed by auto-sync). */
  drain(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.attempt?.cancel(transportClosedError());
    this.attempt = undefined;
    const live = this.live;
    this.live = undefined;
    if (live !== undefined) {
      if (live.usable) this.reportDown("closed", transportClosedError(), live);
      live.usable = false;
      if (!live.session.closed) live.session.close();
    }
  }

  private changed(): void {
    this.onChange();
    for (const listener of this.listeners) listener();
  }

  private sessionDown(live: LiveSession, kind: DownKind, error: EtcdError | undefined): void {
    if (live.tooManyPings) {
      this.keepAlive.intervalMs = backedOffKeepAliveMs(this.keepAlive.intervalMs, this.settings.keepAlive.intervalMs);
    }
    if (this.live !== live) return;
    this.live = undefined;
    if (this.state === "closed") return;
    if (error !== undefined) this.reportDown(live.downCause ?? "connection-lost", error, live);
    if (kind === "failed" && error !== undefined) {
      this.failed(error);
      return;
    }
    this.state = "idle";
    this.changed();
  }

  /** A dial failed: backs off, and reports it. */
  private connectFailed(error: EtcdError, permanent?: boolean): void {
    this.failed(error, permanent);
    if (this.state === "idle" && this.lastError === error) {
      this.settings.emit?.({
        type: "connect-failed",
        endpoint: this.endpoint.url,
        error,
        retryInMs: Math.max(0, Math.round(this.retryAt - monotonicNow())),
      });
    }
  }

  /** The connection stopped taking calls (`live` tells about a GOAWAY). */
  private reportDown(cause: EndpointDownCause, error: EtcdError, live: LiveSession): void {
    const goaway = cause === "goaway" ? { code: live.goawayCode ?? 0, lastStreamId: live.goawayLastStreamId ?? 0, tooManyPings: live.tooManyPings } : undefined;
    this.settings.emit?.({ type: "endpoint-down", endpoint: this.endpoint.url, cause, error, ...(goaway && { goaway }) });
  }

  private failed(error: EtcdError, permanent = describeTlsError(error.cause) !== undefined): void {
    if (this.state === "closed") return;
    this.failures++;
    this.lastError = error;
    this.failedAt = monotonicNow();
    this.lastErrorPermanent = permanent;
    const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (this.failures - 1));
    this.retryAt = monotonicNow() + backoff * (0.8 + 0.4 * Math.random());
    this.state = "idle";
    this.changed();
  }
}

/** The failure of a connection a TLS transport refuses to make: to an `http://` URL. */
function downgradeRefusedError(url: string): EtcdError {
  return unavailableError(`refusing to connect to ${url} without TLS: this transport uses TLS for every connection`);
}
