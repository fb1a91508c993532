import { Code, type Client, type Transport } from "@connectrpc/connect";
import { Lease as LeaseService, type LeaseKeepAliveResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { EtcdError, MAX_TIMER_MS, monotonicNow, transportEventListener, type LeaseId } from "@etcdkit/transport";
import { createRpcClient, refreshTimer, StreamHub, StreamSession, toResponseHeader } from "@etcdkit/transport/internal";
import type { Lease } from "./lease.js";

/**
 * Counters of a transport's shared keepalive stream.
 *
 * @example
 * ```ts
 * leases.stats.streamsOpened; // 1 for any number of leases, until the stream breaks
 * ```
 */
export interface KeepAliveStats {
  /** Leases being kept alive. */
  readonly keepAlives: number;
  /** Keepalive streams opened so far (1 + re-opens). */
  readonly streamsOpened: number;
  /** Keepalive requests sent. */
  readonly requestsSent: number;
  /** True while a stream is open. */
  readonly connected: boolean;
}

/** One lease ID being kept alive (by one or more Lease objects). */
interface Entry {
  readonly id: LeaseId;
  readonly leases: Lease[];
  intervalMs: number;
  timer: NodeJS.Timeout | undefined;
}

/** A request sent on a stream and not answered yet: for which keepalive, and when (monotonic ms). */
interface Pending {
  readonly entry: Entry;
  readonly sentAt: number;
  /** Sent by a renewal tick (not by `add()` or a re-opened stream): the next tick is an interval later. */
  readonly byTick: boolean;
}

/** One attempt of the keepalive stream. */
class KeepAliveSession extends StreamSession<{ ID: bigint }> {
  /**
   * The unanswered requests of this stream per lease ID, oldest first: etcd answers a stream's
   * requests in order, one answer each, so an answer belongs to the oldest request of its ID.
   * Kept per stream (not per keepalive), so requests of a keepalive that was stopped and started
   * again while they were in flight still take their answers.
   */
  readonly pending = new Map<LeaseId, Pending[]>();
}

/**
 * Renewal cadence: a third of the TTL (as Go's client), 500 ms while the TTL is unknown, and at
 * most setTimeout's maximum (a TTL over ~74 days renews every ~24.8 days instead of spinning).
 */
function intervalFor(ttl: number): number {
  return ttl > 0 ? Math.min(MAX_TIMER_MS, Math.max(100, (ttl * 1000) / 3)) : 500;
}

/**
 * The one LeaseKeepAlive stream of a transport, shared by every kept-alive lease: renews each
 * lease every TTL/3 (one timer per lease), hands answers to the leases (TTL ≤ 0: lost), re-opens
 * the stream with backoff when it breaks, and re-opens it at once when a request has gone
 * unanswered for a whole renewal interval (a stuck connection), so a healthy endpoint can take
 * over before the lease's deadline.
 *
 * @example
 * ```ts
 * const hub = new KeepAliveHub(transport);
 * hub.add(lease);
 * hub.remove(lease);
 * ```
 */
export class KeepAliveHub {
  private readonly client: Client<typeof LeaseService>;
  private readonly entries = new Map<LeaseId, Entry>();
  private readonly stream: StreamHub<KeepAliveSession, LeaseKeepAliveResponse>;
  private requestsSent = 0;

  constructor(transport: Transport) {
    this.client = createRpcClient(LeaseService, transport);
    this.stream = new StreamHub<KeepAliveSession, LeaseKeepAliveResponse>({
      name: "keepalive",
      stream: "lease-keepalive",
      onEvent: transportEventListener(transport),
      createSession: () => {
        const session = new KeepAliveSession();
        for (const entry of this.entries.values()) this.send(session, entry);
        return session;
      },
      openCall: (session) => this.client.leaseKeepAlive(session.requests, { signal: session.abort.signal }),
      onResponse: (session, response) => this.onResponse(session, response),
      onBroken: (_session, error, terminal) => {
        // Re-opening cannot help: every kept-alive lease is lost with reason "closed".
        if (!terminal) return false;
        for (const entry of [...this.entries.values()]) for (const lease of [...entry.leases]) lease.markLost("closed", error);
        return true;
      },
      inUse: () => this.entries.size > 0,
    });
  }

  get stats(): KeepAliveStats {
    return {
      keepAlives: this.entries.size,
      streamsOpened: this.stream.streamsOpened,
      requestsSent: this.requestsSent,
      connected: this.stream.session !== undefined,
    };
  }

  has(lease: Lease): boolean {
    return this.entries.get(lease.id)?.leases.includes(lease) ?? false;
  }

  /** Starts renewing `lease` (no-op if it is renewed already). */
  add(lease: Lease): void {
    const existing = this.entries.get(lease.id);
    if (existing !== undefined) {
      if (!existing.leases.includes(lease)) existing.leases.push(lease);
      return;
    }
    const entry: Entry = { id: lease.id, leases: [lease], intervalMs: intervalFor(lease.ttl), timer: undefined };
    this.entries.set(lease.id, entry);
    this.schedule(entry);
    const session = this.stream.session;
    if (session !== undefined) this.send(session, entry);
    else this.stream.ensureOpen();
  }

  /** Stops renewing `lease`; closes the stream when nothing is left to renew. */
  remove(lease: Lease): void {
    const entry = this.entries.get(lease.id);
    if (entry === undefined) return;
    const at = entry.leases.indexOf(lease);
    if (at < 0) return;
    entry.leases.splice(at, 1);
    if (entry.leases.length > 0) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.entries.delete(lease.id);
    if (this.entries.size === 0) this.stream.stop();
  }

  private schedule(entry: Entry): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.tick(entry), entry.intervalMs);
  }

  private tick(entry: Entry): void {
    if (this.entries.get(entry.id) !== entry) return;
    entry.timer = refreshTimer(entry.timer, () => this.tick(entry), entry.intervalMs);
    const session = this.stream.session;
    if (session === undefined) return; // re-opening; the new stream renews every lease at once
    const oldest = session.pending.get(entry.id)?.[0];
    // Unanswered since an earlier tick (the timer's interval; its clock and the monotonic clock
    // round differently, so a send time can read a fraction of a ms short of it), or for a whole
    // interval: the stream (or its connection) is stuck. Noticing it at the first such tick
    // leaves an interval to renew elsewhere before the deadline (TTL = 3 intervals).
    if (oldest !== undefined && (oldest.byTick || monotonicNow() - oldest.sentAt >= entry.intervalMs)) {
      this.stream.broken(session, new EtcdError("keepalive stream stalled: no answer within a renewal interval", "unavailable", Code.Unavailable));
      return;
    }
    this.send(session, entry, true);
  }

  private send(session: KeepAliveSession, entry: Entry, byTick = false): void {
    const pending: Pending = { entry, sentAt: monotonicNow(), byTick };
    const queue = session.pending.get(entry.id);
    if (queue === undefined) session.pending.set(entry.id, [pending]);
    else queue.push(pending);
    this.requestsSent++;
    session.requests.push({ ID: entry.id });
  }

  private onResponse(session: KeepAliveSession, r: LeaseKeepAliveResponse): void {
    const queue = session.pending.get(r.ID);
    const pending = queue?.shift();
    if (queue !== undefined && queue.length === 0) session.pending.delete(r.ID);
    const entry = this.entries.get(r.ID);
    // An answer no request is waiting for has no known send time, and one to a request of a
    // keepalive that was stopped since (and maybe started again) belongs to that old keepalive:
    // neither may move a deadline. The next answer to the current keepalive tells the same.
    if (pending === undefined || entry === undefined || pending.entry !== entry) return;
    const sentAt = pending.sentAt;
    const ttl = Number(r.TTL);
    if (ttl <= 0) {
      for (const lease of [...entry.leases]) lease.markLost("expired");
      return;
    }
    const header = toResponseHeader(r.header);
    for (const lease of entry.leases) lease.renewed(sentAt, ttl, header);
    const interval = intervalFor(ttl);
    if (interval !== entry.intervalMs) {
      entry.intervalMs = interval;
      this.schedule(entry);
    }
  }
}
