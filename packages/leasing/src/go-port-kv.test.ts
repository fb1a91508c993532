/**
 * Go's leasing integration tests (etcd tests/integration/clientv3/lease/leasing_test.go) that
 * apply, ported to a real etcd: gets, puts and deletes through one or several leasing KVs. Where
 * Go stops the member to show a read is "served through cache", the leasing KV's connection goes
 * through a proxy that is blackholed instead (etcd keeps running for the other clients).
 */
import { createKV, op, type KV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, leasing, reasonOf, sleep, snapshot, unique } from "./leasing-test-env.test-helpers.js";
import type { LeasingKV } from "./index.js";

describe("Go's leasing tests: gets, puts, deletes (real etcd)", () => {
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

  /** A leasing KV whose connection goes through the member's proxy, and a key prefix of its own. */
  async function viaProxy(options?: { ttl?: number }): Promise<{ lkv: LeasingKV; k: (name: string) => string; cut: () => void }> {
    const lkv = await leasing(connect([cluster.members[0]!.proxy!.url]), `${unique("pfx")}/`, options);
    const ns = unique("keys");
    return { lkv, k: (name) => `${ns}/${name}`, cut: () => cluster.members[0]!.proxy!.setMode("blackhole") };
  }

  it("PutGet: a put through one leasing KV is read by the others, also after they cached the key", async () => {
    const prefix = `${unique("foo")}/`;
    const [l1, l2, l3] = await Promise.all([0, 1, 2].map(() => leasing(connect(cluster.clientUrls), prefix)));
    const key = unique("abc");
    expect((await l1!.get(key)).kv).toBeUndefined();
    await l1!.put(key, "def");
    expect((await l2!.get(key)).kv?.text()).toBe("def");
    await l3!.get(key);
    await l2!.put(key, "ghi");
    const read = (await l3!.get(key)).kv;
    expect(read?.keyText()).toBe(key);
    expect(read?.text()).toBe("ghi");
  });

  it("Interval: range reads go to etcd, also over a cached key", async () => {
    const { lkv, k } = await viaProxy();
    for (const name of ["abc/a", "abc/b", "abc/a/a"]) await plain.put(k(name), "v");
    expect((await lkv.getPrefix(k("abc/"))).kvs).toHaveLength(3);
    await lkv.get(k("abc/a"));
    expect((await lkv.getPrefix(k("abc/a"))).kvs).toHaveLength(2);
  });

  it("PutInvalidateNew / PutInvalidateExisting: after a put to a cached key, the leasing KV answers what etcd answers", async () => {
    const { lkv, k } = await viaProxy();
    await lkv.get(k("new"));
    await lkv.put(k("new"), "v");
    expect(snapshot(await lkv.range(k("new")))).toEqual(snapshot(await plain.range(k("new"))));
    await plain.put(k("existing"), "abc");
    await lkv.get(k("existing"));
    await lkv.put(k("existing"), "v");
    expect(snapshot(await lkv.range(k("existing")))).toEqual(snapshot(await plain.range(k("existing"))));
    expect(lkv.stats.hits).toBe(2);
  });

  it("GetNoLeaseTTL: a key with a lease of its own is not cached", async () => {
    const { lkv, k, cut } = await viaProxy();
    const lease = await createLease(connect(cluster.clientUrls)).grant(60);
    await plain.put(k("k"), "v", { lease: lease.id });
    expect((await lkv.get(k("k"))).kv?.text()).toBe("v");
    cut();
    expect(await reasonOf(lkv.get(k("k"), { timeoutMs: 1_000 }))).toBe("deadline-exceeded");
    await lease.revoke();
  });

  it("GetSerializable: a serializable read does not acquire; a cached key is served serializable while etcd is unreachable", async () => {
    const { lkv, k, cut } = await viaProxy();
    await plain.put(k("cached"), "abc");
    await lkv.get(k("cached"));
    expect((await lkv.get(k("uncached"), { serializable: true })).kv).toBeUndefined();
    expect((await plain.get(`${new TextDecoder().decode(lkv.prefix)}${k("uncached")}`)).kv).toBeUndefined(); // no ownership key
    cut();
    expect((await lkv.get(k("cached"), { serializable: true })).kv?.text()).toBe("abc");
  });

  it("PrevKey: a put by the owner returns the previous key-value", async () => {
    const { lkv, k } = await viaProxy();
    await plain.put(k("k"), "abc");
    await lkv.get(k("k"));
    expect((await lkv.put(k("k"), "def", { prevKv: true })).prevKv?.text()).toBe("abc");
  });

  it("RevGet: a read at a revision goes to etcd; the current value comes from the cache", async () => {
    const { lkv, k } = await viaProxy();
    const first = await plain.put(k("k"), "abc");
    await plain.put(k("k"), "def");
    expect((await lkv.get(k("k"), { revision: first.revision })).kv?.text()).toBe("abc");
    expect((await lkv.get(k("k"))).kv?.text()).toBe("def");
  });

  it("GetWithOpts: read options are served from the cache with etcd's semantics (compared with etcd's own answers)", async () => {
    const { lkv, k, cut } = await viaProxy();
    await plain.put(k("k"), "abc");
    await plain.put(k("k"), "abcd");
    await lkv.get(k("k"), { keysOnly: true });
    const variants = [
      { keysOnly: true },
      { minCreateRevision: 1n },
      { minModRevision: 1n },
      { maxModRevision: 1n },
      { minCreateRevision: 1_000_000n },
      { maxCreateRevision: 1n },
      { serializable: true },
      { keysOnly: true, minModRevision: 1n },
    ] as const;
    const want = await Promise.all(variants.map((v) => plain.range(k("k"), v)));
    const countOnly = await plain.range(k("k"), { countOnly: true, maxModRevision: 1n } as never); // a single-key countOnly does not compile; etcd takes it
    cut();
    for (const [i, v] of variants.entries()) expect(snapshot(await lkv.range(k("k"), { ...v, timeoutMs: 1_000 }))).toEqual(snapshot(want[i]!));
    expect(snapshot(await lkv.range(k("k"), { countOnly: true, maxModRevision: 1n, timeoutMs: 1_000 } as never))).toEqual(snapshot(countOnly));
    expect(lkv.stats.hits).toBe(variants.length + 1);
  });

  it("ConcurrentPut: after 16 concurrent puts by the owner, a get gives the newest mod revision and version 16", async () => {
    const { lkv, k } = await viaProxy();
    await lkv.get(k("k"));
    const puts = await Promise.all(Array.from({ length: 16 }, () => lkv.put(k("k"), "abc")));
    const max = puts.reduce((m, p) => (p.revision > m ? p.revision : m), 0n);
    const read = (await lkv.get(k("k"))).kv;
    expect(read?.modRevision).toBe(max);
    expect(read?.version).toBe(16);
  });

  it("DisconnectedGet: a cached key is served while etcd is unreachable", async () => {
    const { lkv, k, cut } = await viaProxy();
    await plain.put(k("cached"), "abc");
    await lkv.get(k("cached"));
    cut();
    expect((await lkv.get(k("cached"), { timeoutMs: 1_000 })).kv?.text()).toBe("abc");
  });

  it("DeleteOwner / DeleteNonOwner: a delete by the owner or by another leasing KV removes the key from the owner's cache", async () => {
    const { lkv, k } = await viaProxy();
    const other = await leasing(connect(cluster.clientUrls), new TextDecoder().decode(lkv.prefix));
    await plain.put(k("k"), "abc");
    await lkv.get(k("k"));
    await lkv.delete(k("k"));
    expect((await lkv.get(k("k"))).kv).toBeUndefined();
    expect((await lkv.delete(k("k"))).deleted).toBe(0); // a second delete is fine
    await plain.put(k("j"), "abc");
    await lkv.get(k("j"));
    expect((await other.delete(k("j"))).deleted).toBe(1);
    expect((await lkv.get(k("j"))).kv).toBeUndefined();
  });

  it("OverwriteResponse: changing the bytes of a returned key-value does not change the cache", async () => {
    const { lkv, k } = await viaProxy();
    await plain.put(k("k"), "abc");
    const first = (await lkv.get(k("k"))).kv!;
    first.key[0] = "z".charCodeAt(0);
    first.value[0] = "z".charCodeAt(0);
    const second = (await lkv.get(k("k"))).kv!;
    second.value[1] = "z".charCodeAt(0);
    const third = (await lkv.get(k("k"))).kv!;
    expect(third.keyText()).toBe(k("k"));
    expect(third.text()).toBe("abc");
  });

  it("OwnerPutResponse: after the owner's put, the cached key has the put's revision and version 2", async () => {
    const { lkv, k, cut } = await viaProxy();
    await plain.put(k("k"), "abc");
    await lkv.get(k("k"));
    const put = await lkv.put(k("k"), "def");
    cut();
    const read = (await lkv.get(k("k"), { timeoutMs: 1_000 })).kv;
    expect(read?.modRevision).toBe(put.revision);
    expect(read?.version).toBe(2);
    expect(read?.text()).toBe("def");
  });

  it("OwnerPutError / OwnerDeleteError / NonOwnerPutError: writes fail within their deadline while etcd is unreachable", async () => {
    const { lkv, k, cut } = await viaProxy();
    await lkv.get(k("k"));
    cut();
    expect(await reasonOf(lkv.put(k("k"), "v", { timeoutMs: 300 }))).toBe("deadline-exceeded");
    expect(await reasonOf(lkv.delete(k("k"), { timeoutMs: 300 }))).toBe("deadline-exceeded");
    expect(await reasonOf(lkv.put(k("other"), "v", { timeoutMs: 300 }))).toBe("deadline-exceeded");
  });

  it("PutGetDeleteConcurrent: 16 workers put/get/delete one key through 16 leasing KVs; the key ends deleted everywhere", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const transport = connect(cluster.clientUrls);
    const lkvs = await Promise.all(Array.from({ length: 16 }, () => leasing(transport, prefix)));
    const getdel = async (kv: LeasingKV): Promise<void> => {
      await kv.put(key, "abc");
      await sleep(1);
      await kv.get(key);
      await kv.delete(key);
      await sleep(2);
    };
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (const kv of lkvs) await getdel(kv);
    }));
    expect((await lkvs[0]!.get(key)).kv).toBeUndefined();
    expect((await plain.get(key)).kv).toBeUndefined();
  });

  it("Do: every kind of op runs through do(), with the result of its kind", async () => {
    const { lkv, k } = await viaProxy();
    const results = [
      await lkv.do(op.txn({})),
      await lkv.do(op.get(k("a"))),
      await lkv.do(op.put(k("a/abc"), "v")),
      await lkv.do(op.delete(k("a"), { prefix: true })),
      await lkv.do(op.txn({})),
    ];
    expect("succeeded" in results[0]!).toBe(true);
    expect("kvs" in results[1]!).toBe(true);
    expect("prevKv" in results[2]!).toBe(true);
    expect("deleted" in results[3]!).toBe(true);
    expect("succeeded" in results[4]!).toBe(true);
    expect((await plain.getPrefix(k("a"))).kvs).toHaveLength(0);
  });
});
