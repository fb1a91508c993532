/**
 * Put, delete and compact options against a real etcd, each with an assertion that fails if the
 * option were ignored. One etcd for the file (compaction runs last).
 */
import { createClient } from "@connectrpc/connect";
import { Lease } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKV } from "./create-kv.js";
import type { KV } from "./kv.js";
import { connectKV, createSpyTransport, uniquePrefix } from "./kv-test-env.test-helpers.js";
import { op } from "./op-builders.js";

describe("KV writes: put, delete and compact options, against a real etcd", () => {
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

  const grant = async (ttl = 60n) => (await createClient(Lease, transport).leaseGrant({ TTL: ttl })).ID;
  const revoke = (id: bigint) => createClient(Lease, transport).leaseRevoke({ ID: id });

  it("put with lease: the key carries the lease and goes away with it", async () => {
    const p = uniquePrefix("lease");
    const lease = await grant();
    await kv.put(`${p}a`, "v", { lease });
    expect((await kv.get(`${p}a`)).kv?.lease).toBe(lease);
    await revoke(lease);
    expect((await kv.get(`${p}a`)).kv).toBeUndefined();
  });

  it("put with an unknown lease fails with lease-not-found", async () => {
    const error = await kv.put(`${uniquePrefix("lease")}a`, "v", { lease: 0x7777n }).catch((e: unknown) => e);
    expect(isEtcdError(error, "lease-not-found")).toBe(true);
  });

  it("put with prevKv returns the previous key-value; without it, none", async () => {
    const p = uniquePrefix("prev-kv");
    const first = await kv.put(`${p}a`, "one", { prevKv: true });
    expect(first.prevKv).toBeUndefined();
    const second = await kv.put(`${p}a`, "two", { prevKv: true });
    expect(second.prevKv?.text()).toBe("one");
    expect(second.prevKv?.keyText()).toBe(`${p}a`);
    expect(second.prevKv?.modRevision).toBe(first.revision);
    expect(second.revision).toBe(first.revision + 1n);
    const third = await kv.put(`${p}a`, "three");
    expect(third.prevKv).toBeUndefined();
  });

  it("put with ignoreValue keeps the value (here: to attach a lease); on a missing key: key-not-found", async () => {
    const p = uniquePrefix("ignore-value");
    await kv.put(`${p}a`, "kept");
    const lease = await grant();
    const result = await kv.put(`${p}a`, { ignoreValue: true, lease, prevKv: true });
    expect(result.prevKv?.text()).toBe("kept");
    const { kv: item } = await kv.get(`${p}a`);
    expect(item?.text()).toBe("kept");
    expect(item?.lease).toBe(lease);
    expect(item?.version).toBe(2);
    const missing = await kv.put(`${p}missing`, { ignoreValue: true }).catch((e: unknown) => e);
    expect(isEtcdError(missing, "key-not-found")).toBe(true);
    await revoke(lease);
  });

  it("put with ignoreLease keeps the lease while changing the value; on a missing key: key-not-found", async () => {
    const p = uniquePrefix("ignore-lease");
    const lease = await grant();
    await kv.put(`${p}a`, "one", { lease });
    await kv.put(`${p}a`, "two", { ignoreLease: true });
    const { kv: item } = await kv.get(`${p}a`);
    expect(item?.text()).toBe("two");
    expect(item?.lease).toBe(lease);
    await kv.put(`${p}a`, "three");
    expect((await kv.get(`${p}a`)).kv?.lease).toBe(0n);
    const missing = await kv.do(op.put(`${p}missing`, "v", { ignoreLease: true })).catch((e: unknown) => e);
    expect(isEtcdError(missing, "key-not-found")).toBe(true);
    await revoke(lease);
  });

  it("delete: one key, with deleted count and prevKv", async () => {
    const p = uniquePrefix("delete");
    await kv.put(`${p}a`, "1");
    await kv.put(`${p}ab`, "2");
    const result = await kv.delete(`${p}a`, { prevKv: true });
    expect(result.deleted).toBe(1);
    expect(result.prevKvs.map((item) => item.text())).toEqual(["1"]);
    expect((await kv.get(`${p}ab`)).kv?.text()).toBe("2");
    const nothing = await kv.delete(`${p}a`);
    expect(nothing.deleted).toBe(0);
    const withoutPrev = await kv.delete(`${p}ab`);
    expect(withoutPrev.deleted).toBe(1);
    expect(withoutPrev.prevKvs).toHaveLength(0);
  });

  it("delete: a prefix, a range [key, end) and from a key", async () => {
    const p = uniquePrefix("delete-range");
    const keys = ["a/1", "a/2", "a0", "b", "c", "d"];
    for (const key of keys) await kv.put(`${p}${key}`, key);
    const byPrefix = await kv.delete(`${p}a/`, { prefix: true, prevKv: true });
    expect(byPrefix.deleted).toBe(2);
    expect(byPrefix.prevKvs.map((item) => item.text())).toEqual(["a/1", "a/2"]);
    const byRange = await kv.delete(`${p}a0`, { end: `${p}c` });
    expect(byRange.deleted).toBe(2);
    expect((await kv.getPrefix(p)).kvs.map((item) => item.text())).toEqual(["c", "d"]);
    const tail = Uint8Array.from([0xfe, 0xfe]);
    await kv.put(Uint8Array.from([...tail, 1]), "x");
    await kv.put(Uint8Array.from([...tail, 2]), "y");
    const fromKey = await kv.delete(tail, { fromKey: true, prevKv: true });
    expect(fromKey.prevKvs.map((item) => item.text())).toEqual(["x", "y"]);
    expect((await kv.getPrefix(p)).count).toBe(2);
  });

  it("compact (physical): sent as physical, waits for the compaction, old revisions are gone", async () => {
    const spy = createSpyTransport(transport);
    const spied = createKV(spy);
    const p = uniquePrefix("compact");
    const old = await spied.put(`${p}a`, "old");
    const current = await spied.put(`${p}a`, "new");
    const result = await spied.compact(current.revision, { physical: true });
    expect(result.revision).toBeGreaterThanOrEqual(current.revision);
    expect(spy.calls.find((call) => call.method === "Compact")?.input).toMatchObject({
      revision: current.revision,
      physical: true,
    });
    const error = await spied.get(`${p}a`, { revision: old.revision }).catch((e: unknown) => e);
    expect(isEtcdError(error, "compacted")).toBe(true);
    expect((await spied.get(`${p}a`, { revision: current.revision })).kv?.text()).toBe("new");
    const again = await spied.compact(old.revision).catch((e: unknown) => e);
    expect(isEtcdError(again, "compacted")).toBe(true);
  });
});
