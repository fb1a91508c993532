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

/** Deadline of one attempt of a background release (ms). */
const ATTEMPT_TIMEOUT_MS = 5_000;
/** Backoff between attempts of a background release: 100 ms doubling to 2 s. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/**
 * Deletes a session's queue key — only the incarnation created at `revision`; when `revision` is
 * unknown (the creating txn's outcome is unknown), the key's current incarnation if it carries
 * the session's lease — and keeps trying until it is deleted or the session ends (its lease then
 * takes the key with it). The delete is fenced, so sending it again is always safe. A key left
 * behind would stay in the queue for as long as the session lives and block everyone behind it.
 * Resolves true when it deleted the key, false when the key was gone already or the session
 * ended first. Never rejects.
 *
 * @example
 * ```ts
 * void releaseKey(session, key, revision).then(releaseLocal);
 * ```
 */
export async function releaseKey(session: Session, key: string, revision: Revision | undefined): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if (session.signal.aborted) return false;
    const options = { signal: session.signal, timeoutMs: ATTEMPT_TIMEOUT_MS };
    try {
      let incarnation = revision;
      if (incarnation === undefined) {
        const current = await session.kv.get(key, options);
        if (current === undefined || current.lease !== session.leaseId) return false;
        incarnation = current.createRevision;
      }
      return await deleteOwnKey(session, key, incarnation, options);
    } catch {
      await pause(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt), session.signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * After a lock or campaign failed once its key may exist: `releaseKey` in the background, then
 * `done` (the caller's local slot stays taken until then, so no later call of the session can
 * adopt the key in between). The failed call itself returns at once.
 *
 * @example
 * ```ts
 * cleanUpInBackground(session, key, undefined, releaseLocal);
 * ```
 */
export function cleanUpInBackground(session: Session, key: string, revision: Revision | undefined, done: () => void): void {
  void releaseKey(session, key, revision).then(done);
}
