import type { EtcdErrorReason } from "../errors/etcd-error-reason.js";
import { unavailableError } from "../call/call-errors.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import type { StreamReopenEvent, TransportEventListener } from "../observe/transport-events.js";
import { reconnectDelayMs } from "./reconnect-delay.js";
import { RequestQueue } from "./request-queue.js";

/**
 * Stream errors after which re-opening cannot help (the transport is closed, the credentials are
 * refused, the server lacks the RPC, a request is malformed or too large): whatever the stream
 * carries ends with the error instead of being re-opened.
 *
 * @example
 * ```ts
 * if (isEtcdError(error, TERMINAL_STREAM_REASONS)) failEverything(error);
 * ```
 */
export const TERMINAL_STREAM_REASONS: readonly EtcdErrorReason[] = Object.freeze([
  "transport-closed",
  "auth-failed",
  "unimplemented",
  "invalid-argument",
  "message-too-large",
]);

/**
 * One attempt of a long-lived bidi stream: its request queue, the signal that ends the call, and
 * how many responses it received. Subclasses add what the stream tracks per attempt.
 *
 * @example
 * ```ts
 * class KeepAliveSession extends StreamSession<{ ID: bigint }> { readonly pending = new Map(); }
 * ```
 */
export class StreamSession<Req> {
  /** The request side of the call (iterated by the transport). */
  readonly requests = new RequestQueue<Req>();
  /** Aborts the call. */
  readonly abort = new AbortController();
  /** Responses received on this attempt. */
  received = 0;
  /** The attempt is over (closed by the hub); responses still arriving are ignored. */
  closed = false;

  /**
   * Ends the attempt: the request side is closed and the call aborted. With `reason`, the call
   * ends with that error, so the transport sees why (a stale auth token is then dropped before
   * the next attempt opens).
   */
  close(reason?: EtcdError): void {
    if (this.closed) return;
    this.closed = true;
    this.requests.end();
    this.abort.abort(reason);
  }
}

/**
 * What a StreamHub needs of an attempt (a StreamSession and its subclasses).
 *
 * @example
 * ```ts
 * const attempt: StreamAttempt = new StreamSession<WatchRequestInit>();
 * ```
 */
export interface StreamAttempt {
  received: number;
  readonly closed: boolean;
  close(reason?: EtcdError): void;
}

/**
 * What a StreamHub asks of the package that owns the stream (watch, lease keepalive).
 *
 * @example
 * ```ts
 * const handler: StreamHubHandler<KeepAliveSession, LeaseKeepAliveResponse> = {
 *   name: "keepalive",
 *   stream: "lease-keepalive",
 *   onEvent: transportEventListener(transport),
 *   createSession: () => sessionWithEveryLease(),
 *   openCall: (session) => client.leaseKeepAlive(session.requests, { signal: session.abort.signal }),
 *   onResponse: (session, response) => renew(session, response),
 *   onBroken: (session, error, terminal) => terminal && loseEveryLease(error),
 *   inUse: () => entries.size > 0,
 * };
 * ```
 */
export interface StreamHubHandler<S extends StreamAttempt, Res> {
  /** What the stream is called in errors ("watch", "keepalive"). */
  readonly name: string;
  /** What the stream is called in the transport's "stream-reopen" events. */
  readonly stream: StreamReopenEvent["stream"];
  /** The transport's event listener (`transportEventListener(transport)`): re-opens are reported to it. */
  readonly onEvent: TransportEventListener | undefined;
  /** A new attempt, with the requests that (re)establish everything the stream carries queued. */
  createSession(): S;
  /** Starts the call on the session's requests and signal; may throw when it cannot start. */
  openCall(session: S): AsyncIterable<Res>;
  /** One response of the current attempt. */
  onResponse(session: S, response: Res): void;
  /**
   * The attempt broke with `error` and is closed already. `terminal`: the error is one of
   * TERMINAL_STREAM_REASONS. Returns true when the hub must not re-open (the handler ended what
   * the stream carried); else it re-opens after a backoff while `inUse()`.
   */
  onBroken(session: S, error: EtcdError, terminal: boolean): boolean;
  /** Whether anything still needs the stream. */
  inUse(): boolean;
}

/**
 * The skeleton of a long-lived stream that many users share (all watches of a transport, all its
 * kept-alive leases): it opens an attempt on demand, pumps its responses to the handler, and when
 * the attempt breaks closes it and either ends (terminal reasons, or the handler says so) or
 * re-opens it after a jittered backoff (`reconnectDelayMs`, growing with consecutive failed
 * attempts, reset by an attempt's first response unless the handler broke the attempt on it),
 * reporting each re-open to the transport's `onEvent` as a "stream-reopen" event (attempt, delay,
 * the error). An attempt ending
 * without an error counts as broken with "unavailable" (etcd ended the stream).
 *
 * @example
 * ```ts
 * const hub = new StreamHub(handler);
 * hub.ensureOpen();            // when the first user arrives
 * hub.session?.requests.push(request);
 * hub.stop();                  // when the last user leaves
 * ```
 */
export class StreamHub<S extends StreamAttempt, Res> {
  /** Attempts opened so far (first opens and re-opens). */
  streamsOpened = 0;
  private current: S | undefined = undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private failures = 0;
  private readonly handler: StreamHubHandler<S, Res>;

  constructor(handler: StreamHubHandler<S, Res>) {
    this.handler = handler;
  }

  /** The open attempt, if any (undefined while closed or waiting to re-open). */
  get session(): S | undefined {
    return this.current;
  }

  /** Opens an attempt unless one is open or a re-open is scheduled. */
  ensureOpen(): void {
    if (this.current === undefined && this.reconnectTimer === undefined) this.open();
  }

  /** Closes the open attempt (without a reason) and cancels a scheduled re-open. */
  stop(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const session = this.current;
    this.current = undefined;
    session?.close();
    this.failures = 0;
  }

  /**
   * The attempt `session` failed with `error` (from the transport, or found by the handler: a
   * stalled stream, a stale token). Ignored unless it is the open attempt. The re-open counts as
   * one more failed attempt in a row (its backoff and its event).
   */
  broken(session: S, error: EtcdError): void {
    if (session.closed || this.current !== session) return;
    session.close(error);
    this.current = undefined;
    if (this.handler.onBroken(session, error, isEtcdError(error, TERMINAL_STREAM_REASONS))) return;
    if (!this.handler.inUse()) return;
    const failures = ++this.failures;
    const delayMs = reconnectDelayMs(failures);
    this.handler.onEvent?.({ type: "stream-reopen", stream: this.handler.stream, attempt: failures, delayMs, error });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.handler.inUse() && this.current === undefined) this.open();
    }, delayMs);
  }

  private open(): void {
    const session = this.handler.createSession();
    this.current = session;
    this.streamsOpened++;
    let responses: AsyncIterable<Res>;
    try {
      responses = this.handler.openCall(session);
    } catch (err) {
      queueMicrotask(() => this.broken(session, toEtcdError(err)));
      return;
    }
    void this.pump(session, responses);
  }

  private async pump(session: S, responses: AsyncIterable<Res>): Promise<void> {
    let error: EtcdError;
    try {
      for await (const response of responses) {
        if (session.closed) return;
        const first = session.received++ === 0;
        this.handler.onResponse(session, response);
        // An attempt that answered and carried on works: the backoff starts over. One the handler
        // broke on its first answer (a refusal) counts as failed, so refusals in a row back off.
        if (first && !session.closed) this.failures = 0;
      }
      error = unavailableError(`etcd ended the ${this.handler.name} stream`);
    } catch (err) {
      error = toEtcdError(err);
    }
    this.broken(session, error);
  }
}
