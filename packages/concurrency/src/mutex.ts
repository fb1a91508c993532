import { compare, op, type Comparison } from "@etcdkit/kv";
import { type Revision } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import { checkName } from "./arguments.js";
import { lockedError } from "./errors.js";
import { HeldLock } from "./held-lock.js";
import { cleanUpInBackground, deleteOwnKey, ownership, sessionKey } from "./queue-key.js";
import { Session } from "./session.js";
import { readAhead, waitForTurn, type QueueAhead, type QueuePlace } from "./wait-turn.js";
import { WaitScope, type WaitOptions } from "./wait-scope.js";

/**
 * A distributed lock on etcd, as Go's `concurrency.Mutex`, with the fixes Go lacks. Waiters queue
 * by the create revision of their key `<name>/<lease hex>`; the oldest key holds the lock.
 *
 * - `lock()` takes it in one round trip when it is free; otherwise it waits on its **immediate
 *   predecessor** only (a release wakes one waiter, never a herd), watching from the revision it
 *   read, so a release in between is not missed.
 * - After waiting it re-checks that its own key still exists (etcd-io/etcd#11456): a waiter whose
 *   session ended fails "session-expired" instead of believing it holds the lock. A session that
 *   ends while `lock()` waits fails it at once.
 * - `unlock()` deletes the key only while it is this acquisition's incarnation
 *   (etcd-io/etcd#22082): a late or retried unlock never releases a newer acquisition.
 * - Calls of one session on one mutex name queue locally, one after the other (Go's would share
 *   the key and both believe they hold the lock).
 *
 * Locks on leases are advisory: a holder that pauses past its TTL loses the lock without
 * knowing. Guard writes with `held.isOwner()` (etcd checks it) or pass `held.revision`, the
 * fencing token, to the protected resource.
 *
 * @example
 * ```ts
 * const mutex = createMutex(session, "locks/orders");
 * {
 *   await using held = await mutex.lock({ timeoutMs: 10_000 });
 *   await kv.txn().if(held.isOwner()).then(op.put("orders/1", "paid")).commit();
 * } // unlocked here
 * ```
 */
export class Mutex {
  readonly session: Session;
  readonly name: string;
  /** The key this session queues with: `<name>/<lease hex>`. */
  readonly key: string;
  private readonly queue: string;
  private current: HeldLock | undefined;

  /** @internal Use `createMutex`. */
  constructor(session: Session, name: string) {
    this.session = session;
    this.name = name;
    this.queue = `${name}/`;
    this.key = sessionKey(name, session.leaseId);
  }

  /** The acquisition made through this Mutex that is not released yet. */
  get held(): HeldLock | undefined {
    return this.current;
  }

  /**
   * Acquires the lock, waiting in line for as long as `signal` / `timeoutMs` allow.
   *
   * Throws "invalid-argument" (malformed options), "deadline-exceeded" (`timeoutMs <= 0`) and
   * "canceled" (an aborted signal) before any I/O; "session-expired" at once when the session has
   * ended or ends while waiting, or when the own key was deleted; "deadline-exceeded" /
   * "canceled" when the wait is cut short; and the transport's errors. When it fails after
   * queuing, its key is removed in the background.
   *
   * @example
   * ```ts
   * await using held = await mutex.lock({ signal, timeoutMs: 30_000 });
   * console.log("fencing token", held.revision);
   * ```
   */
  async lock(options?: WaitOptions): Promise<HeldLock> {
    return this.acquire(options, false);
  }

  /**
   * Acquires the lock if it is free, else fails "locked" at once (removing its own key). One
   * round trip when free. Also "locked" when another call of this session holds or waits for it.
   * Other errors as `lock()`.
   *
   * @example
   * ```ts
   * try {
   *   await using held = await mutex.tryLock();
   * } catch (err) {
   *   if (isEtcdError(err, "locked")) console.log("busy");
   * }
   * ```
   */
  async tryLock(options?: WaitOptions): Promise<HeldLock> {
    return this.acquire(options, true);
  }

  /**
   * A txn guard that holds while this Mutex's current acquisition holds the lock; it never holds
   * when there is none. Prefer `held.isOwner()`, bound to one acquisition.
   *
   * @example
   * ```ts
   * await kv.txn().if(mutex.isOwner()).then(op.put("orders/1", "paid")).commit();
   * ```
   */
  isOwner(): Comparison {
    return this.current?.isOwner() ?? ownership(this.key, undefined);
  }

  private async acquire(options: WaitOptions | undefined, once: boolean): Promise<HeldLock> {
    using scope = WaitScope.open(options, once ? "tryLock" : "lock", this.session);
    if (once && this.session.locals.busy(this.key)) throw lockedError(this.name);
    const releaseLocal = await this.session.locals.acquire(this.key, (p) => scope.race(p));
    let revision: Revision | undefined;
    try {
      const queued = await this.enqueue(scope);
      revision = queued.revision;
      const place: QueuePlace = { kv: this.session.kv, watcher: this.session.watcher, queue: this.queue, key: this.key, revision };
      const first = queued.ahead ?? (await readAhead(place, scope, undefined));
      if (once && first.predecessor !== undefined) {
        const leftAt = revision;
        revision = undefined;
        await deleteOwnKey(this.session, this.key, leftAt, scope.callOptions()).then(releaseLocal, () =>
          cleanUpInBackground(this.session, this.key, leftAt, releaseLocal),
        );
        throw lockedError(this.name);
      }
      const heldAt = await waitForTurn(place, scope, first);
      const held = new HeldLock(this.session, this.key, revision, heldAt, () => {
        if (this.current === held) this.current = undefined;
        releaseLocal();
      });
      this.current = held;
      return held;
    } catch (err) {
      const error = scope.error(err);
      if (error.reason !== "locked") cleanUpInBackground(this.session, this.key, revision, releaseLocal);
      throw error;
    }
  }

  /**
   * Puts the session's key in the queue (or finds it there, for an adopted lease) and reads its
   * predecessor in the same txn: one round trip.
   */
  private async enqueue(scope: WaitScope): Promise<{ revision: Revision; ahead: QueueAhead | undefined }> {
    const result = await this.session.kv
      .txn()
      .if(compare.missing(this.key))
      .then(
        op.put(this.key, "", { lease: this.session.leaseId }),
        op.get(this.queue, { prefix: true, sort: { target: "createRevision", order: "descend" }, limit: 2, keysOnly: true }),
      )
      .else(op.get(this.key, { keysOnly: true }))
      .commit(scope.callOptions());
    if (result.succeeded) {
      const revision = result.revision;
      const predecessor = result.responses[1].kvs.find((kv) => kv.createRevision < revision);
      return { revision, ahead: { revision, predecessor } };
    }
    const existing = result.responses[0].kvs[0];
    if (existing === undefined) throw invalidArgumentError("unreachable: the txn's guard saw the key");
    return { revision: existing.createRevision, ahead: undefined };
  }
}

/**
 * Creates a Mutex named `name` (its keys live under `<name>/`) on a session. Throws
 * "invalid-argument" for a non-session or an empty name, before any I/O.
 *
 * @example
 * ```ts
 * const mutex = createMutex(session, "locks/orders");
 * await using held = await mutex.lock();
 * ```
 */
export function createMutex(session: Session, name: string): Mutex {
  checkSession(session, "createMutex");
  return new Mutex(session, checkName(name, "createMutex"));
}

/**
 * Throws "invalid-argument" unless `session` is a Session.
 *
 * @example
 * ```ts
 * checkSession(session, "createElection");
 * ```
 */
export function checkSession(session: unknown, where: string): asserts session is Session {
  if (!(session instanceof Session)) throw invalidArgumentError(`${where}: expected a Session from createSession()`);
}
