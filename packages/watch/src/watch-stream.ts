import { Code, createClient, type Client, type Transport } from "@connectrpc/connect";
import { Watch, type WatchResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { EtcdError, isEtcdError, type EtcdErrorReason } from "@etcdkit/transport";
import { reconnectDelayMs, toEtcdError } from "@etcdkit/transport/internal";
import { transportEventListener, type TransportEventListener } from "@etcdkit/transport";
import { createRequestSize, createTooLargeError, requestSizeLimit } from "./watch-create-request.js";
import { compactedError, serverCancelError } from "./watch-errors.js";
import { WatchSession } from "./watch-session.js";
import { SubState, type WatchSubscription } from "./watch-subscription.js";

/**
 * Stream errors after which re-opening cannot help: every watch of the stream ends with the error.
 * Anything else (unavailable, a member going away or losing its leader...) is followed by a
 * re-open with backoff.
 */
const TERMINAL: readonly EtcdErrorReason[] = [
  "transport-closed",
  "auth-failed",
  "unimplemented",
  "invalid-argument",
  "message-too-large",
];

/** Create refusals that a fresh auth token may fix (as the unary path and Go's client refresh on). */
const TOKEN_REFUSALS: readonly EtcdErrorReason[] = ["invalid-auth-token", "auth-old-revision", "user-empty"];

/**
 * The error a stream is ended with after a token refusal: one the transport recognizes as a stale
 * token, so that it drops the token (also the empty one of a stream opened while auth was off).
 */
function staleTokenError(refusal: EtcdError): EtcdError {
  if (refusal.reason !== "user-empty") return refusal;
  return new EtcdError(`${refusal.rawMessage} (the watch stream has no auth token)`, "invalid-auth-token", refusal.code, { cause: refusal });
}

/**
 * The watches to end when a stream failed because a request was too large (a create: nothing
 * else on a watch stream can be): those whose create is over the reported limit, or the largest
 * pending one when the limit is not known. Undefined when the error is about something else.
 */
function oversizeCreates(session: WatchSession, error: EtcdError): Map<WatchSubscription, EtcdError> | undefined {
  if (!isEtcdError(error, "message-too-large")) return undefined;
  const limit = requestSizeLimit(error);
  const pending = session.pendingCreates();
  const failed = new Map<WatchSubscription, EtcdError>();
  if (limit !== undefined) {
    for (const sub of pending) {
      const size = createRequestSize(sub, sub.nextRevision, limit);
      if (size !== undefined && size > limit) failed.set(sub, createTooLargeError(size, limit, error));
    }
  }
  if (failed.size === 0 && limit !== undefined) {
    // The limit counts gRPC framing or a server's own overhead differently: take the largest.
    let largest: WatchSubscription | undefined;
    let largestSize = -1;
    for (const sub of pending) {
      const size = createRequestSize(sub, sub.nextRevision, 0) ?? 0;
      if (size > largestSize) [largest, largestSize] = [sub, size];
    }
    if (largest !== undefined) failed.set(largest, createTooLargeError(largestSize, limit, error));
  }
  return failed.size === 0 ? undefined : failed;
}

/**
 * One watch stream of a transport, shared by the watches that need the same request metadata
 * (here: whether they require a leader). Opens the stream when its first watch starts, closes it
 * when its last one ends, re-opens it (fresh token, healthy endpoint, backoff) when it breaks,
 * re-creating every watch from its next revision, and routes responses to watches.
 *
 * @example
 * ```ts
 * const stream = new WatchStream(transport, true, () => watchesRequiringLeader);
 * stream.add(subscription);
 * ```
 */
export class WatchStream {
  private readonly client: Client<typeof Watch>;
  private readonly headers: Record<string, string>;
  /** The live watches of this stream (owned by their watchers; the stream keeps no collection). */
  private readonly subs: () => Iterable<WatchSubscription>;
  /** Live watches on this stream. */
  live = 0;
  session: WatchSession | undefined = undefined;
  streamsOpened = 0;
  strayResponses = 0;
  private reconnectTimer: NodeJS.Timeout | undefined = undefined;
  private failures = 0;
  /** Streams in a row whose creates etcd refused for their auth token (none succeeded since). */
  private tokenRefusals = 0;
  /** The transport's event listener (stream re-opens are reported to it). */
  private readonly emit: TransportEventListener | undefined;

  constructor(transport: Transport, requireLeader: boolean, subs: () => Iterable<WatchSubscription>) {
    this.client = createClient(Watch, transport);
    // etcd ends a stream that carries `hasleader: true` once its member has lost the leader (and
    // refuses to open one there), so the watch moves to a member that sees new writes. "false"
    // also overrides a transport-wide requireLeader for the watches that opted out.
    this.headers = { hasleader: requireLeader ? "true" : "false" };
    this.subs = subs;
    this.emit = transportEventListener(transport);
  }

  /** True while a stream is open and etcd has answered on it. */
  get connected(): boolean {
    return this.session !== undefined && this.session.received > 0;
  }

  /** Starts a watch (its owner holds it already): on the open stream, or with the next one. */
  add(sub: WatchSubscription): void {
    this.live++;
    if (this.session !== undefined) this.session.create(sub);
    else if (this.reconnectTimer === undefined) this.open();
  }

  /** A watch ended: cancel it on the server, or close the stream if it was the last one. */
  released(sub: WatchSubscription): void {
    this.live--;
    if (this.live === 0) {
      this.stop();
      return;
    }
    const session = this.session;
    if (session !== undefined && sub.id >= 0 && session.byId.get(sub.id) === sub) session.cancel(sub.id);
  }

  /** Asks etcd for a progress notification on every watch of the stream (no-op while disconnected). */
  requestProgress(): void {
    this.session?.requestProgress();
  }

  private stop(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.session?.close();
    this.session = undefined;
    this.failures = 0;
    this.tokenRefusals = 0;
  }

  private open(): void {
    const session = new WatchSession();
    this.session = session;
    this.streamsOpened++;
    for (const sub of this.subs()) session.create(sub);
    let responses: AsyncIterable<WatchResponse>;
    try {
      responses = this.client.watch(session.requests, { signal: session.abort.signal, headers: this.headers });
    } catch (err) {
      queueMicrotask(() => this.broken(session, toEtcdError(err)));
      return;
    }
    void this.pump(session, responses);
  }

  private async pump(session: WatchSession, responses: AsyncIterable<WatchResponse>): Promise<void> {
    let error: EtcdError;
    try {
      for await (const response of responses) {
        if (session.closed) return;
        if (session.received++ === 0) this.failures = 0;
        this.dispatch(session, response);
      }
      error = new EtcdError("etcd ended the watch stream", "unavailable", Code.Unavailable);
    } catch (err) {
      error = toEtcdError(err);
    }
    this.broken(session, error);
  }

  /** The stream failed: detach every watch, then fail them all or re-open after a backoff. */
  private broken(session: WatchSession, error: EtcdError): void {
    if (session.closed || this.session !== session) return;
    const oversize = oversizeCreates(session, error);
    session.close(error);
    this.session = undefined;
    // No endpoint answered (with etcdkit's transport: none within the dial timeout): the watches
    // this attempt was to register learn it through `ready`, and keep retrying.
    const unreachable = session.received === 0 && isEtcdError(error, "unavailable");
    for (const sub of this.subs()) {
      if (unreachable && sub.state === SubState.Creating) sub.readyFailed(error);
      sub.detach();
    }
    if (oversize !== undefined) {
      // One create was too large to send or for etcd to receive: only its watch ends; the stream
      // is re-opened for the others.
      for (const [sub, failure] of oversize) sub.fail(failure);
    } else if (isEtcdError(error, TERMINAL)) {
      for (const sub of [...this.subs()]) sub.fail(error); // failing removes them from their lists
      return;
    }
    if (this.live === 0) return;
    this.failures++;
    const delayMs = reconnectDelayMs(this.failures);
    this.emit?.({ type: "stream-reopen", stream: "watch", attempt: this.failures, delayMs, error });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.live > 0 && this.session === undefined) this.open();
    }, delayMs);
  }

  private dispatch(session: WatchSession, r: WatchResponse): void {
    if (r.created) {
      this.onCreated(session, r);
      return;
    }
    const id = Number(r.watchId);
    if (r.canceled) {
      this.onCanceled(session, id, r);
      return;
    }
    const revision = r.header?.revision ?? 0n;
    if (id === -1) {
      // A progress response to requestProgress(): for every watch on the stream. etcd 3.4 sends it
      // on a different queue than events, so it does not move the resume revision.
      if (r.events.length === 0) {
        for (const sub of session.byId.values()) if (sub.state === SubState.Active) sub.onProgress(revision, false);
      }
      return;
    }
    const sub = session.byId.get(id);
    if (sub === undefined) {
      this.strayResponses++;
      session.cancelStray(id);
      return;
    }
    if (sub.state !== SubState.Active) return; // ended locally, cancel pending
    if (r.events.length === 0 && !r.fragment && !sub.fragmented) {
      // A per-watch progress notification: etcd sends it in order with the events, and only
      // when the watcher is synced, so everything up to `revision` has been delivered.
      sub.onProgress(revision, true);
      return;
    }
    sub.onEvents(r.events, r.fragment);
  }

  private onCreated(session: WatchSession, r: WatchResponse): void {
    const sub = session.shiftCreating();
    if (sub === undefined) return;
    if (r.canceled) {
      // etcd refused the create (permission denied, bad range...); it answers with watch ID -1.
      if (session.byId.get(sub.id) === sub) session.byId.delete(sub.id);
      if (sub.state === SubState.Ended) return;
      const error = serverCancelError(r.cancelReason);
      if (isEtcdError(error, TOKEN_REFUSALS) && (this.tokenRefusals === 0 || !isEtcdError(error, "user-empty"))) {
        // A stale token, or none while etcd now wants one ("user-empty": the stream was opened
        // while auth was off). Ending the stream with a stale-token error makes the transport
        // drop its token (a token another member issued a moment ago is kept for a few seconds:
        // this member may not have applied it yet), so a re-opened stream authenticates again;
        // every watch is then re-created on it. Expired tokens are retried with backoff for as
        // long as etcd refuses them (as Go's client does); "user-empty" only once in a row: a
        // transport without credentials has no token to send, and the refused watches end.
        this.tokenRefusals++;
        this.failures = this.tokenRefusals - 1; // the backoff grows with refusals in a row
        this.broken(session, staleTokenError(error));
        return;
      }
      sub.fail(error);
      return;
    }
    const id = Number(r.watchId);
    if (id !== sub.id) {
      // A server that assigns its own IDs: follow it.
      if (session.byId.get(sub.id) === sub) session.byId.delete(sub.id);
      session.byId.set(id, sub);
      sub.id = id;
      if (sub.state === SubState.Ended) {
        session.cancel(id);
        return;
      }
    }
    this.tokenRefusals = 0; // the stream's token works
    if (sub.state === SubState.Ended) return; // its cancel is on the way
    sub.onCreated(r.header?.revision ?? 0n);
  }

  private onCanceled(session: WatchSession, id: number, r: WatchResponse): void {
    const sub = session.byId.get(id);
    if (sub === undefined) return;
    session.byId.delete(id);
    if (sub.state === SubState.Ended) return; // the cancel we asked for
    sub.fail(r.compactRevision > 0n ? compactedError(r.compactRevision, sub.nextRevision) : serverCancelError(r.cancelReason));
  }
}
