import { startEtcd, withPollutedPrototype, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectLease, type LeaseEnv } from "./lease-test-env.test-helpers.js";

/**
 * Lease options are read from own properties only: with Object.prototype polluted while a call
 * reads its options (and sends its request), nothing inherited is used.
 */
describe("lease options with a polluted Object.prototype", () => {
  let cluster: EtcdCluster;
  let env: LeaseEnv;
  beforeAll(async () => {
    cluster = await startEtcd();
    env = connectLease(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("grant(ttl, {}) gets an ID from etcd and no keepalive; attach(id, {}) has no TTL", async () => {
    const lease = await withPollutedPrototype({ id: 424_242n, keepAlive: true }, () => env.leases.grant(30, {}));
    expect([lease.id === 424_242n, lease.keepingAlive]).toEqual([false, false]);
    const attached = await withPollutedPrototype({ ttl: 99 }, () => env.leases.attach(lease.id, {}));
    expect(attached.ttl).toBe(0);
    await lease.revoke();
  });

  it("timeToLive(id, {}) lists no keys, and keepAliveOnce(id, {}) has no inherited deadline", async () => {
    const lease = await env.leases.grant(30);
    await env.put("/polluted-lease/k", "v", lease.id);
    const info = await withPollutedPrototype({ keys: true }, () => env.leases.timeToLive(lease.id, {}));
    expect(info.keys).toEqual([]);
    const renewal = await withPollutedPrototype({ timeoutMs: -1 }, () => env.leases.keepAliveOnce(lease.id, {}));
    expect(renewal.ttl).toBeGreaterThan(0);
    await lease.revoke();
  });
});
