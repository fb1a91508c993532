/**
 * The leasing KV against a real etcd: reads served from the cache (proved by cutting the client
 * off from etcd), the ownership keys it writes, invalidation by other writers, close().
 */
import { createKV } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, leasing, unique } from "./leasing-test-env.test-helpers.js";

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

  it("takes ownership on the first get and serves the next ones from memory, also with etcd unreachable", async () => {
    const member = cluster.members[0]!;
    const plain = createKV(connect(cluster.clientUrls));
    const prefix = `${unique("own")}/`;
    await plain.put("k", "abc");
    const lkv = await leasing(connect([member.proxy!.url]), prefix);
    expect((await lkv.get("k"))?.text()).toBe("abc");
    const ownership = await plain.get(`${prefix}k`);
    expect(ownership?.text()).toBe("");
    expect(ownership?.lease).not.toBe(0n);
    member.proxy!.setMode("blackhole");
    expect((await lkv.get("k", { timeoutMs: 1_000 }))?.text()).toBe("abc");
    expect(lkv.stats).toMatchObject({ hits: 1, misses: 1, acquired: 1, cachedKeys: 1 });
  });
});
