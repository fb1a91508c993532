/**
 * When a lease is lost, against a real etcd behind the harness's proxy: a blackholed connection
 * (lost at the local deadline, no later than the last renewal + TTL; its keys are gone after
 * healing), a lease revoked elsewhere (the next renewal answers TTL 0), revoke(), close(), and
 * the transport closing.
 */
import { createTransport, isEtcdError } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLease } from "./create-lease.js";
import type { LeaseRenewal } from "./lease-renewal.js";
import { connectLease, eventually, settlesWithin, sleep, uniqueKey, type LeaseEnv } from "./lease-test-env.test-helpers.js";

/** Timer slack on a busy shared machine: generous, never a timing window. */
const SLACK_MS = 2_000;

describe("losing a lease (real etcd, proxy)", () => {
  let cluster: EtcdCluster;
  let env: LeaseEnv;
  let proxy: TcpProxy;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
    env = connectLease(cluster.endpoints, cluster.clientUrls);
  });
  afterEach(() => proxy.setMode("pass"));
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("blackholed with a TTL=3 lease: lost fires by the last renewal + TTL; after healing, its keys are gone", async () => {
    const key = uniqueKey("blackhole");
    const lease = await env.leases.grant(3);
    await env.put(key, "v", lease.id);
    const renewals: LeaseRenewal[] = [];
    const consumer = (async () => {
      for await (const renewal of lease.keepAlive()) renewals.push(renewal);
    })();
    await eventually(() => renewals.length >= 2, 5_000, "two renewals");
    expect(lease.signal.aborted).toBe(false);

    proxy.setMode("blackhole");
    const loss = await settlesWithin(lease.lost, 3_000 + 3 * SLACK_MS, "lease.lost");
    await consumer; // the renewals end with the loss
    const last = renewals[renewals.length - 1]!;
    expect(loss.reason).toBe("deadline");
    expect(isEtcdError(loss.error, "deadline-exceeded")).toBe(true);
    // the deadline is the last renewal's send time + TTL: never after the renewal was received + TTL
    expect(lease.deadline).toBe(last.deadline);
    expect(last.deadline).toBeLessThanOrEqual(last.at + 3_000);
    // lost at that deadline: not before it, and not long after (timers run late on a busy machine)
    expect(loss.at).toBeGreaterThanOrEqual(last.deadline);
    expect(loss.at).toBeLessThanOrEqual(last.deadline + SLACK_MS);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBe(loss.error);

    // Healing delivers the keepalive requests the proxy held, and etcd may renew the lease once
    // more on them (the client had already given it up): it expires within two TTLs.
    proxy.setMode("pass");
    await eventually(async () => (await env.count(key)) === 0, 2 * 3_000 + SLACK_MS, "etcd to expire the lease");
    expect((await env.leases.timeToLive(lease.id)).expired).toBe(true);
    expect(lease.keepingAlive).toBe(false);
  });

  it("revoked elsewhere while kept alive: the next renewal answers TTL 0 and the lease is lost as expired", async () => {
    const lease = await env.leases.grant(2, { keepAlive: true });
    const other = createTransport({ endpoints: cluster.clientUrls });
    await createLease(other).revoke(lease.id);
    await other.close();
    const loss = await lease.lost;
    expect(loss.reason).toBe("expired");
    expect(isEtcdError(loss.error, "lease-not-found")).toBe(true);
    await expect(lease.keepAliveOnce()).rejects.toSatisfy((e) => isEtcdError(e, "lease-not-found"));
  });

  it("revoke() and close() settle lost with their reasons; lost never rejects", async () => {
    const revoked = await env.leases.grant(5, { keepAlive: true });
    await revoked.revoke();
    expect((await revoked.lost).reason).toBe("revoked");
    await expect(revoked.revoke()).rejects.toSatisfy((e) => isEtcdError(e, "lease-not-found"));

    const leases = createLease(env.transport);
    const closed = await leases.grant(5, { keepAlive: true });
    await leases.close();
    expect((await closed.lost).reason).toBe("closed");
    await expect(leases.grant(5)).resolves.toSatisfy((l) => l.loss?.reason === "closed");
    await env.leases.revoke(closed.id);
  });

  it("the transport closing loses kept-alive leases with reason closed (transport-closed)", async () => {
    const transport = createTransport({ endpoints: cluster.clientUrls });
    const lease = await createLease(transport).grant(5, { keepAlive: true });
    await sleep(50);
    await transport.close();
    const loss = await lease.lost;
    expect(loss.reason).toBe("closed");
    expect(isEtcdError(loss.error, "transport-closed")).toBe(true);
    await env.leases.revoke(lease.id);
  });

  it("a short outage does not lose the lease: the stream is re-opened and renewals resume", async () => {
    const key = uniqueKey("outage");
    const lease = await env.leases.grant(3, { keepAlive: true });
    await env.put(key, "v", lease.id);
    const opened = env.leases.stats.streamsOpened;
    proxy.setMode("reset");
    await sleep(700);
    proxy.setMode("pass");
    await sleep(3_000);
    expect(lease.loss).toBeUndefined();
    expect(await env.count(key)).toBe(1);
    expect(env.leases.stats.streamsOpened).toBeGreaterThan(opened);
    await lease.revoke();
  });
});
