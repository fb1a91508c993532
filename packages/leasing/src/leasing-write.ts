import { compare, op, type DeleteOp, type DeleteResult, type PutOp, type PutResult, type TxnResult } from "@etcdkit/kv";
import { noBytes } from "@etcdkit/kv/internal";
import { isEtcdError, type CallOptions } from "@etcdkit/transport";
import { CallScope } from "./call-scope.js";
import { keyId } from "./key-bytes.js";
import type { KeyChange } from "./key-state.js";
import { checkWritable, type LeasingContext } from "./leasing-context.js";
import { waitForRelease } from "./owner-release.js";
import { REVOKE } from "./ownership-layout.js";

/**
 * A put or single-key delete through the leasing KV, following Go's protocol:
 *
 * one txn `if createRevision(ownershipKey) < guard + 1 then <the write> else put(ownershipKey,
 * "REVOKE", ignoreLease)`, where `guard` is this session's ownership revision of the key (0n when
 * it does not own it: the write then goes through only while nobody owns the key). When another
 * client owns the key, the else branch asks it to give the key up; the write waits until the
 * ownership key is deleted (by its owner, or by the owner's lease expiring) and tries again.
 *
 * A write is sent at most once per attempt and never again after an attempt whose outcome is
 * unknown: that error is thrown as it is (`outcomeUnknown: true`), and the key's cached value is
 * dropped. (Go's leasing KV sent such a write again through its revoke path, so one put could be
 * applied twice, the second time over a newer value.) A write that runs out of time while
 * waiting for an owner fails "deadline-exceeded" without having been applied.
 *
 * While the write is in flight, reads of the key go to etcd; once acknowledged, an owned key's
 * cached value becomes what the write made it.
 *
 * @example
 * ```ts
 * const { revision } = await leasingWriteKey(context, op.put("config", "{}"), { timeoutMs: 5_000 }) as PutResult;
 * ```
 */
export async function leasingWriteKey(
  context: LeasingContext,
  write: PutOp | DeleteOp,
  options: CallOptions | undefined,
): Promise<PutResult | DeleteResult> {
  const { cache, layout } = context;
  checkWritable(layout, write.type === "put" ? { key: write.key, rangeEnd: noBytes } : write);
  const scope = new CallScope(options, context.sessions.closedSignal);
  const ownershipKey = layout.ownershipKey(write.key);
  const id = keyId(write.key);
  const change = changeOf(write);
  for (;;) {
    const ticket = cache.beginWrite(write.key, id);
    let result: TxnResult;
    try {
      result = await context.kv.do(
        op.txn({
          if: [compare.createRevision(ownershipKey, "<", ticket.guard + 1n)],
          then: [write],
          else: [op.put(ownershipKey, REVOKE, { ignoreLease: true })],
        }),
        scope.request(),
      );
    } catch (err) {
      cache.endWrite(ticket, isEtcdError(err) && err.outcomeUnknown ? "unknown" : "not-applied");
      throw err;
    }
    cache.noteRevision(result.revision);
    if (result.succeeded) {
      cache.endWrite(ticket, { revision: result.revision, header: result.header, change });
      return result.responses[0] as PutResult | DeleteResult;
    }
    cache.endWrite(ticket, "not-applied");
    context.counters.revokes++;
    await waitForRelease(context.watcher, ownershipKey, result.revision, scope, context.options.revokeTimeoutMs);
  }
}

/**
 * Asks the owner of an ownership key to give it up, unless nobody owns the key: one txn `if
 * createRevision(ownershipKey) = 0 then nothing else put(ownershipKey, "REVOKE", ignoreLease)`,
 * then waits for the key to be deleted.
 *
 * @example
 * ```ts
 * await revokeOwner(context, layout.ownershipKey(key), scope);
 * ```
 */
export async function revokeOwner(context: LeasingContext, ownershipKey: Uint8Array, scope: CallScope): Promise<void> {
  const result = await context.kv.do(
    op.txn({ if: [compare.createRevision(ownershipKey, "=", 0n)], then: [], else: [op.put(ownershipKey, REVOKE, { ignoreLease: true })] }),
    scope.request(),
  );
  context.cache.noteRevision(result.revision);
  if (result.succeeded) return;
  context.counters.revokes++;
  await waitForRelease(context.watcher, ownershipKey, result.revision, scope, context.options.revokeTimeoutMs);
}

/**
 * What a write does to the cached value of its key: a put without a lease sets it; a delete
 * removes the key; a put with a lease, `ignoreValue` or `ignoreLease` cannot be mirrored (the
 * cache only holds keys without a lease, and Go's cache took `ignoreValue`'s empty value as the
 * new value), so it drops the cached value.
 *
 * @example
 * ```ts
 * changeOf(op.put("k", "v", { lease: 7n })); // { type: "drop" }
 * ```
 */
export function changeOf(write: PutOp | DeleteOp): KeyChange {
  if (write.type === "delete") return deleteChange;
  if (write.lease !== 0n || write.ignoreLease || write.ignoreValue) return dropChange;
  return { type: "put", value: write.value };
}

const deleteChange: KeyChange = Object.freeze({ type: "delete" });
const dropChange: KeyChange = Object.freeze({ type: "drop" });

