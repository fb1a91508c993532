import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import type { LockRecord } from "../history/types.js";
import { SimStore } from "../simulation/sim-store.test-helpers.js";
import { checkLocks, mutualExclusion } from "./lock-checker.js";
import { buildRevisionLog } from "./revision-log.js";

/**
 * Two clients taking turns on a lock in a simulated store: each acquisition creates its queue key
 * (its token), writes the fenced resource once with its token, then deletes its key. A broken
 * client (`ignoreFence`) keeps writing after its key is gone.
 */
function turns(options: { ignoreFence?: boolean } = {}): { store: SimStore; locks: LockRecord[] } {
  const store = new SimStore();
  const locks: LockRecord[] = [];
  let t = 0;
  for (let n = 0; n < 6; n++) {
    const client = n % 2;
    const key = `locks/set/${client}`;
    const acquireInvoke = t;
    const token = store.put(key, "");
    const acquireReturn = t + 1;
    const value = `${token}:c${client}-${n}`;
    const revision = store.put("fence/resource", value);
    store.delete(key);
    locks.push({
      type: "lock", id: n + 1, client, name: "locks/set", token, acquiredAt: token, acquireInvoke, acquireReturn, heldUntil: t + 5,
      writes: [{ invoke: t + 2, return: t + 3, value, status: "ok", applied: true, revision }],
    });
    if (options.ignoreFence && n === 3) {
      // The holder of acquisition 1 wakes up after a pause and writes without its guard.
      store.put("fence/resource", `${locks[1]!.token}:c1-late`);
    }
    t += 10;
  }
  return { store, locks };
}

const check = (store: SimStore, locks: LockRecord[]) =>
  checkLocks(makeHistory({ locks, watches: [store.collector()], final: store.finalRead() }), buildRevisionLog(store.collector()));

describe("lock checker (fencing; mutual exclusion counted)", () => {
  it("accepts holders that take turns and write under their tokens", () => {
    const { store, locks } = turns();
    const result = check(store, locks);
    expect(result.violations).toEqual([]);
    expect(result.notes.join(" ")).toMatch(/6 acquisitions; mutual exclusion: 0 overlapped/);
  });

  it("catches a client that writes the fenced resource after losing the lock (fence-order, fence-without-lock)", () => {
    const { store, locks } = turns({ ignoreFence: true });
    expect(check(store, locks).violations.map((v) => v.kind).sort()).toEqual(["fence-order", "fence-without-lock"]);
  });

  it("catches a reused token, tokens out of real-time order, and a lock granted to a key that was not the oldest", () => {
    const { store, locks } = turns();
    const reused = locks.map((l, i) => (i === 3 ? { ...l, token: locks[2]!.token } : l));
    expect(check(store, reused).violations.map((v) => v.kind)).toContain("token-reuse");
    const swapped = locks.map((l, i) => (i === 4 ? { ...l, token: locks[1]!.token - 1n } : l));
    expect(check(store, swapped).violations.map((v) => v.kind)).toContain("token-order");
    const early = locks.map((l, i) => (i === 2 ? { ...l, acquiredAt: l.token - 3n } : l));
    expect(check(store, early).violations.map((v) => v.kind)).toContain("lock-granted-wrongly");
  });

  it("counts holds that overlap another client's, without calling them violations", () => {
    const { store, locks } = turns();
    const overlapping = locks.map((l, i) => (i === 1 ? { ...l, heldUntil: locks[2]!.acquireReturn + 7 } : l));
    expect(mutualExclusion(overlapping)).toEqual({ acquisitions: 6, overlapping: 1, worst: 7 });
    expect(check(store, overlapping).violations).toEqual([]);
  });
});
