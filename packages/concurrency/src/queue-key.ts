import { compare, op, type Comparison } from "@etcdkit/kv";
import type { LeaseId, Revision } from "@etcdkit/transport";
import type { Session } from "./session.js";

/**
 * The key a session queues with under `name`: `<name>/<lease ID in hex>`, as Go's Mutex and
 * Election (so a session — or a process that adopted its lease — finds its own key again).
 *
 * @example
 * ```ts
 * sessionKey("locks/orders", 0x694dn); // "locks/orders/694d"
 * ```
 */
export function sessionKey(name: string, lease: LeaseId): string {
  return `${name}/${lease.toString(16)}`;
}

/**
 * A comparison that holds while `key` is the incarnation created at `revision`: the guard of a
 * fenced write (put your write in a txn under it). For `revision` undefined, one that never holds.
 *
 * @example
 * ```ts
 * await kv.txn().if(ownership("locks/orders/694d", 42n)).then(op.put("orders/1", "paid")).commit();
 * ```
 */
export function ownership(key: string, revision: Revision | undefined): Comparison {
  // A create revision is never below 0 (a missing key counts as 0), so "< 0" never holds.
  return revision === undefined ? compare.createRevision(key, "<", 0n) : compare.createRevision(key, "=", revision);
}

/**
 * Deletes `key` only while it is the incarnation created at `revision` (never a newer one the
 * same session created since). Resolves true when it deleted it, false when it was gone already.
 *
 * @example
 * ```ts
 * const deleted = await deleteOwnKey(session, "locks/orders/694d", 42n, { timeoutMs: 2000 });
 * ```
 */
export async function deleteOwnKey(
  session: Session,
  key: string,
  revision: Revision,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
): Promise<boolean> {
  const result = await session.kv.txn().if(ownership(key, revision)).then(op.delete(key)).commit(options);
  return result.succeeded;
}

/** How long a background clean-up of a failed lock or campaign may take, at most (ms). */
const CLEANUP_TIMEOUT_MS = 10_000;

/**
 * After a lock or campaign failed once its key may exist: deletes the key (only the incarnation
 * at `revision`; when `revision` is unknown — the creating txn's outcome is unknown — the key's
 * current incarnation if it carries the session's lease), then calls `done`. Runs in the
 * background, bounded, so the failed call itself returns at once; errors are dropped (the key
 * then goes with the session's lease). While it runs, the caller's local slot stays taken, so no
 * later call of the session can adopt the key in between.
 *
 * @example
 * ```ts
 * cleanUpInBackground(session, key, undefined, releaseLocal);
 * ```
 */
export function cleanUpInBackground(session: Session, key: string, revision: Revision | undefined, done: () => void): void {
  if (session.signal.aborted) {
    done();
    return;
  }
  const options = { timeoutMs: Math.min(CLEANUP_TIMEOUT_MS, Math.max(1, session.ttl) * 1000) };
  const run = async (): Promise<void> => {
    let incarnation = revision;
    if (incarnation === undefined) {
      const current = await session.kv.get(key, options);
      if (current === undefined || current.lease !== session.leaseId) return;
      incarnation = current.createRevision;
    }
    await deleteOwnKey(session, key, incarnation, options);
  };
  run().then(done, done);
}
