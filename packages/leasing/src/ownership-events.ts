import { compare, op, type KV } from "@etcdkit/kv";
import { type LeaseId, type Revision } from "@etcdkit/transport";
import type { WatchBatch } from "@etcdkit/watch";
import { backgroundDelay } from "./background-delay.js";
import { keyId } from "./key-bytes.js";
import type { LeaseCache } from "./lease-cache.js";
import { isRevokeRequest, type OwnershipLayout } from "./ownership-layout.js";

/**
 * What the ownership watch needs: the cache, the key layout, the current session's lease, the
 * leases this client ever owned keys with, and how to give a key up.
 *
 * @example
 * ```ts
 * applyOwnershipEvents(batch, { cache, layout, leaseId, ownLeases, rescind });
 * ```
 */
export interface OwnershipContext {
  readonly cache: LeaseCache;
  readonly layout: OwnershipLayout;
  /** The lease of the session whose cache this is. */
  readonly leaseId: LeaseId;
  /** Every lease this client held ownership keys with (earlier sessions' too, until they are gone). */
  readonly ownLeases: ReadonlySet<LeaseId>;
  /** Deletes an ownership key that a writer asked for (see `rescind`). */
  rescind(ownershipKey: Uint8Array, revokeRevision: Revision): void;
}

/**
 * Applies one batch of the watch on the ownership prefix to the cache, in revision order:
 *
 * - a "REVOKE" put on a key owned with one of this client's leases: the cached value is dropped
 *   first, then the ownership key is deleted (`rescind`), which lets the writer go on — so no
 *   value can be served from the cache after the writer's write;
 * - a delete of an ownership key this session owns (rescinded, expired, or deleted by someone
 *   else): the key is no longer owned, its cached value is dropped;
 * - a put of another client's ownership key for a key this session believes it owns (its own
 *   key must then be gone): the same.
 *
 * Events older than this session's ownership of a key are about an earlier owner and ignored.
 * Every event is also remembered per key (`lastEvent`), so that an acquisition whose answer
 * arrives after a newer event does not install a value the event made stale.
 *
 * @example
 * ```ts
 * for await (const batch of watch) applyOwnershipEvents(batch, context);
 * ```
 */
export function applyOwnershipEvents(batch: WatchBatch, context: OwnershipContext): void {
  const { cache, layout } = context;
  cache.noteRevision(batch.revision);
  for (const event of batch.events) {
    const kv = event.kv;
    const revision = kv.modRevision;
    const userKey = layout.userKey(kv.key);
    const id = keyId(userKey);
    const state = cache.get(id);
    if (state !== undefined && revision > state.lastEvent) state.lastEvent = revision;
    if (event.type === "delete") {
      if (state !== undefined && state.owned !== 0n && revision >= state.owned) cache.disown(id, state);
      continue;
    }
    if (context.ownLeases.has(kv.lease) && isRevokeRequest(kv.value)) {
      if (state !== undefined && (kv.lease !== context.leaseId || state.owned === 0n || kv.createRevision === state.owned)) cache.disown(id, state);
      context.rescind(kv.key, revision);
      continue;
    }
    if (state !== undefined && state.owned !== 0n && kv.createRevision !== state.owned && revision > state.owned) {
      cache.disown(id, state);
    }
  }
}

/**
 * Gives an ownership key up after a writer asked for it: deletes it if it is still the
 * incarnation the request was for (created before the "REVOKE" put at `revokeRevision`, as Go's
 * `rescind` checks), retrying with backoff until that succeeds or `signal` aborts. If this
 * client's lease ends meanwhile, etcd deletes the key itself and the delete finds nothing.
 *
 * @example
 * ```ts
 * await rescind(kv, ownershipKey, 57n, closed.signal);
 * ```
 */
export async function rescind(kv: KV, ownershipKey: Uint8Array, revokeRevision: Revision, closed: AbortSignal): Promise<void> {
  const signal = AbortSignal.any([closed]); // its own: many rescinds at once would pile listeners on `closed`
  let delayMs = 50;
  while (!signal.aborted) {
    try {
      await kv.txn().if(compare.createRevision(ownershipKey, "<", revokeRevision)).then(op.delete(ownershipKey)).commit({ signal });
      return;
    } catch {
      if (signal.aborted) return;
      await backgroundDelay(delayMs, signal);
      delayMs = Math.min(delayMs * 2, 2_000);
    }
  }
}
