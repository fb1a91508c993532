/**
 * Go's leasing integration tests with faults (etcd tests/integration/clientv3/lease/leasing_test.go
 * and the test of etcd-io/etcd#21589), ported to a real 3-member etcd. Go stops a member or drops
 * its connections to cut a client off; here the client's connection goes through a proxy that is
 * blackholed ("stopped") or resets its connections ("dropped").
 */
import { compare, createKV, op, type KV } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, leasing, reasonOf, sleep, snapshot, unique, within } from "./leasing-test-env.test-helpers.js";
import type { LeasingKV } from "./index.js";

/** Go's `cancel()` of a context, `ms` after now. */
function abortAfter(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

describe("Go's leasing tests with faults (real 3-member etcd)", () => {
  let cluster: EtcdCluster;
  let plain: KV;
  let others: string[];
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, proxy: true });
    others = cluster.clientUrls.slice(1);
    plain = createKV(connect(others));
  });
  afterEach(() => cluster.members[0]!.proxy!.setMode("pass"));
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  const proxy = () => cluster.members[0]!.proxy!;
  const viaProxy = (prefix: string, options?: { ttl?: number }): Promise<LeasingKV> => leasing(connect([proxy().url]), prefix, options);

  /** Go's DropConnections, `times` times, 1 ms apart. */
  async function dropConnections(times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      proxy().setMode("reset");
      await sleep(1);
      proxy().setMode("pass");
    }
  }

  it("TxnCancel: a write waiting for an unreachable owner ends when its signal aborts", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const l1 = await viaProxy(prefix);
    const l2 = await leasing(connect(others), prefix);
    await l1.get(key);
    proxy().setMode("blackhole");
    const txn = l2.txn().then(op.put(key, "v")).commit({ signal: abortAfter(100) });
    expect(await within(reasonOf(txn), 5_000)).toBe("canceled");
    expect((await plain.get(key)).kv).toBeUndefined();
  });

  it("ReconnectOwnerRevoke: a writer's revoke reaches an owner whose connection keeps dropping", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const l1 = await viaProxy(prefix);
    const l2 = await leasing(connect(others), prefix);
    await l1.get(key);
    const choppy = dropConnections(30);
    const done = (async () => {
      await l2.put(key, "v");
      return (await l1.get(key)).kv?.text();
    })();
    expect(await within(done, 15_000)).toBe("v");
    await choppy;
  });

  it("ReconnectOwnerRevokeCompact: an owner cut off while the history is compacted gives its key up once it is back", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const l1 = await viaProxy(prefix);
    const l2 = await leasing(connect(others), prefix);
    await l1.get(key);
    proxy().setMode("blackhole");
    await plain.put(unique("a"), "123");
    const { revision } = await plain.put(unique("a"), "123");
    await plain.compact(revision);
    proxy().setMode("pass");
    await l2.put(key, "v", { timeoutMs: 15_000 });
    expect((await l1.get(key, { timeoutMs: 5_000 })).kv?.text()).toBe("v");
  });

  it("ReconnectOwnerConsistency: writes of the owner under dropped connections leave its cache equal to etcd", async () => {
    const prefix = `${unique("pfx")}/`;
    const k = unique("k");
    const lkv = await viaProxy(prefix);
    await lkv.put(k, "x");
    await lkv.put(`${k}k`, "y");
    await lkv.get(k);
    for (let i = 0; i < 10; i++) {
      const v = String(i);
      const storm = dropConnections(20);
      const ops = [
        () => lkv.put(k, v),
        () => lkv.delete(k),
        () => lkv.txn().then(op.get(k), op.delete(k)).commit(),
        () => lkv.txn().then(op.get(k), op.put(k, v)).commit(),
        () => lkv.do(op.put(k, v)),
        () => lkv.do(op.delete(k)),
        () => lkv.delete(k, { prefix: true }),
      ];
      const failed = await ops[i % ops.length]!().then(() => false, () => true);
      await storm;
      if (failed) break;
    }
    expect(snapshot(await lkv.range(k, { timeoutMs: 5_000 }))).toEqual(snapshot(await plain.range(k)));
  });

  it("ReconnectTxn: a read-only txn survives dropped connections", async () => {
    const lkv = await viaProxy(`${unique("pfx")}/`);
    const k = unique("k");
    await lkv.get(k);
    const storm = dropConnections(10);
    const result = await lkv.txn().if(compare.version(k, "=", 0)).then(op.get(k)).commit({ timeoutMs: 10_000 });
    await storm;
    expect(result.succeeded).toBe(true);
  });

  it("ReconnectNonOwnerGet: gets under dropped connections leave the cache equal to etcd", async () => {
    const lkv = await viaProxy(`${unique("pfx")}/`);
    const ns = unique("keys");
    for (let i = 0; i < 4; i++) await lkv.put(`${ns}/k-${i * 2}`, String(i * 2));
    let n = 0;
    for (let i = 0; i < 10; i++) {
      const storm = dropConnections(10);
      const failed = await lkv.get(`${ns}/k-${i}`).then(() => false, () => true);
      await storm;
      n++;
      if (failed) break;
    }
    for (let i = 0; i < n; i++) {
      expect(snapshot(await lkv.range(`${ns}/k-${i}`, { timeoutMs: 5_000 }))).toEqual(snapshot(await plain.range(`${ns}/k-${i}`)));
    }
  });

  /** Go's waitForLeasingExpire: the ownership key is gone from etcd. */
  const ownershipGone = (prefix: string, key: string): Promise<void> =>
    eventually(async () => (await plain.getPrefix(`${prefix}${key}`)).count === 0, 15_000, "the ownership key to expire");

  it("SessionExpire: after its session expired while cut off, the owner reads another client's later write", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("abc");
    const lkv = await viaProxy(prefix, { ttl: 2 });
    const l2 = await leasing(connect(others), prefix);
    await lkv.get(key);
    proxy().setMode("blackhole");
    await ownershipGone(prefix, key);
    expect(await reasonOf(lkv.get(key, { timeoutMs: 1_000 }))).toBe("deadline-exceeded"); // Go's waitForExpireAck
    proxy().setMode("pass");
    await l2.put(key, "def");
    expect((await lkv.get(key, { timeoutMs: 5_000 })).kv?.text()).toBe("def");
  });

  it("SessionExpireCancel: every kind of call of an owner whose session expired ends with 'canceled' when its signal aborts", async () => {
    const calls: Array<(kv: LeasingKV, key: string, signal: AbortSignal) => Promise<unknown>> = [
      (kv, key, signal) => kv.get(key, { signal }),
      (kv, key, signal) => kv.delete(key, { signal }),
      (kv, key, signal) => kv.put(key, "v", { signal }),
      (kv, key, signal) => kv.txn().then(op.get(key)).commit({ signal }),
      (kv, key, signal) => kv.do(op.put(key, "v"), { signal }),
      (kv, key, signal) => kv.do(op.delete(key), { signal }),
      (kv, key, signal) => kv.do(op.get(key), { signal }),
      (kv, key, signal) => kv.do(op.txn({ then: [op.get(key)] }), { signal }),
    ];
    const owners = await Promise.all(calls.map(async () => {
      const prefix = `${unique("pfx")}/`;
      const key = unique("abc");
      const kv = await viaProxy(prefix, { ttl: 2 });
      await kv.get(key);
      return { kv, key, prefix };
    }));
    proxy().setMode("blackhole");
    await Promise.all(owners.map(({ prefix, key }) => ownershipGone(prefix, key)));
    const reasons = await Promise.all(calls.map((call, i) => within(reasonOf(call(owners[i]!.kv, owners[i]!.key, abortAfter(100))), 5_000)));
    expect(reasons).toEqual(calls.map(() => "canceled"));
  });

  it("GetChecksForExpiration (etcd-io/etcd#21589): an owner cut off past its TTL does not serve the key another client wrote meanwhile", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const l0 = await viaProxy(prefix, { ttl: 2 });
    const l1 = await leasing(connect(others), prefix);
    await l0.put(key, "abc");
    await l0.get(key);
    proxy().setMode("blackhole");
    await l1.put(key, "def", { timeoutMs: 15_000 });
    expect((await l1.get(key)).kv?.text()).toBe("def");
    setTimeout(() => proxy().setMode("pass"), 1_000);
    expect((await l0.get(key, { timeoutMs: 10_000 })).kv?.text()).toBe("def");
  });
});
