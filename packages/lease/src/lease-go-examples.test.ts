/**
 * The lease examples of etcd's Go client (client/v3 example_lease_test.go), ported, against a
 * real etcd. TTLs are 2 s instead of Go's 5 s to keep the suite fast.
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectLease, eventually, sleep, uniqueKey, type LeaseEnv } from "./lease-test-env.test-helpers.js";

const TTL = 2;

describe("etcd Go client lease examples, against a real etcd", () => {
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

  it("ExampleLease_grant: after the TTL, the key 'foo' is removed", async () => {
    const key = uniqueKey("grant");
    const lease = await env.leases.grant(TTL);
    expect(lease.ttl).toBe(TTL);
    await env.put(key, "bar", lease.id);
    expect(await env.count(key)).toBe(1);
    const loss = await lease.lost; // local deadline: grant request sent + TTL
    expect(loss.reason).toBe("deadline");
    await eventually(async () => (await env.count(key)) === 0, 3_000, "the key to expire with its lease");
  });

  it("ExampleLease_revoke: number of keys: 0", async () => {
    const key = uniqueKey("revoke");
    const lease = await env.leases.grant(TTL);
    await env.put(key, "bar", lease.id);
    await lease.revoke();
    expect(`number of keys: ${await env.count(key)}`).toBe("number of keys: 0");
    expect((await lease.lost).reason).toBe("revoked");
  });

  it("ExampleLease_keepAlive: ttl: 2, and the key is still there after 3× the TTL", async () => {
    const key = uniqueKey("keepalive");
    const lease = await env.leases.grant(TTL);
    await env.put(key, "bar", lease.id);
    const renewals = lease.keepAlive();
    const first = await renewals.next();
    expect(`ttl: ${first.value?.ttl}`).toBe(`ttl: ${TTL}`);
    await sleep(3 * TTL * 1000);
    expect(await env.count(key)).toBe(1);
    expect(lease.loss).toBeUndefined();
    await lease.revoke();
    expect(await env.count(key)).toBe(0);
  });

  it("ExampleLease_keepAliveOnce: ttl: 2", async () => {
    const key = uniqueKey("once");
    const lease = await env.leases.grant(TTL);
    await env.put(key, "bar", lease.id);
    const renewal = await lease.keepAliveOnce();
    expect(`ttl: ${renewal.ttl}`).toBe(`ttl: ${TTL}`);
    expect(lease.deadline).toBe(renewal.deadline);
    await lease.revoke();
  });
});
