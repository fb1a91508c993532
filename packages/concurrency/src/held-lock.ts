import type { Comparison } from "@etcdkit/kv";
import { isEtcdError, type Revision } from "@etcdkit/transport";
import { ownership, releaseKey } from "./queue-key.js";
import type { Session } from "./session.js";
import { WaitScope, type WaitOptions } from "./wait-scope.js";

/**
 * One acquisition of a Mutex (or of an RWMutex side). `revision` — the create revision of the
 * lock key — is its **fencing token**: it grows with every acquisition of the lock, so a
 * protected resource that remembers the highest token it accepted can refuse a holder that lost
 * the lock while paused. `isOwner()` is the same check done by etcd: a txn guarded by it applies
 * only while this acquisition still holds the lock.
 *
 * `unlock()` (or `await using`) releases it: it deletes the lock key only while the key is still
 * this acquisition's incarnation (same create revision), so a late or retried unlock can never
 * release a later acquisition of the same session. A delete that fails is sent again until it
 * succeeds or the session ends, so a lock is never left behind while its session lives.
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
  private releasing: Promise<boolean> | undefined;

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
   * Releases the lock: deletes the lock key, only this acquisition's incarnation. Resolves true
   * when it deleted it, false when the key was already gone (the lock had been lost: the lease
   * ended, or someone deleted the key). Idempotent.
   *
   * When etcd cannot be reached the delete is sent again (it is fenced, so that is safe) until it
   * succeeds or the session ends; `signal` / `timeoutMs` bound only the wait of this call, which
   * then fails "canceled" / "deadline-exceeded" while the release goes on in the background (the
   * session's next lock of this name waits for it). Throws "invalid-argument" for bad options.
   *
   * @example
   * ```ts
   * const deleted = await held.unlock({ timeoutMs: 2000 });
   * ```
   */
  async unlock(options?: WaitOptions): Promise<boolean> {
    using scope = WaitScope.open(options, "unlock");
    this.releasing ??= releaseKey(this.session, this.key, this.revision).then((deleted) => {
      this.releasedFlag = true;
      this.onRelease();
      return deleted;
    });
    return await scope.race(this.releasing);
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
