/**
 * The requests Go's `client/v3/leasing` sends, transcribed request by request from its `kv.go`
 * (acquire, monitorLease/rescind, revoke/waitRescind, revokeRange/deleteRangeRPC) onto etcdkit's
 * plain KV and watch. No Go toolchain runs here: this is what a Go leasing client with the same
 * prefix puts on the wire, for checking that this package and it share a prefix correctly.
 *
 * @example
 * const go = goLeasingClient(kv, watcher, "pfx/", leaseId);
 * await go.get("k"); // acquires pfx/k like Go
 */
import { compare, op, type KV, type RangeResult } from "@etcdkit/kv";
import { bytesToText, type LeaseId, type Revision } from "@etcdkit/transport";
import type { Watcher } from "@etcdkit/watch";

/** One emulated Go leasing client: its ownership lease and what it does. */
export interface GoLeasingClient {
  /** Go's get of an uncached key: `acquire` (the txn), and `monitorLease` when it became the owner. */
  get(key: string): Promise<{ owned: boolean; value: string | undefined }>;
  /** Go's put of a key it does not own: `revoke` (guarded txn, else REVOKE put) and `waitRescind`, in a loop. */
  put(key: string, value: string): Promise<void>;
  /** Go's deleteRange: `revokeRange` then `deleteRangeRPC`. */
  deletePrefix(prefix: string): Promise<number>;
  /** Ownership keys this client gave up (rescinded) after a REVOKE. */
  readonly rescinded: string[];
  /** Stops the monitors. */
  stop(): void;
}

/** A Go leasing client emulated on `kv` / `watcher`, owning keys with lease `leaseId`. */
export function goLeasingClient(kv: KV, watcher: Watcher, pfx: string, leaseId: LeaseId): GoLeasingClient {
  const stopper = new AbortController();
  const rescinded: string[] = [];

  // kv.go monitorLease: watch pfx+key from rev+1; on a REVOKE event with our lease, rescind.
  const monitorLease = async (key: string, rev: Revision): Promise<void> => {
    for await (const batch of watcher.watch(pfx + key, { startRevision: rev + 1n, signal: stopper.signal })) {
      for (const ev of batch.events) {
        if (bytesToText(ev.kv.value) !== "REVOKE") continue;
        if (ev.kv.lease === leaseId) {
          // rescind: txn If(CreateRevision(pfx+key) < rev) Then(OpDelete(pfx+key))
          await kv.txn().if(compare.createRevision(pfx + key, "<", ev.kv.modRevision)).then(op.delete(pfx + key)).commit();
          rescinded.push(pfx + key);
        }
        return;
      }
    }
  };

  // kv.go waitRescind: watch pfx+key from rev+1 until a DELETE event.
  const waitRescind = async (key: string, rev: Revision): Promise<void> => {
    for await (const batch of watcher.watch(pfx + key, { startRevision: rev + 1n, signal: stopper.signal })) {
      if (batch.events.some((ev) => ev.type === "delete")) return;
    }
  };

  // kv.go revoke: txn If(CreateRevision(pfx+key) < rev+1) Then(op) Else(OpPut(pfx+key, "REVOKE", WithIgnoreLease()))
  const revoke = async (key: string, then: ReturnType<typeof op.put> | ReturnType<typeof op.get>): Promise<boolean> => {
    const resp = await kv.txn().if(compare.createRevision(pfx + key, "<", 1n)).then(then).else(op.put(pfx + key, "REVOKE", { ignoreLease: true })).commit();
    if (resp.succeeded) return true;
    await waitRescind(key, resp.revision);
    return false;
  };

  return {
    rescinded,
    async get(key) {
      // kv.go acquire: If(CreateRevision(pfx+key) = 0, LeaseValue(key) = 0) Then(op, OpPut(pfx+key, "", WithLease)) Else(op, OpGet(pfx+key))
      const resp = await kv
        .txn()
        .if(compare.createRevision(pfx + key, "=", 0n), compare.lease(key, "=", 0n))
        .then(op.get(key), op.put(pfx + key, "", { lease: leaseId }))
        .else(op.get(key), op.get(pfx + key))
        .commit();
      let owned = resp.succeeded;
      if (!owned) owned = (resp.responses[1] as RangeResult).kvs[0]?.lease === leaseId;
      if (owned) void monitorLease(key, resp.revision).catch(() => undefined);
      return { owned, value: (resp.responses[0] as RangeResult).kvs[0]?.text() };
    },
    async put(key, value) {
      while (!(await revoke(key, op.put(key, value)))) {
        // loop, as kv.go put does until the guarded txn succeeds
      }
    },
    async deletePrefix(prefix) {
      for (;;) {
        // kv.go revokeRange + revokeLeaseKvs: list the ownership keys of the range, revoke those not ours.
        const leaseKeys = await kv.getPrefix(pfx + prefix);
        let maxLeaseRev = 0n;
        for (const item of leaseKeys.kvs) {
          if (item.createRevision > maxLeaseRev) maxLeaseRev = item.createRevision;
          if (item.lease === leaseId) continue;
          await revoke(item.keyText().slice(pfx.length), op.get(item.keyText().slice(pfx.length)));
        }
        // kv.go deleteRangeRPC: If(CreateRevision(lkey).WithRange(lend) < maxLeaseRev+1) Then(OpGet keys only, OpDelete)
        const resp = await kv
          .txn()
          .if(compare.createRevision(pfx + prefix, "<", maxLeaseRev + 1n, { prefix: true }))
          .then(op.get(prefix, { prefix: true, keysOnly: true }), op.delete(prefix, { prefix: true }))
          .commit();
        if (resp.succeeded) return (resp.responses[1] as { deleted: number }).deleted;
      }
    },
    stop: () => stopper.abort(),
  };
}
