import type { EtcdError } from "../errors/etcd-error.js";
import { monotonicNow } from "../clock.js";
import type { CallContext } from "../call/call-context.js";
import { endedWhile, transportClosedError, unavailableError } from "../call/call-errors.js";
import { EndpointConnection, type ConnectionSettings } from "../http2/endpoint-connection.js";
import type { LiveSession } from "../http2/live-session.js";
import type { Endpoint } from "./parse-endpoint.js";

/**
 * The transport's endpoints and their connections: picks a session for each call, round-robin
 * over endpoints that are connected and healthy, and connects lazily.
 *
 * - `pick()` is the fast path: synchronous, returns a ready session or undefined. On the way it
 *   starts connecting endpoints that are idle and not backing off, so every endpoint joins the
 *   rotation soon after the first calls.
 * - `acquire()` is the slow path: waits until some endpoint is ready, bounded by a limit
 *   (the dial timeout or the call's deadline); then fails with reason "unavailable" listing
 *   why each endpoint could not be used.
 *
 * @example
 * ```ts
 * const pool = new EndpointPool(endpoints, settings);
 * const live = pool.pick() ?? (await pool.acquire(ctx, monotonicNow() + 5000));
 * ```
 */
export class EndpointPool {
  private connections: EndpointConnection[];
  private next = 0;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  /** Connections to URLs outside the endpoint list, for calls bound to one member (`connectionFor`). */
  private readonly extras = new Map<string, EndpointConnection>();
  /** A pool over another pool's connection: it does not own (or close) it. */
  private borrowed = false;

  constructor(
    endpoints: readonly Endpoint[],
    private readonly settings: ConnectionSettings,
  ) {
    this.connections = endpoints.map((e) => this.create(e));
  }

  /**
   * A pool whose only endpoint is `connection`, owned by another pool (which closes it): the
   * pool of calls bound to one member. Its calls wait for that connection alone, with the same
   * rules (dial timeout, backoff, "unavailable" naming the endpoint).
   */
  static over(connection: EndpointConnection, settings: ConnectionSettings): EndpointPool {
    const view = new EndpointPool([], settings);
    view.connections = [connection];
    view.borrowed = true;
    connection.addListener(() => view.notify());
    return view;
  }

  /**
   * The connection to `endpoint`: the pool's own when the URL is one of its endpoints, else one
   * kept for that URL (created on first use, closed with the pool, adopted if the URL joins the
   * endpoint list). Never returns a closed connection while the pool is open.
   */
  connectionFor(endpoint: Endpoint): EndpointConnection {
    for (const conn of this.connections) if (conn.url === endpoint.url) return conn;
    let extra = this.extras.get(endpoint.url);
    if (extra === undefined || (extra.state === "closed" && !this.closed)) {
      extra = this.create(endpoint);
      this.extras.set(endpoint.url, extra);
      if (this.closed) extra.close(); // never connects
    }
    return extra;
  }

  /** Endpoint URLs currently in use. */
  get urls(): string[] {
    return this.connections.map((c) => c.url);
  }

  /**
   * A ready, verified session (round-robin), or undefined. Never waits. Verifies (PINGs) at most
   * one idle session per pick, the first in round-robin order: the one the next call will use.
   * Verifying every idle session would PING sessions that no call then uses, and etcd closes
   * idle connections PINGed too often (GOAWAY "too_many_pings").
   */
  pick(): LiveSession | undefined {
    const list = this.connections;
    const n = list.length;
    let start = this.next;
    if (start >= n) start = 0;
    let idle: LiveSession | undefined;
    for (let i = 0; i < n; i++) {
      let index = start + i;
      if (index >= n) index -= n;
      const conn = list[index]!;
      const live = conn.live;
      if (live !== undefined) {
        if (!live.needsVerify && live.usable) {
          this.next = index + 1;
          idle?.verify(); // calls are flowing: it joins the rotation next
          return live;
        }
        if (live.needsVerify && live.usable) idle ??= live;
      } else if (conn.state === "idle" && monotonicNow() >= conn.retryAt) {
        conn.connect();
      }
    }
    idle?.verify();
    return undefined;
  }

  /**
   * The ready, verified session of the endpoint `url`, if it is one of this pool's endpoints and
   * is connected; never connects or waits. For a retry that should go to one member if it can
   * (the member that issued the auth token).
   */
  pickUrl(url: string): LiveSession | undefined {
    for (const conn of this.connections) {
      if (conn.url !== url) continue;
      const live = conn.live;
      return live !== undefined && live.usable && !live.needsVerify ? live : undefined;
    }
    return undefined;
  }

  /**
   * Waits for a ready session until `limit` (`monotonicNow()` ms): the dial timeout, or the call's
   * deadline when that comes first. Endpoints backing off are retried when their backoff ends.
   * Rejects with "transport-closed"; with the call's own reason ("deadline-exceeded", "canceled")
   * when its deadline or signal ends the wait, saying what the endpoints were doing, with the last
   * connection error as cause; with "unavailable" when the dial timeout runs out first or every
   * endpoint failed for good (TLS verification).
   */
  async acquire(ctx: CallContext, limit: number): Promise<LiveSession> {
    const started = monotonicNow();
    for (;;) {
      if (this.closed) throw transportClosedError();
      if (ctx.error !== undefined) throw this.waitError(ctx.error, started);
      const live = this.pick();
      if (live !== undefined) return live;
      const now = monotonicNow();
      // At the call's own deadline, its timer (due now) ends the wait below, with its own reason.
      if ((now >= limit && limit < ctx.deadline) || this.allFailedPermanently(started)) throw this.unreachable(now - started);
      let busy = false;
      let earliest = Infinity;
      for (const conn of this.connections) {
        if (conn.state === "connecting" || conn.state === "ready") busy = true;
        else if (conn.state === "idle") {
          if (now >= conn.retryAt) {
            conn.connect();
            busy = true;
          } else if (conn.retryAt < earliest) earliest = conn.retryAt;
        }
      }
      const wakeAt = busy ? limit : Math.min(limit, earliest);
      try {
        // Whole milliseconds: a wait that ends with a dial timeout of the same length then joins
        // the dial timer's list and fires after it, so the failure names the dial timeout.
        await this.waitForChange(ctx, Math.max(1, Math.ceil(wakeAt - now)));
      } catch (error) {
        throw this.waitError(error as EtcdError, started);
      }
    }
  }

  /** Wakes every call waiting in `acquire()`; connections call it on each state change. */
  notify(): void {
    if (this.waiters.size === 0) return;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  /**
   * Replaces the endpoint list (auto-sync). Connections of kept URLs stay; removed ones drain
   * (their open calls finish); new ones connect lazily. An empty list is ignored.
   */
  setEndpoints(endpoints: readonly Endpoint[]): void {
    if (this.closed || endpoints.length === 0) return;
    const byUrl = new Map(this.connections.map((c) => [c.url, c]));
    const next = endpoints.map((e) => byUrl.get(e.url) ?? this.adoptExtra(e.url) ?? this.create(e));
    const keep = new Set(next);
    for (const conn of this.connections) if (!keep.has(conn)) conn.drain();
    this.connections = next;
    this.notify();
  }

  /** Closes every connection (a pool `over` another's connection closes none); waiting calls fail with "transport-closed". */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.borrowed) {
      for (const conn of this.connections) conn.close();
      for (const conn of this.extras.values()) conn.close();
    }
    this.notify();
  }

  private create(endpoint: Endpoint): EndpointConnection {
    return new EndpointConnection(endpoint, this.settings, () => this.notify());
  }

  /** Takes the connection kept for `url` (see connectionFor) into the endpoint list. */
  private adoptExtra(url: string): EndpointConnection | undefined {
    const extra = this.extras.get(url);
    this.extras.delete(url);
    return extra !== undefined && extra.state !== "closed" ? extra : undefined;
  }

  private waitForChange(ctx: CallContext, ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        ctx.waitingOn = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      ctx.waitingOn = {
        abort: (error) => {
          clearTimeout(timer);
          this.waiters.delete(done);
          reject(error);
        },
      };
    });
  }

  /**
   * True when every endpoint failed since `since` with an error that retrying cannot fix (a TLS
   * verification failure): waiting for the dial timeout would only delay the same answer.
   */
  private allFailedPermanently(since: number): boolean {
    return this.connections.every((c) => c.state === "idle" && c.lastErrorPermanent && c.failedAt >= since);
  }

  /** The call's deadline or signal ended its wait: its own reason, with the endpoints' states. */
  private waitError(error: EtcdError, started: number): EtcdError {
    const waited = Math.round(monotonicNow() - started);
    return endedWhile(error, `while waiting ${waited} ms for a connection: ${this.endpointStates()}`, this.lastConnectionError());
  }

  private unreachable(waitedMs: number): EtcdError {
    return unavailableError(
      `no etcd endpoint reachable after ${Math.round(waitedMs)} ms: ${this.endpointStates()}`,
      this.lastConnectionError(),
    );
  }

  /** What each endpoint is doing, e.g. "cannot connect to http://a:2379: ECONNREFUSED; http://b:2379: still connecting". */
  private endpointStates(): string {
    return this.connections
      .map((c) => {
        if (c.lastError !== undefined) return c.lastError.rawMessage;
        if (c.state === "connecting") return `${c.url}: still connecting`;
        return `${c.url}: ${c.state}`;
      })
      .join("; ");
  }

  /** The most recent connection failure of any endpoint. */
  private lastConnectionError(): EtcdError | undefined {
    let last: EndpointConnection | undefined;
    for (const c of this.connections) {
      if (c.lastError !== undefined && (last === undefined || c.failedAt > last.failedAt)) last = c;
    }
    return last?.lastError;
  }
}
