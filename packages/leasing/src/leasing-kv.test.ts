/**
 * The leasing KV against a real etcd: reads served from the cache (proved by cutting the client
 * off from etcd), the ownership keys it writes, a lost session, writes that wait for an owner,
 * close(), and bad input rejected before any I/O.
 */
import { createKV, op } from "@etcdkit/kv";
import { createRecordingTransport, createSpyTransport, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError, toBytes } from "@etcdkit/transport";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLeasingKV } from "./index.js";
import { closeAll, connect, errorOf, eventually, leasing, reasonOf, unique, within } from "./leasing-test-env.test-helpers.js";

describe("leasing KV (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterEach(() => {
    for (const member of cluster.members) member.proxy!.setMode("pass");
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  const proxy = () => cluster.members[0]!.proxy!;
  const plain = () => createKV(connect(cluster.clientUrls));

  it("a hit returns get's result: the value, the newest revision seen, and the header of the answer that filled the cache; it serializes like kv's", async () => {
    const prefix = `${unique("hdr")}/`;
    const [key, missing, other] = [unique("k"), unique("missing"), unique("other")];
    await plain().put(key, "abc");
    const lkv = await leasing(connect(cluster.clientUrls), prefix);
    const first = await lkv.get(key); // acquires it
    const absent = await lkv.get(missing);
    expect(first.header.revision).toBe(first.revision);
    expect(first.header.memberId).not.toBe(0n);
    const put = await lkv.put(other, "x"); // an answer at a newer revision
    const hit = await lkv.get(key);
    const absentHit = await lkv.get(missing);
    expect(lkv.stats.hits).toBe(2);
    expect(hit.kv?.text()).toBe("abc");
    expect(hit.revision).toBe(put.revision); // the newest revision this client has seen
    expect(hit.header).toEqual(first.header); // the acquisition's answer
    expect(absentHit.kv).toBeUndefined();
    expect(absentHit.revision).toBe(put.revision);
    expect(absentHit.header).toEqual(absent.header);
    const json = JSON.parse(JSON.stringify(hit));
    expect(json).toMatchObject({ revision: String(put.revision), kv: { value: "abc" }, header: { revision: String(first.revision) } });
    const txn = await lkv.txn().then(op.get(key), op.get(missing)).commit();
    expect(lkv.stats.hits).toBe(3); // answered from the cache
    expect(txn.revision).toBe(put.revision);
    expect(txn.header).toEqual(absent.header); // the newer of the two keys' headers
    expect(txn.responses.map((r) => (r as { header: unknown }).header)).toEqual([first.header, absent.header]);
    expect(JSON.parse(JSON.stringify(txn))).toMatchObject({ succeeded: true, revision: String(put.revision) });
  });

  it("a txn with writes returns a txn result like kv's: its header at its revision, and it serializes", async () => {
    const key = unique("k");
    const lkv = await leasing(connect(cluster.clientUrls), `${unique("pfx")}/`);
    const result = await lkv.txn().then(op.put(key, "v"), op.get(key)).commit();
    expect(result.succeeded).toBe(true);
    expect(result.header?.revision).toBe(result.revision);
    expect(result.header.memberId).not.toBe(0n);
    const json = JSON.parse(JSON.stringify(result));
    expect(json).toMatchObject({ succeeded: true, revision: String(result.revision), header: { revision: String(result.revision) } });
  });

  it("a txn answered from the cache checks its call options as a cached get does", async () => {
    const spy = createSpyTransport(connect(cluster.clientUrls));
    const lkv = await leasing(spy, `${unique("pfx")}/`);
    const key = unique("k");
    await lkv.get(key); // acquires it
    await lkv.get(key);
    expect(lkv.stats.hits).toBe(1);
    const before = spy.calls.length;
    const txn = () => lkv.txn().then(op.get(key));
    expect(await reasonOf(lkv.get(key, { signal: AbortSignal.abort() }))).toBe("canceled");
    expect(await reasonOf(txn().commit({ signal: AbortSignal.abort() }))).toBe("canceled");
    expect(await reasonOf(txn().commit({ timeoutMs: 0 }))).toBe("deadline-exceeded");
    expect(await reasonOf(txn().commit({ timeoutMs: "x" as never }))).toBe("invalid-argument");
    expect(await reasonOf(txn().commit({ signal: "no" as never }))).toBe("invalid-argument");
    expect((await txn().commit({ timeoutMs: 1_000 })).succeeded).toBe(true);
    expect(lkv.stats.hits).toBe(2); // the last txn was answered from the cache
    expect(spy.calls.length).toBe(before);
  });

  it("takes ownership on the first get and serves the next ones from memory, also with etcd unreachable", async () => {
    const prefix = `${unique("own")}/`;
    await plain().put("k", "abc");
    const lkv = await leasing(connect([proxy().url]), prefix);
    expect((await lkv.get("k")).kv?.text()).toBe("abc");
    const ownership = (await plain().get(`${prefix}k`)).kv;
    expect(ownership?.text()).toBe("");
    expect(ownership?.lease).not.toBe(0n);
    proxy().setMode("blackhole");
    expect((await lkv.get("k", { timeoutMs: 1_000 })).kv?.text()).toBe("abc");
    expect(lkv.stats).toMatchObject({ hits: 1, misses: 1, acquired: 1, cachedKeys: 1 });
  });

  it("a cache hit's revision is the newest revision this client has seen (a lower bound); its value is current", async () => {
    const key = unique("k");
    const lkv = await leasing(connect(cluster.clientUrls), `${unique("pfx")}/`);
    const { revision: acquired } = await lkv.range(key);
    const elsewhere = await plain().put(unique("other"), "x");
    const hit = await lkv.range(key);
    expect(hit.revision).toBe(acquired); // this client has not seen the other put
    expect(hit.revision < elsewhere.revision).toBe(true);
    const own = await lkv.put(unique("mine"), "y");
    expect((await lkv.range(key)).revision).toBe(own.revision);
  });

  it("accepts a client with a transport, and a prefix as bytes (returned as a copy)", async () => {
    const transport = connect(cluster.clientUrls);
    const lkv = await createLeasingKV({ transport }, toBytes("bytes-pfx/"));
    try {
      lkv.prefix[0] = 0;
      expect(new TextDecoder().decode(lkv.prefix)).toBe("bytes-pfx/");
      await lkv.put(unique("k"), "v");
    } finally {
      await lkv.close();
    }
  });

  it("drops the whole cache when its session is lost, then opens a new session and caches again", async () => {
    const key = unique("k");
    await plain().put(key, "v1");
    const lkv = await leasing(connect([proxy().url]), `${unique("pfx")}/`, { ttl: 2 });
    await lkv.get(key);
    expect(lkv.stats.cachedKeys).toBe(1);
    proxy().setMode("blackhole");
    await eventually(() => lkv.stats.cachedKeys === 0, 2_000 + 3_000, "the cache to be dropped at the lease's deadline");
    proxy().setMode("pass");
    await eventually(() => lkv.stats.sessions === 2, 10_000, "a new session");
    await plain().put(key, "v2");
    expect((await lkv.get(key)).kv?.text()).toBe("v2");
    await eventually(async () => (await lkv.get(key)).kv !== undefined && lkv.stats.cachedKeys === 1, 5_000, "the key cached again");
  });

  it("a write waiting for an unreachable owner ends at revokeTimeoutMs with deadline-exceeded, not applied", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect([proxy().url]), prefix);
    const writer = await leasing(connect(cluster.clientUrls), prefix, { revokeTimeoutMs: 500 });
    await owner.get(key);
    proxy().setMode("blackhole");
    const error = await within(errorOf(writer.put(key, "v")), 5_000);
    expect(isEtcdError(error, "deadline-exceeded") && !error.outcomeUnknown).toBe(true);
    expect((await plain().get(key)).kv).toBeUndefined();
    expect(writer.stats.revokes).toBe(1);
  });

  it("close() is idempotent; afterwards every call fails 'canceled'", async () => {
    const lkv = await leasing(connect(cluster.clientUrls), `${unique("pfx")}/`);
    await lkv.get(unique("k"));
    await lkv.close();
    await lkv.close();
    expect(await reasonOf(lkv.get("k"))).toBe("canceled");
    expect(await reasonOf(lkv.put("k", "v"))).toBe("canceled");
    expect(await reasonOf(lkv.txn().commit())).toBe("canceled");
  });

  it("rejects bad input before any I/O", async () => {
    const recording = createRecordingTransport();
    expect(await reasonOf(createLeasingKV({} as never, "p/"))).toBe("invalid-argument");
    expect(await reasonOf(createLeasingKV(recording, ""))).toBe("invalid-argument");
    expect(await reasonOf(createLeasingKV(recording, 42 as never))).toBe("invalid-argument");
    expect(await reasonOf(createLeasingKV(recording, "p/", { ttl: 0 }))).toBe("invalid-argument");
    expect(await reasonOf(createLeasingKV(recording, "p/", { ttl: 1.5 }))).toBe("invalid-argument");
    expect(await reasonOf(createLeasingKV(recording, "p/", { safetyMarginMs: -1 }))).toBe("invalid-argument");
    expect(await reasonOf(createLeasingKV(recording, "p/", { revokeTimeoutMs: 0 }))).toBe("invalid-argument");
    expect(await reasonOf(createLeasingKV(recording, "p/", { timeoutMs: 0 }))).toBe("deadline-exceeded");
    expect(await reasonOf(createLeasingKV(recording, "p/", [] as never))).toBe("invalid-argument");
    expect(recording.calls).toEqual([]);

    const spy = createSpyTransport(connect(cluster.clientUrls));
    const lkv = await leasing(spy, `${unique("pfx")}/`);
    const key = unique("k");
    await lkv.get(key); // cached
    const before = spy.calls.length;
    expect(await reasonOf(lkv.get(key, { timeoutMs: Number.NaN }))).toBe("invalid-argument");
    expect(await reasonOf(lkv.get(key, { timeoutMs: 0 }))).toBe("deadline-exceeded");
    expect(await reasonOf(lkv.get(key, { signal: AbortSignal.abort() }))).toBe("canceled");
    expect(await reasonOf(lkv.get(key, { signal: "no" as never }))).toBe("invalid-argument");
    expect(await reasonOf(lkv.put(key, "v", { timeoutMs: -1 }))).toBe("deadline-exceeded");
    expect(await reasonOf(lkv.do({ type: "put", key: "k" } as never))).toBe("invalid-argument");
    expect(await reasonOf(lkv.do({ type: "nope" } as never))).toBe("invalid-argument");
    expect(await reasonOf(lkv.do(op.txn({ then: [{ type: "get" } as never] })))).toBe("invalid-argument");
    expect(spy.calls.length).toBe(before);
  });
});
