import { compare, op, type Comparison, type GetOp, type Op, type RangeResult, type TxnOp, type TxnResult } from "@etcdkit/kv";
import { noBytes, TxnResultRecord, type WireRange } from "@etcdkit/kv/internal";
import { isEtcdError, type CallOptions } from "@etcdkit/transport";
import { CallScope } from "./call-scope.js";
import { keyId } from "./key-bytes.js";
import type { WriteTicket } from "./lease-cache.js";
import { checkCallStart, checkWritable, type LeasingContext } from "./leasing-context.js";
import { rangeGuard, revokeRange } from "./leasing-range-delete.js";
import { revokeOwner } from "./leasing-write.js";
import { AppliedWrites, collectWrites } from "./txn-writes.js";
import { localTxn } from "./txn-local.js";

/**
 * A txn through the leasing KV.
 *
 * - Answered from the cache when that gives etcd's exact answer (see `localTxn`); its call
 *   options are checked first, as for a cached get.
 * - A txn without writes goes to etcd as it is.
 * - A txn with writes runs inside a guarding txn, as Go's does: `if <no other client owns a key
 *   it may write> then <the txn> else <read the ownership keys in the way>`. Every key a branch
 *   may write is guarded like a single write (`createRevision(ownershipKey) < guard + 1`), every
 *   range it may delete like a range delete (its other owners give their keys up first). When a
 *   guard fails, the owners found are asked to give their keys up (an ownership key of this
 *   session that it no longer tracks too: Go skipped those and retried forever) and the txn is
 *   tried again.
 *
 * After it commits, the writes of the branches that ran are applied to this client's cached
 * keys; if its outcome is unknown, every key it may have written is dropped from the cache.
 *
 * @example
 * ```ts
 * const result = await leasingTxn(context, op.txn({ if: [compare.value("k", "=", "a")], then: [op.put("k", "b")] }), undefined);
 * ```
 */
export async function leasingTxn(context: LeasingContext, txn: TxnOp, options: CallOptions | undefined): Promise<TxnResult> {
  const { cache, layout, counters } = context;
  const writes = collectWrites(txn);
  for (const key of writes.keys.values()) checkWritable(layout, { key, rangeEnd: noBytes });
  for (const range of writes.ranges) checkWritable(layout, range);
  checkCallStart(options);
  const local = localTxn(context, txn);
  if (local !== undefined) {
    counters.hits++;
    return local;
  }
  if (writes.keys.size === 0 && writes.ranges.length === 0) {
    counters.misses++;
    const result = await context.kv.do(txn, options);
    cache.noteRevision(result.revision);
    return result;
  }
  const scope = new CallScope(options, context.sessions.closedSignal);
  const ownershipRanges = writes.ranges.map((range) => layout.ownershipRange(range));
  for (;;) {
    const rangeGuards: Comparison[] = [];
    for (const ownershipRange of ownershipRanges) rangeGuards.push(rangeGuard(ownershipRange, await revokeRange(context, ownershipRange, scope)));
    const tickets = beginWrites(context, writes.keys, writes.ranges);
    const guards: Comparison[] = [];
    const fallback: GetOp[] = [];
    for (const [id, key] of writes.keys) {
      const ownershipKey = layout.ownershipKey(key);
      guards.push(compare.createRevision(ownershipKey, "<", tickets.get(id)!.guard + 1n));
      fallback.push(op.get(ownershipKey));
    }
    let result: TxnResult;
    try {
      result = await context.kv.do(op.txn({ if: [...guards, ...rangeGuards], then: [txn as Op], else: fallback }), scope.request());
    } catch (err) {
      const outcome = isEtcdError(err) && err.outcomeUnknown ? "unknown" : "not-applied";
      for (const ticket of tickets.values()) cache.endWrite(ticket, outcome);
      throw err;
    }
    cache.noteRevision(result.revision);
    if (result.succeeded) {
      const inner = result.responses[0] as TxnResult;
      const applied = new AppliedWrites(txn, inner);
      for (const ticket of tickets.values()) {
        const change = applied.changeFor(ticket.id, ticket.state.key);
        cache.endWrite(ticket, change === "none" ? "not-applied" : { revision: result.revision, header: result.header, change });
      }
      return new TxnResultRecord(inner.succeeded, result.header, result.revision, inner.responses) as TxnResult;
    }
    for (const ticket of tickets.values()) cache.endWrite(ticket, "not-applied");
    await revokeFound(context, result.responses as readonly RangeResult[], tickets, scope);
  }
}

/** One write ticket per key the txn may write: its single keys and this client's states in its ranges. */
function beginWrites(context: LeasingContext, keys: ReadonlyMap<string, Uint8Array>, ranges: readonly WireRange[]): Map<string, WriteTicket> {
  const tickets = new Map<string, WriteTicket>();
  for (const [id, key] of keys) tickets.set(id, context.cache.beginWrite(key, id));
  for (const range of ranges) {
    for (const [id, state] of context.cache.statesInRange(range)) {
      if (!tickets.has(id)) tickets.set(id, context.cache.beginWrite(state.key, id));
    }
  }
  return tickets;
}

/**
 * After a failed guard: asks every owner found on a guarded key to give it up, unless it is this
 * session's ownership key the guard already allowed for.
 */
async function revokeFound(context: LeasingContext, found: readonly RangeResult[], tickets: ReadonlyMap<string, WriteTicket>, scope: CallScope): Promise<void> {
  const lease = context.sessions.currentLease();
  const revokes: Promise<void>[] = [];
  for (const range of found) {
    const ownership = range.kvs[0];
    if (ownership === undefined) continue;
    const guard = tickets.get(keyId(context.layout.userKey(ownership.key)))?.guard;
    if (ownership.lease === lease && ownership.createRevision === guard) continue;
    revokes.push(revokeOwner(context, ownership.key, scope));
  }
  await Promise.all(revokes);
}

