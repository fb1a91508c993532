/**
 * The lease API against a real etcd: timeToLive with keys, leases(), attach(), keepalive of many
 * leases on one shared stream, renewals as a latest-value iterable, release(), `await using`,
 * and argument checks before any I/O.
 */
import type { Transport } from "@connectrpc/connect";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Lease as LeaseService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { isEtcdError } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLease } from "./create-lease.js";
import type { LeaseRenewal } from "./lease-renewal.js";
import { connectLease, eventually, sleep, uniqueKey, type LeaseEnv } from "./lease-test-env.test-helpers.js";

/** A transport that fails the test if anything is sent. */
const noIo: Transport = {
  unary: () => Promise.reject(new Error("unexpected I/O")),
  stream: () => Promise.reject(new Error("unexpected I/O")),
};

describe("lease API (real etcd)", () => {
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

  it("timeToLive with keys, leases(), and a lease ID of our choosing", async () => {
    const lease = await env.leases.grant(30, { id: 0x1234_5678n });
    expect(lease.id).toBe(0x1234_5678n);
    const [a, b] = [uniqueKey("ttl-a"), uniqueKey("ttl-b")];
    await env.put(a, "1", lease.id);
    await env.put(b, "2", lease.id);
    const info = await lease.timeToLive({ keys: true });
    expect(info.grantedTtl).toBe(30);
    expect(info.ttl).toBeGreaterThan(25);
    expect(info.expired).toBe(false);
    expect(info.keys.map((k) => new TextDecoder().decode(k)).sort()).toEqual([a, b].sort());
    expect((await lease.timeToLive()).keys).toEqual([]);
    expect(await env.leases.leases()).toContain(lease.id);
    await expect(env.leases.grant(5, { id: lease.id })).rejects.toSatisfy((e) => isEtcdError(e, "lease-exists"));
    await lease.revoke();
    expect(await env.leases.timeToLive(lease.id)).toMatchObject({ ttl: -1, expired: true });
    expect(await env.leases.leases()).not.toContain(lease.id);
    await expect(env.leases.revoke(lease.id)).rejects.toSatisfy((e) => isEtcdError(e, "lease-not-found"));
    await expect(env.leases.keepAliveOnce(lease.id)).rejects.toSatisfy((e) => isEtcdError(e, "lease-not-found"));
  });

  it("keeps 50 leases alive on one stream, renewing each about every TTL/3", async () => {
    const before = env.leases.stats;
    const leases = await Promise.all(Array.from({ length: 50 }, () => env.leases.grant(2)));
    const started = performance.now();
    for (const lease of leases) lease.keepAlive();
    expect(env.leases.stats.keepAlives).toBe(before.keepAlives + 50);
    await sleep(4_500);
    expect(leases.every((l) => l.loss === undefined)).toBe(true);
    // each was renewed after its first TTL ran out: renewals went on, not just the first one
    for (const lease of leases) expect(lease.lastRenewal!.at).toBeGreaterThan(started + 2_000);
    const stats = env.leases.stats;
    expect(stats.streamsOpened - before.streamsOpened).toBe(1);
    const sent = stats.requestsSent - before.requestsSent;
    // every 667 ms for 4.5 s is 7 each (the first at once); timers never fire early, late ones do not catch up
    expect(sent).toBeGreaterThanOrEqual(50 * 2);
    expect(sent).toBeLessThanOrEqual(50 * 8);
    await Promise.all(leases.map((l) => l.revoke()));
    expect(env.leases.stats.keepAlives).toBe(before.keepAlives);
    expect(env.leases.stats.connected).toBe(false); // the stream closes with its last lease
  });

  it("keeps a lease of etcd's maximum TTL alive without spinning (timers capped at 2^31-1 ms)", async () => {
    const overflows: Error[] = [];
    const onWarning = (w: Error): void => {
      if (w.name === "TimeoutOverflowWarning") overflows.push(w);
    };
    process.on("warning", onWarning);
    try {
      const before = env.leases.stats;
      const lease = await env.leases.grant(9_000_000_000); // ~285 years: TTL/3 is far beyond setTimeout's maximum
      lease.keepAlive();
      await sleep(1_500);
      const sent = env.leases.stats.requestsSent - before.requestsSent;
      expect(sent).toBeGreaterThanOrEqual(1); // the first renewal goes out at once
      expect(sent).toBeLessThanOrEqual(2); // not one per millisecond
      expect(lease.loss).toBeUndefined();
      expect(lease.ttl).toBeGreaterThan(8_999_000_000);
      expect(lease.remainingMs()).toBeGreaterThan(365 * 24 * 3600 * 1000);
      await lease.revoke();
      expect(overflows).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("renewals keep only the newest one for a slow consumer, and end when the lease is lost", async () => {
    const lease = await env.leases.grant(2);
    const renewals = lease.keepAlive();
    const eager = lease.keepAlive(); // one keepalive, several views
    expect(eager).not.toBe(renewals);
    const seen: LeaseRenewal[] = [];
    const consumer = (async () => {
      for await (const renewal of eager) seen.push(renewal);
    })();
    await eventually(() => seen.length >= 3, 10_000, "three renewals");
    const first = await renewals.next(); // the slow view skipped to the newest
    expect(first.value).toBe(seen[seen.length - 1]);
    expect(first.value).toBe(lease.lastRenewal);
    const second = await renewals.next(); // then waits for the next one
    expect(second.value!.at).toBeGreaterThan(first.value!.at);
    await lease.revoke();
    expect(await renewals.next()).toEqual({ value: undefined, done: true });
    await consumer;
  });

  it("release() stops renewing without revoking: the lease is lost at its deadline", async () => {
    const lease = await env.leases.grant(2, { keepAlive: true });
    await sleep(300);
    lease.release();
    expect(lease.keepingAlive).toBe(false);
    const loss = await lease.lost;
    expect(loss.reason).toBe("deadline");
    expect(loss.at).toBeGreaterThanOrEqual(lease.deadline!);
  });

  it("attach() keeps alive a lease granted elsewhere; `await using` revokes it", async () => {
    const key = uniqueKey("attach");
    const granted = await createLease(env.transport).grant(2);
    await env.put(key, "v", granted.id);
    {
      await using attached = env.leases.attach(granted.id);
      expect(attached.deadline).toBeUndefined();
      const renewal = await attached.keepAlive().next();
      expect(renewal.value?.ttl).toBe(2);
      expect(attached.deadline).toBe(renewal.value?.deadline);
      await sleep(2_500);
      expect(await env.count(key)).toBe(1);
    }
    expect(await env.count(key)).toBe(0);
    expect((await granted.timeToLive()).expired).toBe(true);
    // disposing a lease that is gone already does not throw
    const gone = await env.leases.grant(2);
    await env.leases.revoke(gone.id);
    await expect(gone[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });

  it("runs on Connect's own gRPC transport too", async () => {
    const leases = createLease(createGrpcTransport({ baseUrl: cluster.endpoints[0]! }));
    const lease = await leases.grant(2);
    const renewal = await lease.keepAlive().next();
    expect(renewal.value?.ttl).toBe(2);
    expect((await lease.keepAliveOnce()).ttl).toBe(2);
    await lease.revoke();
    expect((await lease.lost).reason).toBe("revoked");
  });

  it("a lease with a negative ID (etcd 3.4 grants and lists it) can be looked up, renewed, attached and revoked", async () => {
    const id = -0x1234_5679n;
    await createClient(LeaseService, env.transport).leaseGrant({ ID: id, TTL: 30n });
    expect(await env.leases.leases()).toContain(id);
    expect((await env.leases.timeToLive(id)).grantedTtl).toBe(30);
    expect((await env.leases.keepAliveOnce(id)).ttl).toBe(30);
    const attached = env.leases.attach(id);
    expect((await attached.keepAlive().next()).value?.ttl).toBe(30);
    await env.leases.revoke(id);
    expect((await attached.lost).reason).toBe("revoked");
    expect(await env.leases.leases()).not.toContain(id);
  });

  it("rejects bad arguments before any I/O", async () => {
    const leases = createLease(noIo);
    await expect(leases.grant(0)).rejects.toSatisfy((e) => isEtcdError(e, "invalid-argument"));
    await expect(leases.grant(1.5)).rejects.toSatisfy((e) => isEtcdError(e, "invalid-argument"));
    await expect(leases.grant(5, { id: -1n })).rejects.toSatisfy((e) => isEtcdError(e, "invalid-argument"));
    expect(() => leases.attach(0n)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
  });
});
