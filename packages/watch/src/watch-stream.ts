import type { Client, Transport } from "@connectrpc/connect";
import { Watch, type WatchResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { EtcdError, isEtcdError, transportEventListener } from "@etcdkit/transport";
import { createRpcClient, isStaleTokenError, StreamHub, toResponseHeader } from "@etcdkit/transport/internal";
import { createRequestSize, createTooLargeError, requestSizeLimit } from "./watch-create-request.js";
import { compactedError, serverCancelError } from "./watch-errors.js";
import { WatchSession } from "./watch-session.js";
import { SubState, type WatchSubscription } from "./watch-subscription.js";

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
  /** Opens, pumps and re-opens the stream (shared with the lease keepalive stream). */
  private readonly hub: StreamHub<WatchSession, WatchResponse>;
  /** Live watches on this stream. */
  live = 0;
  strayResponses = 0;
  /** etcd refused a create for its auth token, and no create has succeeded since. */
  private tokenRefused = false;

  constructor(transport: Transport, requireLeader: boolean, subs: () => Iterable<WatchSubscription>) {
    this.client = createRpcClient(Watch, transport);
    // etcd ends a stream that carries `hasleader: true` once its member has lost the leader (and
    // refuses to open one there), so the watch moves to a member that sees new writes. "false"
    // also overrides a transport-wide requireLeader for the watches that opted out.
    this.headers = { hasleader: requireLeader ? "true" : "false" };
    this.subs = subs;
    this.hub = new StreamHub<WatchSession, WatchResponse>({
      name: "watch",
      stream: "watch",
      onEvent: transportEventListener(transport),
      createSession: () => {
        const session = new WatchSession();
        for (const sub of this.subs()) session.create(sub);
        return session;
      },
      openCall: (session) => this.client.watch(session.requests, { signal: session.abort.signal, headers: this.headers }),
      onResponse: (session, response) => this.dispatch(session, response),
      onBroken: (session, error, terminal) => this.onBroken(session, error, terminal),
      inUse: () => this.live > 0,
    });
  }

  /** The open stream attempt, if any. */
  get session(): WatchSession | undefined {
    return this.hub.session;
  }

  /** Streams opened so far (first opens and re-opens). */
  get streamsOpened(): number {
    return this.hub.streamsOpened;
  }

  /** True while a stream is open and etcd has answered on it. */
  get connected(): boolean {
    const session = this.hub.session;
    return session !== undefined && session.received > 0;
  }

  /** Starts a watch (its owner holds it already): on the open stream, or with the next one. */
  add(sub: WatchSubscription): void {
    this.live++;
    const session = this.hub.session;
    if (session !== undefined) session.create(sub);
    else this.hub.ensureOpen();
  }

  /** A watch ended: cancel it on the server, or close the stream if it was the last one. */
  released(sub: WatchSubscription): void {
    this.live--;
    if (this.live === 0) {
      this.hub.stop();
      this.tokenRefused = false;
      return;
    }
    const session = this.hub.session;
    if (session !== undefined && sub.id >= 0 && session.byId.get(sub.id) === sub) session.cancel(sub.id);
  }

  /** Asks etcd for a progress notification on every watch of the stream (no-op while disconnected). */
  requestProgress(): void {
    this.hub.session?.requestProgress();
  }

  /**
   * The stream broke (the session is closed): detach every watch, then end the ones that cannot
   * go on. Returns true when every watch ended (the hub then does not re-open).
   */
  private onBroken(session: WatchSession, error: EtcdError, terminal: boolean): boolean {
    const oversize = oversizeCreates(session, error);
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
      return false;
    }
    if (!terminal) return false;
    for (const sub of [...this.subs()]) sub.fail(error); // failing removes them from their lists
    return true;
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
    if (id === -1) {
      // A progress response to requestProgress(): for every watch on the stream. etcd 3.4 sends it
      // on a different queue than events, so it does not move the resume revision.
      if (r.events.length === 0) {
        const header = toResponseHeader(r.header);
        for (const sub of session.byId.values()) if (sub.state === SubState.Active) sub.onProgress(header, false);
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
      sub.onProgress(toResponseHeader(r.header), true);
      return;
    }
    sub.onEvents(r.events, r.fragment, r.header);
  }

  private onCreated(session: WatchSession, r: WatchResponse): void {
    const sub = session.shiftCreating();
    if (sub === undefined) return;
    if (r.canceled) {
      // etcd refused the create (permission denied, bad range...); it answers with watch ID -1.
      if (session.byId.get(sub.id) === sub) session.byId.delete(sub.id);
      if (sub.state === SubState.Ended) return;
      const error = serverCancelError(r.cancelReason);
      if (isStaleTokenError(error) || (!this.tokenRefused && isEtcdError(error, "user-empty"))) {
        // A stale token, or none while etcd now wants one ("user-empty": the stream was opened
        // while auth was off). Ending the stream with a stale-token error makes the transport
        // drop its token (a token another member issued a moment ago is kept for a few seconds:
        // this member may not have applied it yet), so a re-opened stream authenticates again;
        // every watch is then re-created on it. Expired tokens are retried with backoff for as
        // long as etcd refuses them (as Go's client does); "user-empty" only once in a row: a
        // transport without credentials has no token to send, and the refused watches end.
        // The hub's backoff grows with refusals in a row.
        this.tokenRefused = true;
        this.hub.broken(session, staleTokenError(error));
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
    this.tokenRefused = false; // the stream's token works
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
