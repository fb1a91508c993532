import type { Comparison } from "@etcdkit/kv";
import { checkCallOptions, isEtcdError, toEtcdError, type Revision } from "@etcdkit/transport";
import { deleteOwnKey, ownership } from "./queue-key.js";
import type { Session } from "./session.js";
import type { WaitOptions } from "./wait-scope.js";

/**
 * One acquisition of a Mutex (or of an RWMutex side). `revision` — the create revision of the
 * lock key — is its **fencing token**: it grows with every acquisition of the lock, so a
 * protected resource that remembers the highest token it accepted can refuse a holder that lost
 * the lock while paused. `isOwner()` is the same check done by etcd: a txn guarded by it applies
 * only while this acquisition still holds the lock.
 *
 * `unlock()` (or `await using`) releases it: it deletes the lock key only while the key is still
 * this acquisition's incarnation (same create revision), so a late or retried unlock can never
 * release a later acquisition of the same session. After an unlock that failed ("unavailable",
 * "outcome-unknown", a deadline...), calling `unlock()` again is safe.
 *
 * @example
 * ```ts
 * await using held = await mutex.lock({ timeoutMs: 10_000 });
 * const { succeeded } = await kv.txn().if(held.isOwner()).then(op.put("orders/1", "paid")).commit();
 * ```
 */
export class HeldLock implements AsyncDisposable {
  /** The lock key (`<name>/<lease hex>`, or a reader's / writer's key for RWMutex). */
  readonly key: string;
  /** The fencing token: the lock key's create revision. */
  readonly revision: Revision;
  /** The store revision at which the lock was found held. */
  readonly acquiredAt: Revision;

  private releasedFlag = false;
  private unlocking: Promise<boolean> | undefined;

  /** @internal Locks come from `Mutex.lock()` / `tryLock()` and the RWMutex. */
  constructor(
    private readonly session: Session,
    key: string,
    revision: Revision,
    acquiredAt: Revision,
    private readonly onRelease: () => void,
  ) {
    this.key = key;
    this.revision = revision;
    this.acquiredAt = acquiredAt;
  }

  /** True once `unlock()` succeeded. */
  get released(): boolean {
    return this.releasedFlag;
  }

  /**
   * A txn guard that holds while this acquisition holds the lock (the key still exists with
   * create revision `revision`). It never holds after `unlock()` or once the session's lease is
   * gone (etcd deletes the key).
   *
   * @example
   * ```ts
   * await kv.txn().if(held.isOwner()).then(op.put("resource", "v")).commit();
   * ```
   */
  isOwner(): Comparison {
    return ownership(this.key, this.revision);
  }

  /**
   * Releases the lock. Resolves true when it deleted the lock key, false when the key was already
   * gone (the session's lease ended, or someone deleted it: the lock had been lost). Idempotent
   * once it succeeded. Throws "invalid-argument" / "deadline-exceeded" (before I/O) for bad
   * options, and the transport's errors; then the lock stays held and `unlock()` may be retried.
   *
   * @example
   * ```ts
   * const deleted = await held.unlock({ timeoutMs: 2000 });
   * ```
   */
  unlock(options?: WaitOptions): Promise<boolean> {
    if (this.releasedFlag) return Promise.resolve(false);
    checkCallOptions(options);
    const call = { signal: options?.signal, timeoutMs: options?.timeoutMs };
    const unlocking = (this.unlocking ??= deleteOwnKey(this.session, this.key, this.revision, call).then(
      (deleted) => {
        this.releasedFlag = true;
        this.onRelease();
        return deleted;
      },
      (err: unknown) => {
        this.unlocking = undefined;
        throw toEtcdError(err);
      },
    ));
    return unlocking;
  }

  /**
   * `unlock()`. When it fails after the session ended, or because the transport closed, the error
   * is dropped (the lease takes the key with it); other errors are thrown.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.unlock();
    } catch (err) {
      if (this.session.signal.aborted || isEtcdError(err, "transport-closed")) return;
      throw err;
    }
  }
}
