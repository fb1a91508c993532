/**
 * A Go leasing client and this package sharing one prefix, against a real etcd: the Go client is
 * the transcription of its requests in `go-protocol.test-helpers.ts` (no Go toolchain here).
 * Both sides must see each other's ownership keys, answer each other's revoke requests, and
 * never serve a value the other changed.
 */
import { createKV, type KV } from "@etcdkit/kv";
import { createLease, type Lease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createWatch } from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goLeasingClient, type GoLeasingClient } from "./go-protocol.test-helpers.js";
import { closeAll, connect, eventually, leasing, unique, within } from "./leasing-test-env.test-helpers.js";

describe("sharing a prefix with Go's leasing client (real etcd)", () => {
  let cluster: EtcdCluster;
  let plain: KV;
  let goLease: Lease;
  const goClients: GoLeasingClient[] = [];
  beforeAll(async () => {
    cluster = await startEtcd();
    const transport = connect(cluster.clientUrls);
    plain = createKV(transport);
    goLease = await createLease(transport).grant(60, { keepAlive: true });
  });
  afterAll(async () => {
    for (const go of goClients) go.stop();
    await goLease?.revoke().catch(() => undefined);
    await closeAll();
    await cluster?.stop();
  });

  function goClient(prefix: string): GoLeasingClient {
    const transport = connect(cluster.clientUrls);
    const go = goLeasingClient(createKV(transport), createWatch(transport), prefix, goLease.id);
    goClients.push(go);
    return go;
  }

  it("writes the same ownership key as Go: prefix + key, an empty value, the owner's session lease", async () => {
    const prefix = `${unique("pfx")}/`;
    const mine = unique("mine");
    const theirs = unique("theirs");
    const lkv = await leasing(connect(cluster.clientUrls), prefix);
    await lkv.get(mine);
    await goClient(prefix).get(theirs);
    const [a, b] = [(await plain.get(`${prefix}${mine}`)).kv!, (await plain.get(`${prefix}${theirs}`)).kv!];
    expect([a.text(), b.text(), a.version, b.version]).toEqual(["", "", 1, 1]);
    expect(a.lease).not.toBe(0n);
    expect(b.lease).toBe(goLease.id);
    expect(a.lease).not.toBe(b.lease);
  });

  it("a key Go owns: this package reads it from etcd without taking it, and its write makes Go give the key up first", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    await plain.put(key, "v1");
    const go = goClient(prefix);
    expect(await go.get(key)).toEqual({ owned: true, value: "v1" });
    const lkv = await leasing(connect(cluster.clientUrls), prefix);
    expect((await lkv.get(key)).kv?.text()).toBe("v1");
    expect(lkv.stats.acquired).toBe(0);
    expect(lkv.stats.cachedKeys).toBe(0);
    await within(lkv.put(key, "v2"), 10_000);
    // Go records its rescind once its delete is answered; the writer may see the delete first.
    await eventually(() => go.rescinded.length > 0, 5_000, "Go's rescind to be recorded");
    expect(go.rescinded).toEqual([`${prefix}${key}`]);
    expect((await plain.get(key)).kv?.text()).toBe("v2");
  });

  it("a key this package owns: Go's write revokes it, this package gives it up, and then reads Go's value", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    await plain.put(key, "v1");
    const lkv = await leasing(connect(cluster.clientUrls), prefix);
    await lkv.get(key);
    expect(lkv.stats.cachedKeys).toBe(1);
    const go = goClient(prefix);
    expect((await go.get(key)).owned).toBe(false); // Go sees the ownership key and does not take it
    await within(go.put(key, "from-go"), 10_000);
    expect(lkv.stats.released).toBe(1);
    expect((await lkv.get(key)).kv?.text()).toBe("from-go");
  });

  it("range deletes across both: Go's deleteRange revokes this package's keys; this package's revokes Go's", async () => {
    const prefix = `${unique("pfx")}/`;
    const ns = unique("keys");
    for (const name of ["a", "b", "c", "d"]) await plain.put(`${ns}/${name}`, "v");
    const lkv = await leasing(connect(cluster.clientUrls), prefix);
    const go = goClient(prefix);
    await lkv.get(`${ns}/a`);
    await go.get(`${ns}/b`);
    expect(await within(go.deletePrefix(`${ns}/`), 10_000)).toBe(4);
    expect((await lkv.get(`${ns}/a`)).kv).toBeUndefined();
    for (const name of ["a", "b"]) await plain.put(`${ns}/${name}`, "again");
    await go.get(`${ns}/b`);
    await lkv.get(`${ns}/a`);
    expect(await within(lkv.delete(`${ns}/`, { prefix: true }).then((r) => r.deleted), 10_000)).toBe(2);
    expect(go.rescinded).toContain(`${prefix}${ns}/b`);
    expect((await plain.getPrefix(`${ns}/`)).count).toBe(0);
  });
});
