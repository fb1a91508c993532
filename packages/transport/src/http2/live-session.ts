import * as http2 from "node:http2";
import type { Socket } from "node:net";
import type { EtcdError } from "../errors/etcd-error.js";
import { MAX_TIMER_MS } from "../call-options.js";
import { errorText, unavailableError } from "../call/call-errors.js";
import type { EndpointDownCause } from "../observe/transport-events.js";

/**
 * Why a session stopped taking new calls.
 *
 * @example
 * ```ts
 * const onDown = (live: LiveSession, kind: DownKind) => (kind === "failed" ? backOff() : reconnectLater());
 * ```
 */
export type DownKind =
  /** Connection error, unexpected close, or unanswered PING: the endpoint is unhealthy. */
  | "failed"
  /** GOAWAY from the server (e.g. shutting down), or the session refused a new stream; open calls may still complete. */
  | "draining"
  /** We closed it (transport closed, endpoint removed). */
  | "closed";

/**
 * Keepalive settings of a session.
 *
 * @example
 * ```ts
 * const keepAlive: KeepAliveSettings = { intervalMs: 10_000, timeoutMs: 5_000 };
 * ```
 */
export interface KeepAliveSettings {
  /** 0 disables pings. */
  intervalMs: number;
  timeoutMs: number;
}

const TOO_MANY_PINGS = Buffer.from("too_many_pings");

/**
 * PINGs an idle session may be verified with after the server's last response HEADERS.
 *
 * etcd's gRPC server (grpc-go, `PermitWithoutStream=false`) treats a PING on a connection without
 * streams as a "ping strike" when the previous PING came less than 2 h before, unless it wrote
 * HEADERS in between (the first PING after HEADERS only clears the count); more than two strikes
 * and it closes the connection with GOAWAY ENHANCE_YOUR_CALM "too_many_pings". Two PINGs after
 * HEADERS cost at most one strike, even when a PING crossed the HEADERS on the wire.
 */
const IDLE_PINGS_AFTER_HEADERS = 2;

/**
 * The longest keepalive interval that GOAWAY "too_many_pings" doubles the interval to (but
 * never below the configured interval): a server that complains about the PING rate gets fewer
 * PINGs, but dead connections with open streams are still found within minutes.
 */
export const MAX_BACKED_OFF_KEEPALIVE_MS = 120_000;

/**
 * The keepalive interval after a GOAWAY "too_many_pings": doubled, as gRPC clients do, up to
 * `MAX_BACKED_OFF_KEEPALIVE_MS` (or the configured interval, if longer), and never beyond what
 * a timer can hold.
 *
 * @example
 * ```ts
 * backedOffKeepAliveMs(10_000, 10_000); // 20_000
 * backedOffKeepAliveMs(100_000, 10_000); // 120_000
 * ```
 */
export function backedOffKeepAliveMs(currentMs: number, configuredMs: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(configuredMs, Math.min(currentMs * 2, MAX_BACKED_OFF_KEEPALIVE_MS)));
}

/**
 * An established HTTP/2 session to one endpoint, with what the transport tracks about it:
 *
 * - open streams, so the socket only keeps the process alive while calls are in flight
 *   (`ref()` on the first stream, `unref()` after the last);
 * - keepalive: every `intervalMs`, a session with open streams and no traffic since the last
 *   tick is PINGed; an idle session is marked `needsVerify` and PINGed before its next use.
 *   A PING unanswered for `timeoutMs` destroys the session (a dead or blackholed peer);
 * - GOAWAY, errors and close, reported once through `onDown`.
 *
 * Pinging idle sessions periodically is avoided on purpose: etcd (grpc-go) counts PINGs on a
 * connection without streams as abuse and closes it with GOAWAY "too_many_pings". For the same
 * reason an idle session that was already verified twice since etcd last answered a call on it
 * is not PINGed a third time but retired (a new connection, proven by its SETTINGS frame, takes
 * its place), see IDLE_PINGS_AFTER_HEADERS. Calls report etcd's answers through `headersReceived`.
 *
 * @example
 * ```ts
 * const live = new LiveSession(session, socket, url, { intervalMs: 10_000, timeoutMs: 5_000 }, counters, onDown, onVerified);
 * const stream = live.request(headers);
 * stream.on("close", () => live.streamClosed());
 * ```
 */
export class LiveSession {
  /** Streams currently open on this session. */
  streams = 0;
  /** Set by calls when they see traffic; cleared by the keepalive tick. */
  activity = true;
  /** True after an idle keepalive period: PING before the next call. */
  needsVerify = false;
  /** False once the session must not take new calls (GOAWAY, error, close). */
  usable = true;
  /** True when the server complained about our PING rate (GOAWAY too_many_pings). */
  tooManyPings = false;
  /** PINGs sent since the server's last response HEADERS (calls reset it, see `headersReceived`). */
  pingsSinceHeaders = 0;
  /** The last-stream-id of the server's GOAWAY: streams above it were never processed. */
  goawayLastStreamId: number | undefined = undefined;
  /** The HTTP/2 error code of the server's GOAWAY. */
  goawayCode: number | undefined = undefined;
  /** Why the session stopped taking calls (set with the first `onDown`), for diagnostic events. */
  downCause: EndpointDownCause | undefined = undefined;

  private pingPending = false;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private downReported = false;

  constructor(
    readonly session: http2.ClientHttp2Session,
    private readonly socket: Socket,
    readonly url: string,
    private readonly keepAlive: KeepAliveSettings,
    private readonly counters: { streams: number },
    private readonly onDown: (live: LiveSession, kind: DownKind, error: EtcdError | undefined) => void,
    private readonly onVerified: (live: LiveSession) => void,
  ) {
    session.unref();
    session.on("error", (err: unknown) => {
      this.down("failed", unavailableError(`connection to ${url} failed: ${errorText(err)}`, err), "connection-lost");
    });
    session.on("goaway", (code: number, lastStreamId: number, data?: Buffer) => {
      this.goawayLastStreamId = lastStreamId;
      this.goawayCode = code;
      if (data !== undefined && data.equals(TOO_MANY_PINGS)) this.tooManyPings = true;
      const kind: DownKind = code === http2.constants.NGHTTP2_NO_ERROR ? "draining" : "failed";
      this.down(kind, unavailableError(`${url} sent GOAWAY (HTTP/2 error code ${code})`), "goaway");
    });
    session.on("close", () => {
      this.stopKeepAlive();
      this.down("failed", unavailableError(`connection to ${url} closed`), "connection-lost");
    });
    // node:http2 may not report a dead socket promptly (it waits to flush its own writes).
    socket.on("error", (err: unknown) => {
      this.destroy("failed", unavailableError(`connection to ${url} failed: ${errorText(err)}`, err));
    });
    socket.on("close", () => {
      if (!this.session.destroyed) this.destroy("failed", unavailableError(`connection to ${url} closed`));
    });
    this.startKeepAlive();
  }

  /**
   * Opens a stream (throws synchronously when the session cannot take it; the request then
   * never left the client). Counts it until `streamClosed()`.
   */
  request(headers: http2.OutgoingHttpHeaders): http2.ClientHttp2Stream {
    // No options object: POST requests keep their request side open by default, and passing
    // options costs node:http2 noticeably more per call.
    const stream = this.session.request(headers);
    this.counters.streams++;
    if (this.streams++ === 0) this.session.ref();
    return stream;
  }

  /** Must be called exactly once per stream from `request()`, when it closed. */
  streamClosed(): void {
    if (--this.streams === 0) this.session.unref();
  }

  /** A call received response HEADERS on this session (etcd's ping strike count is cleared). */
  headersReceived(): void {
    this.pingsSinceHeaders = 0;
  }

  /**
   * Sends a PING if none is pending; on success clears `needsVerify` and reports it. An idle
   * session that another PING could get closed with GOAWAY "too_many_pings" is retired instead
   * (reported as "draining"; the endpoint connects afresh).
   */
  verify(): void {
    if (this.pingPending || !this.usable) return;
    if (this.streams === 0 && this.pingsSinceHeaders >= IDLE_PINGS_AFTER_HEADERS) {
      this.retire(
        unavailableError(
          `${this.url}: idle connection replaced instead of verified by another PING (etcd closes idle connections that are PINGed too often)`,
        ),
      );
      return;
    }
    this.ping();
  }

  /**
   * Stops using the session for new calls (it refused a new stream, e.g. it is closing or ran out
   * of stream ids) and closes it once its open calls finished. The endpoint reconnects.
   */
  retire(error: EtcdError): void {
    this.down("draining", error, "replaced");
    try {
      if (!this.session.closed) this.session.close();
    } catch {
      // already closing
    }
  }

  /** Destroys the session; open streams fail with `error`. */
  destroy(kind: DownKind, error: EtcdError, cause: EndpointDownCause = kind === "closed" ? "closed" : "connection-lost"): void {
    this.down(kind, error, cause);
    this.stopKeepAlive();
    if (!this.session.destroyed) this.session.destroy(error);
    if (!this.socket.destroyed) this.socket.destroy();
  }

  private down(kind: DownKind, error: EtcdError | undefined, cause: EndpointDownCause): void {
    this.usable = false;
    if (this.downReported) return;
    this.downReported = true;
    this.downCause = cause;
    this.onDown(this, kind, error);
  }

  private startKeepAlive(): void {
    if (this.keepAlive.intervalMs <= 0 || this.keepAliveTimer !== undefined) return;
    // Node fires an interval beyond MAX_TIMER_MS after 1 ms: that would be a PING storm.
    this.keepAliveTimer = setInterval(() => this.tick(), Math.min(this.keepAlive.intervalMs, MAX_TIMER_MS));
    this.keepAliveTimer.unref();
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer !== undefined) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  private tick(): void {
    if (this.session.destroyed) return this.stopKeepAlive();
    if (this.activity) {
      this.activity = false;
      return;
    }
    if (this.streams > 0) {
      this.ping();
      return;
    }
    // Idle: do not ping (etcd would count it as abuse); verify before the next use instead.
    if (this.usable) this.needsVerify = true;
    this.stopKeepAlive();
  }

  private ping(): void {
    if (this.pingPending || this.session.destroyed) return;
    this.pingPending = true;
    this.pingsSinceHeaders++;
    const timeoutMs = this.keepAlive.timeoutMs;
    const timer = setTimeout(() => {
      this.pingPending = false;
      this.destroy("failed", unavailableError(`keepalive: ${this.url} did not answer a PING within ${timeoutMs} ms`), "keepalive-timeout");
    }, timeoutMs);
    timer.unref();
    let sent = false;
    try {
      sent = this.session.ping((err) => {
        clearTimeout(timer);
        this.pingPending = false;
        if (err !== null) return; // the session is going away; 'error'/'close' report it
        this.activity = true;
        if (this.needsVerify) {
          this.needsVerify = false;
          this.startKeepAlive();
          this.onVerified(this);
        }
      });
    } catch {
      sent = false;
    }
    if (!sent) {
      clearTimeout(timer);
      this.pingPending = false;
      this.destroy("failed", unavailableError(`keepalive: cannot send a PING to ${this.url}`));
    }
  }
}
