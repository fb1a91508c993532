/**
 * Txns against a real etcd: every compare target with every operator (each case both ways, so an
 * ignored target or operator fails), range and prefix compares, the guard helpers, typed
 * responses per op, and nested txns.
 */
import { createClient } from "@connectrpc/connect";
import { Lease } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import type { EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare, type Comparison } from "./compare.js";
import type { KV } from "./kv.js";
import { connectKV, uniquePrefix } from "./kv-test-env.test-helpers.js";
import { op } from "./op-builders.js";

describe("txn, against a real etcd", () => {
  let cluster: EtcdCluster;
  let kv: KV;
  let transport: EtcdTransport;
  let close: () => Promise<void>;
  beforeAll(async () => {
    cluster = await startEtcd();
    ({ kv, transport, close } = connectKV(cluster.endpoints));
  });
  afterAll(async () => {
    await close?.();
    await cluster?.stop();
  });

  const holds = async (...guards: Comparison[]) => (await kv.txn().if(...guards).commit()).succeeded;

  describe("compare targets and operators", () => {
    let p: string;
    let key: string;
    let create: bigint;
    let mod: bigint;
    let lease: bigint;
    beforeAll(async () => {
      p = uniquePrefix("compare");
      key = `${p}k`;
      lease = (await createClient(Lease, transport).leaseGrant({ TTL: 60n })).ID;
      create = (await kv.put(key, "mmm")).revision;
      mod = (await kv.put(key, "mmm", { lease })).revision; // version 2
    });

    it("value compares are lexical", async () => {
      expect(await holds(compare.value(key, "=", "mmm"))).toBe(true);
      expect(await holds(compare.value(key, "=", "mm"))).toBe(false);
      expect(await holds(compare.value(key, "!=", "abc"))).toBe(true);
      expect(await holds(compare.value(key, "!=", "mmm"))).toBe(false);
      expect(await holds(compare.value(key, ">", "abc"))).toBe(true);
      expect(await holds(compare.value(key, ">", "xyz"))).toBe(false);
      expect(await holds(compare.value(key, "<", "xyz"))).toBe(true);
      expect(await holds(compare.value(key, "<", "abc"))).toBe(false);
    });

    it("version", async () => {
      expect(await holds(compare.version(key, "=", 2))).toBe(true);
      expect(await holds(compare.version(key, "=", 1))).toBe(false);
      expect(await holds(compare.version(key, "!=", 1n))).toBe(true);
      expect(await holds(compare.version(key, ">", 1))).toBe(true);
      expect(await holds(compare.version(key, ">", 2))).toBe(false);
      expect(await holds(compare.version(key, "<", 3))).toBe(true);
      expect(await holds(compare.version(key, "<", 2))).toBe(false);
    });

    it("createRevision and modRevision", async () => {
      expect(await holds(compare.createRevision(key, "=", create))).toBe(true);
      expect(await holds(compare.createRevision(key, "=", mod))).toBe(false);
      expect(await holds(compare.createRevision(key, "<", mod))).toBe(true);
      expect(await holds(compare.createRevision(key, ">", create))).toBe(false);
      expect(await holds(compare.modRevision(key, "=", mod))).toBe(true);
      expect(await holds(compare.modRevision(key, "=", create))).toBe(false);
      expect(await holds(compare.modRevision(key, "!=", create))).toBe(true);
      expect(await holds(compare.modRevision(key, ">", create))).toBe(true);
      expect(await holds(compare.modRevision(key, "<", mod))).toBe(false);
    });

    it("lease", async () => {
      expect(await holds(compare.lease(key, "=", lease))).toBe(true);
      expect(await holds(compare.lease(key, "=", 0n))).toBe(false);
      expect(await holds(compare.lease(key, "!=", 0n))).toBe(true);
      expect(await holds(compare.lease(key, ">", 0n))).toBe(true);
      expect(await holds(compare.lease(key, "<", lease))).toBe(false);
    });

    it("all guards must hold", async () => {
      expect(await holds(compare.value(key, "=", "mmm"), compare.version(key, "=", 2))).toBe(true);
      expect(await holds(compare.value(key, "=", "mmm"), compare.version(key, "=", 3))).toBe(false);
    });
  });

  it("range and prefix compares must hold for every key in the range", async () => {
    const p = uniquePrefix("range-compare");
    await kv.put(`${p}a`, "5");
    await kv.put(`${p}b`, "7");
    await kv.put(`${p}c`, "1");
    expect(await holds(compare.value(`${p}a`, ">", "4", { end: `${p}c` }))).toBe(true);
    expect(await holds(compare.value(`${p}a`, ">", "4", { prefix: true }))).toBe(true);
    expect(await holds(compare.value(p, ">", "4", { prefix: true }))).toBe(false);
    expect(await holds(compare.version(p, "=", 1, { prefix: true }))).toBe(true);
    await kv.put(`${p}b`, "8");
    expect(await holds(compare.version(p, "=", 1, { prefix: true }))).toBe(false);
    expect(await holds(compare.createRevision(`${p}b`, ">", 0n, { fromKey: true }))).toBe(true);
  });

  it("exists, missing and compare-and-swap with modRevisionIs", async () => {
    const p = uniquePrefix("guards");
    const key = `${p}counter`;
    expect(await holds(compare.missing(key))).toBe(true);
    expect(await holds(compare.exists(key))).toBe(false);
    const created = await kv
      .txn()
      .if(compare.missing(key))
      .then(op.put(key, "1"))
      .commit();
    expect(created.succeeded).toBe(true);
    expect(await holds(compare.exists(key))).toBe(true);

    const seen = (await kv.get(key)).kv!;
    await kv.put(key, "concurrent");
    const swap = await kv
      .txn()
      .if(compare.modRevisionIs(key, seen.modRevision))
      .then(op.put(key, String(seen.number() + 1)))
      .else(op.get(key))
      .commit();
    expect(swap.succeeded).toBe(false);
    if (!swap.succeeded) expect(swap.responses[0].kvs[0]?.text()).toBe("concurrent");

    const fresh = (await kv.get(key)).kv!;
    const retried = await kv.txn().if(compare.modRevisionIs(key, fresh.modRevision)).then(op.put(key, "2")).commit();
    expect(retried.succeeded).toBe(true);
    expect((await kv.get(key)).kv?.text()).toBe("2");
  });

  it("responses are typed per op: get, put, delete and a nested txn", async () => {
    const p = uniquePrefix("responses");
    await kv.put(`${p}a`, "old");
    await kv.put(`${p}gone`, "x");
    const result = await kv
      .txn()
      .if(compare.exists(`${p}a`))
      .then(
        op.put(`${p}a`, "new", { prevKv: true }),
        op.get(`${p}a`),
        op.delete(`${p}gone`, { prevKv: true }),
        op.txn({ if: [compare.missing(`${p}b`)], then: [op.put(`${p}b`, "inner"), op.get(p, { prefix: true, countOnly: true })] }),
      )
      .else(op.get(`${p}a`))
      .commit();
    expect(result.succeeded).toBe(true);
    if (!result.succeeded) return;
    const [put, get, del, nested] = result.responses;
    expect(put.prevKv?.text()).toBe("old");
    expect(put.revision).toBe(result.revision);
    expect(get.kvs[0]?.text()).toBe("new");
    expect(get.kvs[0]?.modRevision).toBe(result.revision);
    expect(del.deleted).toBe(1);
    expect(del.prevKvs[0]?.text()).toBe("x");
    expect(nested.succeeded).toBe(true);
    if (nested.succeeded) {
      expect(nested.responses[0].revision).toBe(result.revision);
      expect(nested.responses[1].count).toBe(2);
    }
    expect((await kv.get(`${p}b`)).kv?.text()).toBe("inner");
  });

  it("a read inside a txn reports the revision it saw: before the txn's writes, the one before them", async () => {
    // Every inner result carried the txn's final revision, so reading again at a read's reported
    // revision could return keys that read never saw.
    const p = uniquePrefix("inner-revision");
    const before = await kv.put(`${p}a`, "1");
    const result = await kv
      .txn()
      .then(op.get(p, { prefix: true }), op.put(`${p}b`, "2"), op.get(p, { prefix: true }), op.txn({ then: [op.get(`${p}b`)] }))
      .commit();
    expect(result.succeeded).toBe(true);
    if (!result.succeeded) return;
    const [early, put, late, nested] = result.responses;
    expect(early.kvs).toHaveLength(1);
    expect(early.revision).toBe(before.revision);
    expect((await kv.getPrefix(p, { revision: early.revision })).kvs).toHaveLength(1);
    expect(put.revision).toBe(result.revision);
    expect(result.revision).toBe(before.revision + 1n);
    expect(late.kvs).toHaveLength(2);
    expect(late.revision).toBe(result.revision);
    // etcd gives a nested txn no revision of its own: it reports its last op's.
    expect(nested.revision).toBe(result.revision);
    expect(nested.succeeded).toBe(true);
    if (nested.succeeded) expect(nested.responses[0].kvs[0]?.text()).toBe("2");
  });

  it("a nested txn and a delete of nothing before the first write report the revision before the txn", async () => {
    // A nested txn took the enclosing txn's final revision, which its read never saw.
    const p = uniquePrefix("nested-revision");
    const before = await kv.put(`${p}a`, "1");
    const result = await kv
      .txn()
      .then(op.delete(`${p}missing`), op.txn({ then: [op.get(`${p}a`)] }), op.put(`${p}b`, "2"), op.txn({ then: [op.get(`${p}b`)] }))
      .commit();
    expect(result.succeeded).toBe(true);
    if (!result.succeeded) return;
    const [nothing, early, , late] = result.responses;
    expect(result.revision).toBe(before.revision + 1n);
    expect(nothing.revision).toBe(before.revision);
    expect(early.revision).toBe(before.revision);
    expect(late.revision).toBe(result.revision);
  });

  it("the else-branch runs when a guard fails, and only it", async () => {
    const p = uniquePrefix("else");
    const result = await kv
      .txn()
      .if(compare.exists(`${p}nothing`))
      .then(op.put(`${p}then`, "x"))
      .else(op.put(`${p}else`, "y"), op.get(`${p}else`))
      .commit();
    expect(result.succeeded).toBe(false);
    if (!result.succeeded) expect(result.responses[1].kvs[0]?.text()).toBe("y");
    expect((await kv.get(`${p}then`)).kv).toBeUndefined();
  });

  it("txn ops are values: built once, run later with do, twice", async () => {
    const p = uniquePrefix("txn-op");
    const increment = kv.txn().if(compare.missing(`${p}once`)).then(op.put(`${p}once`, "1")).else(op.get(`${p}once`)).toOp();
    const first = await kv.do(increment);
    const second = await kv.do(increment);
    expect([first.succeeded, second.succeeded]).toEqual([true, false]);
    if (!second.succeeded) expect(second.responses[0].kvs[0]?.text()).toBe("1");
  });

  it("compare.lease takes a negative lease ID (etcd 3.4 grants one a client asks for)", async () => {
    const id = -0x2345_6789n;
    await createClient(Lease, transport).leaseGrant({ ID: id, TTL: 60n });
    const key = `${uniquePrefix("negative-lease")}k`;
    await kv.put(key, "v", { lease: id });
    expect(await holds(compare.lease(key, "=", id))).toBe(true);
    expect(await holds(compare.lease(key, "<", 0n))).toBe(true);
  });

  it("an empty txn commits and reports the current revision", async () => {
    const { revision } = await kv.put(`${uniquePrefix("empty")}a`, "v");
    const result = await kv.txn().commit();
    expect(result.succeeded).toBe(true);
    expect(result.responses).toHaveLength(0);
    expect(result.revision).toBe(revision);
  });
});
