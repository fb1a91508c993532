import type { Transport } from "@connectrpc/connect";
import { createKV, type KV } from "@etcdkit/kv";
import { createLease, type Lease, type LeaseClient } from "@etcdkit/lease";
import { EtcdError, isEtcdError, type LeaseId } from "@etcdkit/transport";
import {
  checkCallOptions,
  checkInt64,
  checkOptionsObject,
  checkTransport,
  invalidArgumentError,
  toEtcdError,
} from "@etcdkit/transport/internal";
import { createWatch, type Watcher } from "@etcdkit/watch";
import { integerOption } from "./arguments.js";
import { sessionExpiredError } from "./errors.js";
import { LocalLocks } from "./local-locks.js";
import type { WaitOptions } from "./wait-scope.js";

/**
 * Go's default session TTL, in seconds: what `createSession` grants without a `ttl`.
 *
 * @example
 * ```ts
 * const session = await createSession(transport); // session.ttl === DEFAULT_SESSION_TTL
 * ```
 */
export const DEFAULT_SESSION_TTL = 60;

/**
 * Options of `createSession`.
 *
 * @example
 * ```ts
 * const options: SessionOptions = { ttl: 10, timeoutMs: 5_000 };
 * ```
 */
export interface SessionOptions extends WaitOptions {
  /** Lease TTL in seconds (default 60). etcd may raise a small TTL to its minimum. */
  readonly ttl?: number;
  /**
   * Adopt this existing lease instead of granting one (e.g. a restarted process reclaiming its
   * locks or leadership): it is renewed once at once ("lease-not-found" when it is gone), then
   * kept alive. Locks and campaigns of the session then find the keys they held before.
   */
  readonly lease?: LeaseId;
}

/**
 * Why a session ended: `"expired"` (etcd no longer has the lease), `"revoked"` (revoked through
 * this client), `"deadline"` (no renewal came back before the last renewal's send time + TTL),
 * `"closed"` (`close()`, or the transport closed) or `"orphaned"` (`orphan()`).
 *
 * @example
 * ```ts
 * const { reason } = await session.lost; // "deadline"
 * ```
 */
export type SessionLossReason = "expired" | "revoked" | "deadline" | "closed" | "orphaned";

/**
 * How and when a session ended. `error` is an EtcdError "session-expired" whose `cause` is the
 * lease's own loss error; it is also `session.signal.reason`.
 *
 * @example
 * ```ts
 * session.lost.then(({ reason, error }) => console.log(reason, error.reason));
 * ```
 */
export interface SessionLoss {
  readonly reason: SessionLossReason;
  readonly error: EtcdError;
  /** Wall-clock time of the loss (ms since the epoch), for display. */
  readonly at: number;
}

/**
 * A lease kept alive for the lifetime of a process: the liveness behind locks, elections and the
 * session-bound recipes. Keys they create are attached to the lease, so etcd deletes them when
 * the session ends (revoked, or expired after the process stopped renewing).
 *
 * `lost` / `signal` fire once, at the first of: etcd says the lease is gone, it is revoked,
 * no renewal came back before the last renewal's send time + TTL (measured on the monotonic
 * clock, so never later than etcd itself could expire it), `close()`, `orphan()`, or the
 * transport closed. Every wait of a lock or campaign on the session ends at once then, with
 * "session-expired".
 *
 * @example
 * ```ts
 * await using session = await createSession(transport, { ttl: 10 });
 * session.lost.then(({ reason }) => console.log("session lost:", reason));
 * ```
 */
export class Session implements AsyncDisposable {
  /** The transport the session's locks, elections and recipes talk through. */
  readonly transport: Transport;
  /** Resolves (never rejects) when the session ends. */
  readonly lost: Promise<SessionLoss>;
  /** @internal KV on the session's transport. */
  readonly kv: KV;
  /** @internal Watches on the session's transport (the shared watch stream). */
  readonly watcher: Watcher;
  /** @internal This session's own queue per lock key. */
  readonly locals = new LocalLocks();

  private readonly controller = new AbortController();
  private resolveLost!: (loss: SessionLoss) => void;
  private lossValue: SessionLoss | undefined;
  private closing: Promise<void> | undefined;

  /** @internal Sessions come from `createSession`. */
  constructor(
    transport: Transport,
    private readonly leases: LeaseClient,
    private readonly leaseHandle: Lease,
  ) {
    this.transport = transport;
    this.kv = createKV(transport);
    this.watcher = createWatch(transport);
    this.lost = new Promise<SessionLoss>((resolve) => (this.resolveLost = resolve));
    void leaseHandle.lost.then((loss) => this.markLost(loss.reason, loss.error));
  }

  /** The session's lease ID; its keys carry it. */
  get leaseId(): LeaseId {
    return this.leaseHandle.id;
  }

  /** The lease's TTL in seconds, as granted (etcd may raise a small TTL) or last renewed. */
  get ttl(): number {
    return this.leaseHandle.ttl;
  }

  /**
   * Milliseconds until the session's lease could expire at the latest: its local deadline (the
   * last successful renewal's send time + TTL, on the monotonic clock) minus now; 0 once the
   * session ended. etcd cannot expire the lease before then, so state guarded by it (a lock, a
   * cache) is safe to rely on while this is comfortably above 0.
   *
   * @example
   * ```ts
   * if (session.remainingMs() < 1_000) console.warn("session about to expire");
   * ```
   */
  remainingMs(): number {
    if (this.lossValue !== undefined) return 0;
    return this.leaseHandle.remainingMs() ?? 0;
  }

  /** Aborted when the session ends; `reason` is the loss's "session-expired" EtcdError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The loss, once the session ended. */
  get loss(): SessionLoss | undefined {
    return this.lossValue;
  }

  /**
   * Ends the session and revokes its lease, so etcd deletes its keys at once (releasing its locks
   * and leaderships). Idempotent. A lease etcd no longer has is fine. Throws transport errors
   * ("unavailable", "deadline-exceeded", ...): the lease then expires by itself within its TTL.
   * `timeoutMs` defaults to the TTL (after that the lease has expired anyway).
   *
   * @example
   * ```ts
   * await session.close();
   * ```
   */
  close(options?: WaitOptions): Promise<void> {
    checkCallOptions(options);
    this.closing ??= this.revoke(options);
    return this.closing;
  }

  /**
   * Stops renewing the lease without revoking it (Go's `Orphan`): the session counts as ended
   * ("orphaned") at once, and etcd expires the lease and its keys after its TTL. Use it to hand
   * the lease to another process (`createSession(transport, { lease: id })`).
   *
   * @example
   * ```ts
   * const id = session.leaseId;
   * session.orphan();
   * ```
   */
  orphan(): void {
    this.leaseHandle.release();
    this.markLost("orphaned", undefined);
  }

  /** `close()`, ignoring "transport-closed" and a lease that is already gone. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.close();
    } catch (err) {
      if (!isEtcdError(err, ["transport-closed", "lease-not-found"])) throw err;
    }
  }

  private async revoke(options: WaitOptions | undefined): Promise<void> {
    const wasLost = this.lossValue;
    this.leaseHandle.release();
    this.markLost("closed", undefined);
    try {
      if (wasLost?.reason !== "expired" && wasLost?.reason !== "revoked") {
        await this.leaseHandle.revoke({ signal: options?.signal, timeoutMs: options?.timeoutMs ?? Math.max(1, this.leaseHandle.ttl) * 1000 });
      }
    } catch (err) {
      if (!isEtcdError(err, "lease-not-found")) throw toEtcdError(err);
    } finally {
      await this.leases.close();
      await this.watcher.close();
    }
  }

  private markLost(reason: SessionLossReason, cause: EtcdError | undefined): void {
    if (this.lossValue !== undefined) return;
    const detail =
      reason === "orphaned" || reason === "closed"
        ? `session of lease ${this.leaseHandle.id.toString(16)} ${reason}`
        : `lease ${this.leaseHandle.id.toString(16)} lost (${reason})`;
    const loss: SessionLoss = { reason, error: sessionExpiredError(detail, cause), at: Date.now() };
    this.lossValue = loss;
    this.resolveLost(loss);
    this.controller.abort(loss.error);
  }
}

/**
 * Starts a session: grants a lease of `ttl` seconds (default 60) — or adopts `lease` — and keeps
 * it alive on the transport's shared keepalive stream.
 *
 * Throws before any I/O "invalid-argument" (a non-transport, a TTL that is not a positive
 * integer, a lease ID that is not a positive int64 bigint, malformed options) or
 * "deadline-exceeded" (`timeoutMs <= 0`); then "lease-not-found" (an adopted lease is gone) and
 * the transport's errors.
 *
 * @example
 * ```ts
 * await using session = await createSession(transport, { ttl: 10 });
 * const mutex = createMutex(session, "locks/orders");
 * ```
 */
export async function createSession(transport: Transport, options?: SessionOptions): Promise<Session> {
  checkTransport(transport, "createSession");
  checkOptionsObject(options);
  checkCallOptions(options);
  const ttl = integerOption(options?.ttl, "createSession: ttl", 1, 2 ** 31 - 1, DEFAULT_SESSION_TTL);
  if (options?.lease !== undefined) {
    checkInt64(options.lease, "createSession: lease");
    if (options.lease <= 0n) throw invalidArgumentError("createSession: lease must be a positive lease ID");
  }
  if (options?.timeoutMs !== undefined && options.timeoutMs <= 0) {
    throw new EtcdError("createSession: timeoutMs leaves no time", "deadline-exceeded");
  }
  const leases = createLease(transport);
  const call = { signal: options?.signal, timeoutMs: options?.timeoutMs };
  let lease: Lease;
  try {
    if (options?.lease === undefined) {
      lease = await leases.grant(ttl, { ...call, keepAlive: true });
    } else {
      lease = leases.attach(options.lease, { ttl: options.ttl ?? 0 });
      await lease.keepAliveOnce(call);
      lease.keepAlive();
    }
  } catch (err) {
    await leases.close();
    throw toEtcdError(err);
  }
  return new Session(transport, leases, lease);
}
