/**
 * Go's leasing integration tests for txns and range deletes (etcd
 * tests/integration/clientv3/lease/leasing_test.go), ported to a real etcd. Go's random choices
 * come from a seeded generator here, over several seeds, so a failure can be replayed.
 */
import { compare, createKV, op, type Comparison, type KV, type Op, type PutResult, type RangeResult, type TxnOp } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createWatch, type WatchBatch } from "@etcdkit/watch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, leasing, snapshot, unique } from "./leasing-test-env.test-helpers.js";
import type { LeasingKV } from "./index.js";

/** A small seeded generator (mulberry32): Go's rand.Intn, replayable. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Go's randCmps: comparisons that all hold (then) or, with one more that fails, else. */
function randCmps(intn: (n: number) => number, key: (i: number) => string, puts: readonly PutResult[]): { cmps: Comparison[]; useThen: boolean } {
  const cmps: Comparison[] = [];
  for (let i = 0; i < puts.length; i++) {
    const idx = intn(puts.length);
    const k = key(idx);
    const rev = puts[idx]!.revision;
    switch (intn(4)) {
      case 0:
        cmps.push(compare.createRevision(k, ">", rev - 1n));
        break;
      case 1:
        cmps.push(compare.version(k, "=", 1));
        break;
      case 2:
        cmps.push(compare.createRevision(k, "=", rev));
        break;
      default:
        cmps.push(compare.createRevision(k, "!=", rev + 1n));
    }
  }
  cmps.length = intn(puts.length);
  if (intn(2) === 0) return { cmps, useThen: true };
  cmps.push(compare.version(key(intn(puts.length)), "=", 0));
  return { cmps, useThen: false };
}

describe("Go's leasing tests: txns and range deletes (real etcd)", () => {
  let cluster: EtcdCluster;
  let plain: KV;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    plain = createKV(connect(cluster.clientUrls));
  });
  afterEach(() => cluster.members[0]!.proxy!.setMode("pass"));
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  async function viaProxy(prefix = `${unique("pfx")}/`): Promise<{ lkv: LeasingKV; k: (name: string) => string; cut: () => void }> {
    const lkv = await leasing(connect([cluster.members[0]!.proxy!.url]), prefix);
    const ns = unique("keys");
    return { lkv, k: (name) => `${ns}/${name}`, cut: () => cluster.members[0]!.proxy!.setMode("blackhole") };
  }

  it("TxnOwnerGetRange: a txn's range read goes to etcd", async () => {
    const { lkv, k } = await viaProxy();
    for (let i = 0; i < 7; i++) await plain.put(k(`k-${i}`), `v${i}`);
    await lkv.get(k("k-"));
    const result = await lkv.txn().then(op.get(k("k-"), { prefix: true })).commit();
    expect((result.responses[0] as RangeResult).kvs).toHaveLength(7);
  });

  it.each([1, 2, 3, 4, 5])("TxnOwnerGet (seed %i): a read-only txn on cached keys is answered from the cache, as etcd would", async (seed) => {
    const intn = random(seed);
    const { lkv, k, cut } = await viaProxy();
    const count = intn(10) + 1;
    const puts: PutResult[] = [];
    const gets: Op[] = [];
    for (let i = 0; i < count; i++) {
      puts.push(await plain.put(k(`k-${i}`), `k-${i}k-${i}`));
      await lkv.get(k(`k-${i}`));
      gets.push(op.get(k(`k-${i}`)));
    }
    gets.length = intn(gets.length);
    const { cmps, useThen } = randCmps(intn, (i) => k(`k-${i}`), puts);
    cut();
    const other = [op.put(k("k"), "1")];
    const result = await lkv.txn().if(...cmps).then(...(useThen ? gets : other)).else(...(useThen ? other : gets)).commit({ timeoutMs: 1_000 });
    expect(result.succeeded).toBe(useThen);
    expect(result.responses).toHaveLength(gets.length);
    expect(result.revision >= puts.at(-1)!.revision).toBe(true);
    result.responses.forEach((response, i) => {
      const kv = (response as RangeResult).kvs[0]!;
      expect([kv.keyText(), kv.text()]).toEqual([k(`k-${i}`), `k-${i}k-${i}`]);
    });
  });

  it("TxnOwnerDeleteRange / TxnOwnerDelete: keys deleted by a txn of the owner are gone from its cache", async () => {
    const { lkv, k } = await viaProxy();
    for (let i = 0; i < 6; i++) await plain.put(k(`k-${i}`), "v");
    expect((await lkv.getPrefix(k("k-"))).kvs).toHaveLength(6);
    for (let i = 0; i < 6; i++) await lkv.get(k(`k-${i}`));
    await lkv.txn().then(op.delete(k("k-"), { prefix: true })).commit();
    expect((await lkv.getPrefix(k("k-"))).kvs).toHaveLength(0);
    for (let i = 0; i < 6; i++) expect((await lkv.get(k(`k-${i}`))).kv).toBeUndefined();
    await plain.put(k("one"), "abc");
    await lkv.get(k("one"));
    await lkv.txn().then(op.delete(k("one"))).commit();
    expect((await lkv.get(k("one"))).kv).toBeUndefined();
  });

  it("TxnOwnerIf: comparisons on a cached key are evaluated from the cache, while etcd is unreachable", async () => {
    const { lkv, k, cut } = await viaProxy();
    const { revision: rev } = await plain.put(k("k"), "abc");
    await lkv.get(k("k"));
    cut();
    const table: Array<[Comparison[], boolean]> = [
      [[compare.value(k("k"), "=", "abc")], true],
      [[compare.createRevision(k("k"), "=", rev)], true],
      [[compare.modRevision(k("k"), "=", rev)], true],
      [[compare.version(k("k"), "=", 1)], true],
      [[compare.value(k("k"), ">", "abc")], false],
      [[compare.createRevision(k("k"), ">", rev)], false],
      [[compare.version(k("k"), ">", 1)], false],
      [[compare.value(k("k"), "<", "abc")], false],
      [[compare.createRevision(k("k"), "<", rev)], false],
      [[compare.modRevision(k("k"), "<", rev)], false],
      [[compare.version(k("k"), "<", 1)], false],
      [[compare.version(k("k"), "=", 1), compare.version(k("k"), "<", 1)], false],
    ];
    for (const [cmps, succeeded] of table) {
      const result = await lkv.txn().if(...cmps).then(op.get(k("k"))).commit({ timeoutMs: 1_000 });
      expect([result.succeeded, result.responses.length]).toEqual([succeeded, succeeded ? 1 : 0]);
    }
  });

  it("TxnNonOwnerPut: a txn of another leasing KV (nested txn included) invalidates the owner's cache; its puts share one revision", async () => {
    const { lkv, k } = await viaProxy();
    const other = await leasing(connect(cluster.clientUrls), new TextDecoder().decode(lkv.prefix));
    await plain.put(k("k"), "abc");
    await plain.put(k("k2"), "123");
    await lkv.get(k("k"));
    await lkv.get(k("k2"));
    const result = await other.txn().then(op.txn({ then: [op.put(k("k2"), "456")] }), op.put(k("k"), "def"), op.put(k("k3"), "999")).commit();
    expect([result.succeeded, result.responses.length]).toEqual([true, 3]);
    expect((await lkv.get(k("k"))).kv?.text()).toBe("def");
    expect((await lkv.get(k("k2"))).kv?.text()).toBe("456");
    const watch = createWatch(connect(cluster.clientUrls)).watch(k("k"), { prefix: true, startRevision: result.revision });
    const { value: batch } = await watch.next();
    watch.cancel();
    expect((batch as WatchBatch).events.filter((e) => e.kv.modRevision === result.revision)).toHaveLength(3);
  });

  it.each([11, 12, 13, 14])("TxnRandIfThenOrElse (seed %i): a random txn through one of two leasing KVs caching random keys; every put is seen everywhere", async (seed) => {
    const intn = random(seed);
    const prefix = `${unique("pfx")}/`;
    const l1 = await leasing(connect(cluster.clientUrls), prefix);
    const l2 = await leasing(connect(cluster.clientUrls), prefix);
    const ns = unique("keys");
    const key = (i: number): string => `${ns}/k-${i}`;
    const puts: PutResult[] = [];
    for (let i = 0; i < 16; i++) puts.push(await plain.put(key(i), String(i)));
    const readers = [l1, l2].map(async (kv) => {
      for (let i = 0; i < 8; i++) await kv.get(key(intn(16)));
    });
    const { cmps, useThen } = randCmps(intn, key, puts);
    const ops: Op[] = [];
    const used = new Set<number>();
    for (let i = 0; i < 16; i++) {
      const idx = intn(16);
      if (used.has(idx)) continue;
      used.add(idx);
      ops.push(intn(2) === 0 ? op.get(key(idx)) : op.put(key(idx), "a"));
    }
    ops.length = intn(ops.length);
    await Promise.all(readers);
    const result = await l1.txn().if(...cmps).then(...(useThen ? ops : [])).else(...(useThen ? [] : ops)).commit();
    expect(result.succeeded).toBe(useThen);
    for (const kv of [plain, l1, l2]) {
      for (const o of ops) if (o.type === "put") expect((await kv.get(o.key)).kv?.text()).toBe("a");
    }
  });

  it("TxnAtomicCache: txns reading 16 cached keys never see a txn of 16 puts half applied", async () => {
    const { lkv, k } = await viaProxy();
    const puts = Array.from({ length: 16 }, (_, i) => op.put(k(`k-${i}`), k(`k-${i}`)));
    const gets = Array.from({ length: 16 }, (_, i) => op.get(k(`k-${i}`)));
    await plain.txn().then(...puts).commit();
    for (const g of gets) await lkv.do(g);
    let done = false;
    let checked = 0;
    const getter = async (): Promise<void> => {
      while (!done) {
        const result = await lkv.txn().then(...gets).commit();
        const revisions = new Set(result.responses.map((r) => (r as RangeResult).kvs[0]!.modRevision));
        expect(revisions.size).toBe(1);
        checked++;
      }
    };
    const getters = Array.from({ length: 16 }, getter);
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = 0; i < 10; i++) await lkv.txn().then(...puts).commit();
    }));
    done = true;
    await Promise.all(getters);
    expect(checked).toBeGreaterThan(0);
  });

  it("TxnRangeCmp: a comparison over a range goes to etcd", async () => {
    const { lkv, k } = await viaProxy();
    await plain.put(k("k"), "a");
    await plain.put(k("k2"), "a");
    await plain.put(k("k2"), "a"); // version 2
    await lkv.get(k("k"));
    const result = await lkv.txn().if(compare.version(k("k"), "=", 1, { prefix: true })).commit();
    expect(result.succeeded).toBe(false);
  });

  it.each([21, 22])("TxnOwnerPutBranch (seed %i): after a tree of nested txns of puts on cached keys, the cache equals etcd without asking it", async (seed) => {
    const intn = random(seed);
    const { lkv, k, cut } = await viaProxy();
    let n = 0;
    const tree = (depth: number): TxnOp => {
      const key = k(`tree/${n++}`);
      if (depth === 0) return op.txn({ then: [op.put(key, "leaf")] });
      const thenPath = tree(depth - 1);
      const elsePath = tree(depth - 1);
      const guard = intn(2) === 0 ? compare.version(k("nokey"), "=", 0) : compare.version(k("nokey"), ">", 0);
      return op.txn({ if: [guard], then: [thenPath, op.put(key, "then")], else: [elsePath, op.put(key, "else")] });
    };
    const treeOp = tree(4);
    for (let i = 0; i < n; i++) {
      await plain.put(k(`tree/${i}`), "a");
      await lkv.get(k(`tree/${i}`));
    }
    await lkv.do(treeOp);
    const want = await Promise.all(Array.from({ length: n }, (_, i) => plain.range(k(`tree/${i}`))));
    cut();
    for (let i = 0; i < n; i++) expect(snapshot(await lkv.range(k(`tree/${i}`), { timeoutMs: 1_000 }))).toEqual(snapshot(want[i]!));
  });

  it.each([
    ["prefix", (k: (n: string) => string) => op.delete(k("key/"), { prefix: true })],
    ["fromKey", (k: (n: string) => string) => op.delete(k("kd"), { fromKey: true })],
  ] as const)("OwnerDelete (%s): a range delete by the owner invalidates its cached keys and deletes them in one revision", async (_name, del) => {
    const { lkv, k } = await viaProxy(`0/${unique("p")}/`);
    for (let i = 0; i < 8; i++) await plain.put(k(`key/${i}`), "123");
    await lkv.get(k("key/1"));
    const result = await lkv.do(del(k));
    for (let i = 0; i < 8; i++) expect((await lkv.get(k(`key/${i}`))).kv).toBeUndefined();
    const watch = createWatch(connect(cluster.clientUrls)).watch(k("key/"), { prefix: true, startRevision: result.revision });
    const { value: batch } = await watch.next();
    watch.cancel();
    expect((batch as WatchBatch).events).toHaveLength(8);
  });

  it("DeleteRangeBounds: a range delete asks only the owners inside the range to give their keys up", async () => {
    const prefix = `0/${unique("p")}/`;
    const ns = unique("keys");
    const delkv = await leasing(connect(cluster.clientUrls), prefix);
    const { lkv: getkv, cut } = await viaProxy(prefix);
    for (const name of ["j", "m"]) {
      await plain.put(`${ns}/${name}`, "123");
      await getkv.get(`${ns}/${name}`);
    }
    await delkv.delete(`${ns}/k`, { prefix: true });
    for (const name of ["j", "m"]) expect((await plain.getPrefix(`${prefix}${ns}/${name}`)).kvs).toHaveLength(1);
    cut();
    for (const name of ["j", "m"]) expect((await getkv.get(`${ns}/${name}`, { timeoutMs: 1_000 })).kv?.text()).toBe("123");
  });

  it.each([
    ["a txn", (k: (n: string) => string) => op.txn({ then: [op.delete(k("key/"), { prefix: true })] })],
    ["a delete", (k: (n: string) => string) => op.delete(k("key/"), { prefix: true })],
  ] as const)("DeleteRangeContend (%s): a range delete while another leasing KV keeps putting and getting; afterwards its cache equals etcd", async (_name, makeOp) => {
    const prefix = `0/${unique("p")}/`;
    const ns = unique("keys");
    const k = (name: string): string => `${ns}/${name}`;
    const delkv = await leasing(connect(cluster.clientUrls), prefix);
    const putkv = await leasing(connect(cluster.clientUrls), prefix);
    for (let i = 0; i < 8; i++) {
      await plain.put(k(`key/${i}`), "123");
      await putkv.get(k(`key/${i}`));
    }
    let stop = false;
    const churn = (async () => {
      for (let i = 0; !stop; i++) {
        await putkv.put(k(`key/${i % 8}`), "123");
        await putkv.get(k(`key/${i % 8}`));
      }
    })();
    await delkv.do(makeOp(k));
    stop = true;
    await churn;
    for (let i = 0; i < 8; i++) expect(snapshot(await putkv.range(k(`key/${i}`)))).toEqual(snapshot(await plain.range(k(`key/${i}`))));
  });
});
