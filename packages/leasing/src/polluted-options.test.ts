/**
 * Leasing options and call options are read from own properties only: with Object.prototype
 * polluted (as a prototype-pollution bug elsewhere in a process would leave it) while a leasing
 * KV is created and called, nothing inherited is used.
 */
import { createKV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, withPollutedPrototype, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeasingKV } from "./index.js";
import { closeAll, connect, unique } from "./leasing-test-env.test-helpers.js";

describe("leasing options with a polluted Object.prototype (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it("createLeasingKV(transport, prefix, {}) uses the defaults, and calls with {} use no inherited deadline or read option", async () => {
    const transport = connect(cluster.clientUrls);
    const kv = createKV(transport);
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    await kv.put(key, "v");
    const lkv = await withPollutedPrototype({ ttl: 7, safetyMarginMs: 1e12, revokeTimeoutMs: 1, timeoutMs: -1, lease: 424_242n }, () =>
      createLeasingKV(transport, prefix, {}),
    );
    try {
      const first = (await withPollutedPrototype({ timeoutMs: -1, keysOnly: true }, () => lkv.get(key, {}))).kv;
      const second = (await withPollutedPrototype({ timeoutMs: -1, keysOnly: true }, () => lkv.get(key, {}))).kv;
      expect([first?.text(), second?.text()]).toEqual(["v", "v"]);
      expect(lkv.stats.hits).toBe(1); // the inherited safety margin would have turned the cache off
      const ownership = (await kv.get(`${prefix}${key}`)).kv;
      expect(ownership?.lease).not.toBe(424_242n);
      const { grantedTtl } = await createLease(transport).timeToLive(ownership!.lease);
      expect(grantedTtl).toBe(60);
      await withPollutedPrototype({ timeoutMs: -1, prefix: true }, () => lkv.put(`${key}/other`, "x", {}));
      expect((await kv.get(key)).kv?.text()).toBe("v");
    } finally {
      await lkv.close();
    }
  });
});
