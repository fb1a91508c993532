import { checkName } from "../arguments.js";
import { HeldLock } from "../held-lock.js";
import { checkSession } from "../mutex.js";
import { cleanUpInBackground } from "../queue-key.js";
import type { Session } from "../session.js";
import { waitForTurn } from "../wait-turn.js";
import { WaitScope, type WaitOptions } from "../wait-scope.js";
import { createUniqueKey } from "./unique-key.js";

/**
 * A readers–writer lock (Go's recipe `RWMutex`): any number of readers at once, or one writer.
 * Each acquisition queues with its own key, `<name>/read/…` or `<name>/write/…`, attached to the
 * session's lease; a reader waits for the writers queued before it, a writer for everyone queued
 * before it (each watching only its immediate predecessor of that kind).
 *
 * Unlike Go's, every wait re-checks the waiter's own key and fails "session-expired" when it is
 * gone (etcd-io/etcd#16221: a waiter whose session expired acquired the lock together with the
 * next writer). Acquisitions are `HeldLock`s: fencing token, `isOwner()`, fenced `unlock()`.
 *
 * @example
 * ```ts
 * const rw = createRWMutex(session, "locks/config");
 * {
 *   await using reading = await rw.readLock({ timeoutMs: 5_000 });
 * }
 * await using writing = await rw.lock({ timeoutMs: 5_000 });
 * ```
 */
export interface RWMutex {
  readonly session: Session;
  readonly name: string;
  /**
   * Acquires a read lock: waits while a writer queued before it holds or waits. Throws as
   * `Mutex.lock()` does ("session-expired", "deadline-exceeded", "canceled", transport errors).
   */
  readLock(options?: WaitOptions): Promise<HeldLock>;
  /** Acquires the write lock: waits for every reader and writer queued before it. Throws as `readLock`. */
  lock(options?: WaitOptions): Promise<HeldLock>;
}

/**
 * Creates an RWMutex named `name` on a session. Throws "invalid-argument" (before any I/O) for a
 * non-session or an empty name.
 *
 * @example
 * ```ts
 * const rw = createRWMutex(session, "locks/config");
 * ```
 */
export function createRWMutex(session: Session, name: string): RWMutex {
  checkSession(session, "createRWMutex");
  checkName(name, "createRWMutex");
  return {
    session,
    name,
    readLock: (options) => acquire(session, name, "read", options),
    lock: (options) => acquire(session, name, "write", options),
  };
}

async function acquire(session: Session, name: string, side: "read" | "write", options: WaitOptions | undefined): Promise<HeldLock> {
  using scope = WaitScope.open(options, side === "read" ? "readLock" : "lock", session);
  let created: { key: string; revision: bigint } | undefined;
  try {
    created = await createUniqueKey(session.kv, `${name}/${side}`, "", session.leaseId, scope);
    // A reader waits for older writers only; a writer for every older key.
    const queue = side === "read" ? `${name}/write/` : `${name}/`;
    const heldAt = await waitForTurn({ kv: session.kv, watcher: session.watcher, queue, key: created.key, revision: created.revision }, scope);
    return new HeldLock(session, created.key, created.revision, heldAt, () => undefined);
  } catch (err) {
    if (created !== undefined) cleanUpInBackground(session, created.key, created.revision, () => undefined);
    throw scope.error(err);
  }
}
