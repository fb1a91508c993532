import { compare, op, type GetOp, type RangeResult } from "@etcdkit/kv";
import { isEtcdError, type CallOptions, type KeyValue, type ResponseHeader } from "@etcdkit/transport";
import { toEtcdError } from "@etcdkit/transport/internal";
import { readValue } from "./cached-read.js";
import { CallScope } from "./call-scope.js";
import { keyId } from "./key-bytes.js";
import { asReadError, checkCallStart, type LeasingContext } from "./leasing-context.js";
import type { ActiveSession } from "./leasing-session.js";
import { isRevokeRequest } from "./ownership-layout.js";

/**
 * A read through the leasing KV. A single-key read at the current revision is answered:
 *
 * 1. from the cache, when this client owns the key, no write of its own to the key is in flight,
 *    and the session's lease is provably alive (its local deadline minus the safety margin has
 *    not passed). Etcd cannot expire the lease before that deadline, and no other client can
 *    write the key without the ownership key being deleted first (by this client, after it
 *    dropped the cached value, or by the lease's expiry), so the value is etcd's current one;
 * 2. otherwise by taking ownership of the key (one txn: read it and create the ownership key if
 *    nobody owns it and the key has no lease of its own) and caching what the txn read;
 * 3. by a plain read from etcd when the key may not be cached: a serializable read, a read
 *    within the back-off after giving the key up, a key with a write of this client in flight, a
 *    key in the ownership prefix, or no live session.
 *
 * Range reads and reads at a revision always go to etcd.
 *
 * A cache hit has no answer of its own: its `revision` is the newest revision this client has
 * seen (the value is etcd's current one, so it is the key's value at that revision too), and its
 * `header` is the header of etcd's answer that put the value in the cache (the acquisition, or
 * this client's last write to the key), so `header.revision` may be older than `revision`.
 *
 * @example
 * ```ts
 * const result = await leasingGet(context, op.get("config"), undefined);
 * ```
 */
export async function leasingGet(context: LeasingContext, get: GetOp, options: CallOptions | undefined): Promise<RangeResult> {
  const { cache, counters } = context;
  if (get.revision !== 0n || get.rangeEnd.length !== 0 || context.layout.touchesPrefix(get)) return plainRead(context, get, options);
  checkCallStart(options);
  const active = context.sessions.alive();
  if (active === undefined) return plainRead(context, get, options);
  const id = keyId(get.key);
  const state = cache.servable(id);
  if (state !== undefined) {
    counters.hits++;
    return readValue(state.value!, cache.knownRevision, state.header!, get);
  }
  if (get.serializable || !cache.mayAcquire(id) || (cache.get(id)?.writes ?? 0) > 0) return plainRead(context, get, options);
  return acquire(context, active, get, id, options);
}

/**
 * A read sent to etcd as it is (counted as a miss).
 *
 * @example
 * ```ts
 * const result = await plainRead(context, op.get("k", { prefix: true }), undefined);
 * ```
 */
export async function plainRead(context: LeasingContext, get: GetOp, options: CallOptions | undefined): Promise<RangeResult> {
  context.counters.misses++;
  const result = await context.kv.do(get, options);
  context.cache.noteRevision(result.revision);
  return result;
}

async function acquire(context: LeasingContext, active: ActiveSession, get: GetOp, id: string, options: CallOptions | undefined): Promise<RangeResult> {
  const { cache, layout } = context;
  const scope = new CallScope(options, context.sessions.closedSignal);
  const ownershipKey = layout.ownershipKey(get.key);
  const ticket = cache.beginAcquire(get.key, id);
  let owned: { createRevision: bigint; value: KeyValue | null; asOf: bigint; header: ResponseHeader } | undefined;
  try {
    const result = await context.kv.do(
      op.txn({
        if: [compare.createRevision(ownershipKey, "=", 0n), compare.lease(get.key, "=", 0n)],
        then: [op.get(get.key), op.put(ownershipKey, "", { lease: active.leaseId })],
        else: [op.get(get.key), op.get(ownershipKey)],
      }),
      scope.request(),
    );
    context.counters.misses++;
    const { revision, header } = result;
    cache.noteRevision(revision);
    const value = (result.responses[0] as RangeResult).kvs[0] ?? null;
    if (result.succeeded) {
      context.counters.acquired++;
      owned = { createRevision: revision, value, asOf: revision, header };
    } else {
      // Already this session's (an earlier acquisition whose answer was lost, or a cached value
      // dropped): owned again, unless a writer asked for it or the key has a lease of its own
      // (Go took either as owned and served a key a writer was about to change).
      const ownership = (result.responses[1] as RangeResult).kvs[0];
      if (ownership !== undefined && ownership.lease === active.leaseId && !isRevokeRequest(ownership.value) && (value?.lease ?? 0n) === 0n) {
        owned = { createRevision: ownership.createRevision, value, asOf: revision, header };
      }
    }
    return readValue(value, revision, header, get);
  } catch (err) {
    const error = toEtcdError(err);
    if (isEtcdError(error, ["deadline-exceeded", "canceled", "transport-closed", "invalid-argument"])) throw asReadError(error);
    // The acquisition failed (its outcome may be unknown: if the ownership key was created, a
    // writer's REVOKE is still answered by the ownership watch). The read itself can still be
    // answered by etcd.
    return plainRead(context, get, scope.request());
  } finally {
    cache.endAcquire(ticket, owned);
  }
}
