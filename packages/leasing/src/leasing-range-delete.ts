import { compare, op, type Comparison, type DeleteOp, type DeleteResult, type TxnResult } from "@etcdkit/kv";
import type { WireRange } from "@etcdkit/kv/internal";
import { isEtcdError, type CallOptions, type Revision } from "@etcdkit/transport";
import { CallScope } from "./call-scope.js";
import type { KeyChange } from "./key-state.js";
import type { WriteTicket } from "./lease-cache.js";
import { checkWritable, type LeasingContext } from "./leasing-context.js";
import { revokeOwner } from "./leasing-write.js";

/** How many owners a range write asks at once to give their keys up. */
const PARALLEL_REVOKES = 16;

/**
 * Makes every other client give up the keys it owns in a range of ownership keys: lists them,
 * asks each owner that is not this session to give its key up, and waits for all of them.
 * Returns the highest create revision among the ownership keys listed (this session's included),
 * for the guard `createRevision(range) < max + 1` of the write that follows: it fails if any
 * ownership key was created in the range since.
 *
 * @example
 * ```ts
 * const max = await revokeRange(context, layout.ownershipRange(range), scope);
 * ```
 */
export async function revokeRange(context: LeasingContext, ownershipRange: WireRange, scope: CallScope): Promise<Revision> {
  const listing = await context.kv.do(op.get(ownershipRange.key, { end: ownershipRange.rangeEnd, keysOnly: true }), scope.request());
  context.cache.noteRevision(listing.revision);
  const lease = context.sessions.currentLease();
  let max = 0n;
  const others: Uint8Array[] = [];
  for (const kv of listing.kvs) {
    if (kv.createRevision > max) max = kv.createRevision;
    if (kv.lease !== lease) others.push(kv.key);
  }
  for (let i = 0; i < others.length; i += PARALLEL_REVOKES) {
    await Promise.all(others.slice(i, i + PARALLEL_REVOKES).map((key) => revokeOwner(context, key, scope)));
  }
  return max;
}

/**
 * The guard of a write to a range of user keys: no ownership key in the range was created after
 * `max` (the revoked ones are gone; this session's own are at or below it).
 *
 * @example
 * ```ts
 * const guard = rangeGuard(layout.ownershipRange(range), max);
 * ```
 */
export function rangeGuard(ownershipRange: WireRange, max: Revision): Comparison {
  return compare.createRevision(ownershipRange.key, "<", max + 1n, { end: ownershipRange.rangeEnd });
}

/**
 * A range delete through the leasing KV: every other owner of a key in the range gives it up
 * first, then one txn deletes the range, guarded so that it fails (and is tried again) if a key
 * in the range was acquired meanwhile. Cached keys of this client in the range are absent
 * after it; if its outcome is unknown, all of them are dropped (Go dropped only the range's first
 * key and kept serving the others).
 *
 * @example
 * ```ts
 * const { deleted } = await leasingDeleteRange(context, op.delete("jobs/", { prefix: true }), undefined);
 * ```
 */
export async function leasingDeleteRange(context: LeasingContext, del: DeleteOp, options: CallOptions | undefined): Promise<DeleteResult> {
  const { cache, layout } = context;
  checkWritable(layout, del);
  const scope = new CallScope(options, context.sessions.closedSignal);
  const ownershipRange = layout.ownershipRange(del);
  for (;;) {
    const max = await revokeRange(context, ownershipRange, scope);
    const tickets: WriteTicket[] = cache.statesInRange(del).map(([id, state]) => cache.beginWrite(state.key, id));
    let result: TxnResult;
    try {
      result = await context.kv.do(op.txn({ if: [rangeGuard(ownershipRange, max)], then: [del] }), scope.request());
    } catch (err) {
      const outcome = isEtcdError(err) && err.outcomeUnknown ? "unknown" : "not-applied";
      for (const ticket of tickets) cache.endWrite(ticket, outcome);
      throw err;
    }
    cache.noteRevision(result.revision);
    if (result.succeeded) {
      for (const ticket of tickets) cache.endWrite(ticket, { revision: result.revision, header: result.header, change: deleteChange });
      return result.responses[0] as DeleteResult;
    }
    for (const ticket of tickets) cache.endWrite(ticket, "not-applied");
  }
}

const deleteChange: KeyChange = Object.freeze({ type: "delete" });
