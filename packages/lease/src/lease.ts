import type { Client } from "@connectrpc/connect";
import type { Lease as LeaseService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, isEtcdError, MAX_TIMER_MS, monotonicNow, type CallOptions, type EtcdError, type LeaseId, type ResponseHeader } from "@etcdkit/transport";
import { checkCallOptions, ReadableRecord, toEtcdError, toResponseHeader, unrefTimer } from "@etcdkit/transport/internal";
import type { KeepAliveHub } from "./keepalive-hub.js";
import { keepAliveOnce } from "./keepalive-once.js";
import { lossError, type LeaseLoss, type LeaseLossReason } from "./lease-loss.js";
import { RenewalStream, type LeaseRenewal } from "./lease-renewal.js";
import * as records from "./lease-records.js";
import type { LeaseRevokeResult } from "./lease-results.js";
import { fetchTimeToLive, type LeaseTimeToLive } from "./lease-time-to-live.js";

/**
 * Per-call options, like Go's context: `signal`, `timeoutMs` and `requireLeader` (see
 * `CallOptions` of `@etcdkit/transport`).
 *
 * @example
 * ```ts
 * await lease.revoke({ timeoutMs: 2000 });
 * await leases.timeToLive(id, { requireLeader: true });
 * ```
 */
export type LeaseCallOptions = CallOptions;

/**
 * What a Lease needs from the client that made it.
 *
 * @example
 * ```ts
 * const lease = new Lease(id, ttl, deadline, backend);
 * ```
 */
export interface LeaseBackend {
  readonly client: Client<typeof LeaseService>;
  readonly hub: KeepAliveHub;
  /** The lease is lost: stop tracking it. */
  forget(lease: Lease): void;
}

/**
 * A granted lease: its ID, keepalive on the transport's shared keepalive stream, and how it is
 * lost. `await using` revokes it. `JSON.stringify(lease)` and `console.log(lease)` show its state
 * (ID, TTL, deadline, whether it is kept alive, its loss, the grant's header).
 *
 * - `keepAlive()` renews it every TTL/3 until it is lost, revoked or `release()`d.
 * - It is **lost** (once, for good) when etcd says it is gone, when it is revoked, when the local
 *   deadline passes (last successful renewal's send time + TTL: no later than etcd could expire
 *   it), or when the client is closed. `lost` resolves (it never rejects) and `signal` aborts
 *   (its `reason` is the loss's error).
 * - Deadlines and times (`deadline`, `LeaseRenewal.at`/`deadline`, `LeaseLoss.at`) are on the
 *   monotonic clock (`monotonicNow()` from `@etcdkit/transport`, i.e. `performance.now()`), so a
 *   wall-clock step can neither keep a lease alive past etcd's expiry nor lose a healthy one.
 *   `remainingMs()` is the time left.
 *
 * @example
 * ```ts
 * await using lease = await leases.grant(5);
 * await kv.put("service/a", "up", { lease: lease.id });
 * lease.keepAlive();
 * await doWork({ signal: lease.signal }); // stops when the lease is lost
 * ```
 */
export class Lease extends ReadableRecord implements AsyncDisposable {
  readonly id: LeaseId;
  /**
   * The header of etcd's answer to the grant (who granted it, at which revision); undefined for
   * a lease from `attach()`.
   */
  readonly header: ResponseHeader | undefined;
  /**
   * Resolves once the lease is lost; never rejects. (The deadline timer behind it does not keep
   * the process alive by itself; an open keepalive or watch stream does: revoke or close kept-alive
   * leases, then close the transport, to let the process end.)
   */
  readonly lost: Promise<LeaseLoss>;

  private readonly backend: LeaseBackend;
  private readonly controller = new AbortController();
  private resolveLost!: (loss: LeaseLoss) => void;
  private lossValue: LeaseLoss | undefined = undefined;
  private ttlSeconds: number;
  private deadlineAt: number | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined = undefined;
  private latest: LeaseRenewal | undefined = undefined;
  private subscribers: Set<RenewalStream> | undefined = undefined;

  /** @internal Leases come from `LeaseClient.grant()` / `attach()`. */
  constructor(id: LeaseId, ttl: number, deadline: number | undefined, backend: LeaseBackend, header?: ResponseHeader) {
    super();
    this.id = id;
    this.header = header;
    this.ttlSeconds = ttl;
    this.deadlineAt = deadline;
    this.backend = backend;
    this.lost = new Promise<LeaseLoss>((resolve) => {
      this.resolveLost = resolve;
    });
    this.armDeadline();
  }

  /** The TTL in seconds, as granted or last renewed (0 when unknown, for an attached lease before any renewal). */
  get ttl(): number {
    return this.ttlSeconds;
  }

  /**
   * The local deadline, in ms on the monotonic clock (`monotonicNow()` from `@etcdkit/transport`,
   * not ms since the epoch): the lease counts as lost if no renewal comes back before it.
   * Undefined while unknown (an attached lease before its first renewal). See `remainingMs()`.
   */
  get deadline(): number | undefined {
    return this.deadlineAt;
  }

  /**
   * Milliseconds left until the local deadline (0 once it passed or the lease is lost), or
   * undefined while the deadline is unknown. For display as a wall-clock time:
   * `new Date(Date.now() + lease.remainingMs())`.
   *
   * @example
   * ```ts
   * if ((lease.remainingMs() ?? 0) < 1000) console.warn("lease about to expire");
   * ```
   */
  remainingMs(): number | undefined {
    if (this.lossValue !== undefined) return 0;
    if (this.deadlineAt === undefined) return undefined;
    return Math.max(0, this.deadlineAt - monotonicNow());
  }

  /** Aborted when the lease is lost; `signal.reason` is the loss's EtcdError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The loss, once lost. */
  get loss(): LeaseLoss | undefined {
    return this.lossValue;
  }

  /** The latest successful renewal. */
  get lastRenewal(): LeaseRenewal | undefined {
    return this.latest;
  }

  /** True while keepalive is renewing this lease. */
  get keepingAlive(): boolean {
    return this.backend.hub.has(this);
  }

  /**
   * Keeps the lease alive on the shared keepalive stream (renewing every TTL/3) until it is lost
   * or `release()`d; calling it again does not start a second keepalive. Returns the renewals as
   * an async iterable (newest first if the consumer is slow) that ends when the lease is lost;
   * breaking out of it does not stop the keepalive. Ignoring the result is fine. A kept-alive
   * lease keeps the process alive (an open stream, a timer) until it is lost, released, revoked
   * or its client closed.
   *
   * @example
   * ```ts
   * lease.keepAlive();
   * for await (const renewal of lease.keepAlive()) console.log("renewed for", renewal.ttl, "s");
   * ```
   */
  keepAlive(): AsyncIterableIterator<LeaseRenewal> {
    const stream = new RenewalStream((s) => this.subscribers?.delete(s));
    if (this.lossValue !== undefined) {
      stream.end();
      return stream;
    }
    (this.subscribers ??= new Set()).add(stream);
    this.backend.hub.add(this);
    return stream;
  }

  /** Stops renewing the lease (without revoking it); it then expires after its TTL and `lost` settles with "deadline". */
  release(): void {
    this.backend.hub.remove(this);
  }

  /**
   * Renews the lease once, on a short stream of its own. Retries (up to 5 attempts, with backoff)
   * when the stream fails with "unavailable", "timeout", "no-leader" and the like, as Go's client
   * does; the retries and their backoff stay inside `signal` and `timeoutMs`. It is a stream, so
   * the transport's default timeout does not bound it: without `timeoutMs` it waits until an
   * answer, a retry limit, or the connection is found dead. Throws EtcdError "lease-not-found"
   * when etcd no longer has the lease (it is then lost with reason "expired"), "deadline-exceeded"
   * / "canceled", or the last retryable error after 5 attempts.
   *
   * @example
   * ```ts
   * const { ttl } = await lease.keepAliveOnce();
   * ```
   */
  async keepAliveOnce(options?: LeaseCallOptions): Promise<LeaseRenewal> {
    const result = await keepAliveOnce(this.backend.client, this.id, options);
    if (result.ttl <= 0) {
      const error = lossError("expired", this.id, this.ttlSeconds);
      this.markLost("expired");
      throw error;
    }
    return this.renewed(result.sentAt, result.ttl, result.header) ?? this.toRenewal(result.sentAt, result.ttl, result.header);
  }

  /**
   * Revokes the lease (etcd deletes its keys) and stops keepalive; the lease is lost with reason
   * "revoked". Throws EtcdError "lease-not-found" if it had expired already (lost: "expired"), or
   * a transport error. A revoke is retried when an attempt's answer was lost; if the retry then
   * finds the lease gone ("lease-not-found" with `outcomeUnknown`), the earlier attempt revoked
   * it or it expired: gone either way, so this resolves and the lease is lost as "revoked".
   * A failure with `outcomeUnknown` and another reason ("deadline-exceeded", "timeout", ...)
   * leaves it open whether etcd revoked it; keepalive is stopped either way, so the lease is lost
   * at its deadline at the latest. Resolves with the header of etcd's answer (none after such a
   * retry).
   *
   * @example
   * ```ts
   * await lease.revoke();
   * ```
   */
  async revoke(options?: LeaseCallOptions): Promise<LeaseRevokeResult> {
    checkCallOptions(options); // before the keepalive stops
    this.backend.hub.remove(this);
    let header: ResponseHeader | undefined;
    try {
      header = toResponseHeader((await this.backend.client.leaseRevoke({ ID: this.id }, connectCallOptions(options))).header);
    } catch (err) {
      const error = toEtcdError(err);
      if (!isEtcdError(error, "lease-not-found")) throw error;
      if (!error.outcomeUnknown) {
        this.markLost("expired");
        throw error;
      }
    }
    this.markLost("revoked");
    return new records.LeaseRevokeResult(header);
  }

  /**
   * Asks etcd for the lease's remaining TTL (and its keys with `keys: true`). A lease etcd does
   * not have comes back with `expired: true` (and is marked lost with "expired").
   * Throws transport errors ("unavailable", "deadline-exceeded", ...).
   *
   * @example
   * ```ts
   * const { ttl, keys } = await lease.timeToLive({ keys: true });
   * ```
   */
  async timeToLive(options?: LeaseCallOptions & { readonly keys?: boolean }): Promise<LeaseTimeToLive> {
    const info = await fetchTimeToLive(this.backend.client, this.id, options);
    if (info.expired) this.markLost("expired");
    return info;
  }

  /**
   * Revokes the lease unless it is already gone (expired or revoked). "lease-not-found" and
   * "transport-closed" are ignored (the lease expires by itself then); other errors are thrown.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.backend.hub.remove(this);
    if (this.lossValue !== undefined && this.lossValue.reason !== "deadline" && this.lossValue.reason !== "closed") return;
    try {
      await this.revoke();
    } catch (err) {
      if (!isEtcdError(err, ["lease-not-found", "transport-closed"])) throw err;
    }
  }

  /**
   * @internal A keepalive sent at `sentAt` (monotonic ms) came back with `ttl` seconds. Returns the
   * renewal, or undefined if lost.
   */
  renewed(sentAt: number, ttl: number, header: ResponseHeader): LeaseRenewal | undefined {
    if (this.lossValue !== undefined) return undefined;
    const renewal = this.toRenewal(sentAt, ttl, header);
    this.ttlSeconds = ttl;
    if (this.deadlineAt === undefined || renewal.deadline > this.deadlineAt) this.deadlineAt = renewal.deadline;
    this.latest = renewal;
    if (this.subscribers !== undefined) for (const s of this.subscribers) s.offer(renewal);
    this.armDeadline();
    return renewal;
  }

  /** @internal Marks the lease lost (once): stops keepalive, ends renewal streams, settles `lost`, aborts `signal`. */
  markLost(reason: LeaseLossReason, cause?: EtcdError): void {
    if (this.lossValue !== undefined) return;
    const loss: LeaseLoss = new records.LeaseLoss(reason, lossError(reason, this.id, this.ttlSeconds, cause), monotonicNow());
    this.lossValue = loss;
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.backend.hub.remove(this);
    this.backend.forget(this);
    if (this.subscribers !== undefined) for (const s of this.subscribers) s.end();
    this.subscribers = undefined;
    this.resolveLost(loss);
    this.controller.abort(loss.error);
  }

  private toRenewal(sentAt: number, ttl: number, header: ResponseHeader): LeaseRenewal {
    return new records.LeaseRenewal(this.id, ttl, monotonicNow(), sentAt + ttl * 1000, header);
  }

  /** What `JSON.stringify(lease)` and `console.log(lease)` show: the lease's state, not its client. */
  protected override readableFields(): object {
    return {
      id: this.id,
      ttl: this.ttlSeconds,
      deadline: this.deadlineAt,
      remainingMs: this.remainingMs(),
      keepingAlive: this.keepingAlive,
      loss: this.lossValue?.reason,
      header: this.header,
    };
  }

  /**
   * One timer per lease, at the deadline. Renewals only move `deadlineAt`; the timer re-arms
   * itself when it fires early, so a renewal costs no timer operation. A deadline further away
   * than setTimeout's maximum (2^31-1 ms, ~24.8 days) is reached in steps of at most that.
   */
  private armDeadline(): void {
    if (this.deadlineTimer !== undefined || this.deadlineAt === undefined || this.lossValue !== undefined) return;
    const fire = (): void => {
      this.deadlineTimer = undefined;
      const remaining = (this.deadlineAt ?? 0) - monotonicNow();
      if (remaining <= 0) this.markLost("deadline");
      else this.deadlineTimer = unrefTimer(setTimeout(fire, Math.min(MAX_TIMER_MS, remaining)));
    };
    this.deadlineTimer = unrefTimer(setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, this.deadlineAt - monotonicNow()))));
  }
}
