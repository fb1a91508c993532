import type { Transport } from "@connectrpc/connect";
import { createSession, type Session } from "@etcdkit/concurrency";
import type { KV } from "@etcdkit/kv";
import { EtcdError, isEtcdError, monotonicNow, type LeaseId, type Revision } from "@etcdkit/transport";
import type { Watch, Watcher } from "@etcdkit/watch";
import { backgroundDelay } from "./background-delay.js";
import { CallScope } from "./call-scope.js";
import type { LeaseCache } from "./lease-cache.js";
import { applyOwnershipEvents, rescind, type OwnershipContext } from "./ownership-events.js";
import type { OwnershipLayout } from "./ownership-layout.js";
import type { ResolvedLeasingOptions } from "./leasing-options.js";
import type { LeasingCounters } from "./leasing-stats.js";

/**
 * The session a cache belongs to: its lease (the ownership keys' lease) and the watch on the
 * ownership prefix that keeps the cache coherent, registered before any key is acquired.
 *
 * @example
 * ```ts
 * const active = keeper.alive();
 * if (active) console.log(active.leaseId);
 * ```
 */
export interface ActiveSession {
  readonly session: Session;
  readonly leaseId: LeaseId;
  readonly watch: Watch;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Keeps a session for a leasing KV: opens one (lease + ownership watch), and when it ends — the
 * lease lost (etcd says so, or no renewal before its local deadline) or the watch broken — drops
 * the whole cache at once, revokes the old lease (so its ownership keys go and waiting writers
 * proceed), and opens a new session in the background, with backoff, until `close()`.
 *
 * @example
 * ```ts
 * const keeper = new SessionKeeper(transport, kv, watcher, layout, cache, options, counters);
 * await keeper.start({ timeoutMs: 5_000 });
 * ```
 */
export class SessionKeeper {
  private active: ActiveSession | undefined;
  private closed = false;
  private readonly ownLeases = new Set<LeaseId>();
  private readonly closer = new AbortController();
  private reopening: Promise<void> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly kv: KV,
    private readonly watcher: Watcher,
    private readonly layout: OwnershipLayout,
    private readonly cache: LeaseCache,
    private readonly options: ResolvedLeasingOptions,
    private readonly counters: LeasingCounters,
  ) {}

  /** Aborted by `close()` (its reason: the EtcdError "canceled" calls then fail with). */
  get closedSignal(): AbortSignal {
    return this.closer.signal;
  }

  /** The session, when there is one and its lease is provably alive for longer than the safety margin. */
  alive(): ActiveSession | undefined {
    const active = this.active;
    return active !== undefined && active.session.remainingMs() > this.options.safetyMarginMs ? active : undefined;
  }

  /** The current session's lease, provably alive or not (undefined between sessions). */
  currentLease(): LeaseId | undefined {
    return this.active?.leaseId;
  }

  /** Opens the first session; throws what opening it threw. */
  async start(scope: CallScope): Promise<void> {
    await this.open(scope);
  }

  /** Drops the cache, ends the session and revokes its lease (every ownership key goes). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closer.abort(new EtcdError("the leasing KV was closed", "canceled"));
    const active = this.active;
    this.active = undefined;
    this.cache.clear();
    if (active === undefined) return;
    active.watch.cancel();
    await active.session.close();
  }

  private async open(scope: CallScope): Promise<ActiveSession> {
    const sessionOptions = Object.assign(scope.request(), { ttl: this.options.ttl }); // no prototype: nothing inherited
    const session = await createSession(this.transport, sessionOptions);
    let watch: Watch | undefined;
    try {
      watch = this.watcher.watch(this.layout.prefix, { prefix: true, signal: this.closer.signal });
      await untilReady(watch, scope);
      if (this.closed) throw this.closer.signal.reason as EtcdError;
    } catch (err) {
      watch?.cancel();
      await session.close().catch(() => undefined);
      throw err;
    }
    const active: ActiveSession = { session, leaseId: session.leaseId, watch };
    this.ownLeases.add(active.leaseId);
    this.active = active;
    this.counters.sessions++;
    void this.consume(active);
    void session.lost.then(() => this.lose(active));
    return active;
  }

  /** Applies the ownership watch to the cache until it ends; its end ends the session. */
  private async consume(active: ActiveSession): Promise<void> {
    const context: OwnershipContext = {
      cache: this.cache,
      layout: this.layout,
      leaseId: active.leaseId,
      ownLeases: this.ownLeases,
      rescind: (key, revision) => this.giveUp(key, revision),
    };
    try {
      for await (const batch of active.watch) {
        if (this.active !== active) break;
        applyOwnershipEvents(batch, context);
      }
    } catch {
      // compacted, canceled by etcd, ...: events may be missed, so the session (and cache) ends.
    }
    this.lose(active);
  }

  private giveUp(ownershipKey: Uint8Array, revokeRevision: Revision): void {
    this.counters.released++;
    void rescind(this.kv, ownershipKey, revokeRevision, this.closer.signal);
  }

  /** The session ended: drop the cache at once, revoke the lease in the background, open a new one. */
  private lose(active: ActiveSession): void {
    if (this.active !== active) return;
    this.active = undefined;
    this.cache.clear();
    active.watch.cancel();
    void active.session.close().catch(() => undefined);
    if (!this.closed) this.reopening ??= this.reopen().finally(() => (this.reopening = undefined));
  }

  private async reopen(): Promise<void> {
    let delayMs = FIRST_RETRY_MS;
    while (!this.closed && this.active === undefined) {
      try {
        await this.open(new CallScope({ timeoutMs: this.options.ttl * 1000 }, this.closer.signal));
        return;
      } catch (err) {
        if (isEtcdError(err, "transport-closed")) return; // nothing can reach etcd any more
        await backgroundDelay(delayMs, this.closer.signal);
        delayMs = Math.min(delayMs * 2, MAX_RETRY_MS);
      }
    }
  }
}

/** Waits for the watch to be registered, within the call's deadline and signal. */
async function untilReady(watch: Watch, scope: CallScope): Promise<Revision> {
  const bound = scope.waitUntil(Infinity);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    onAbort = () => reject(scope.signal.reason);
    scope.signal.addEventListener("abort", onAbort, { once: true });
    if (bound !== Infinity) {
      timer = setTimeout(() => reject(new EtcdError("the ownership watch was not registered before the deadline", "deadline-exceeded")), Math.max(0, bound - monotonicNow()));
    }
  });
  try {
    return await Promise.race([watch.ready, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) scope.signal.removeEventListener("abort", onAbort);
  }
}
