/**
 * Three real etcd members behind the harness's proxies. The member carrying the keepalive stream
 * is blackholed (the stream stalls: no error, no answers), or made the leader and killed; either
 * way keepalives carry on through another member and no lease is lost.
 */
import { createClient } from "@connectrpc/connect";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectLease, eventually, sleep, uniqueKey, type LeaseEnv } from "./lease-test-env.test-helpers.js";

async function statuses(cluster: EtcdCluster): Promise<{ id: bigint; leader: bigint }[]> {
  return Promise.all(
    cluster.clientUrls.map(async (url) => {
      const transport = createTransport({ endpoints: [url] });
      try {
        const status = await createClient(Maintenance, transport).status({}, { timeoutMs: 3_000 });
        return { id: status.header!.memberId, leader: status.leader };
      } finally {
        await transport.close();
      }
    }),
  );
}

/** Makes member `index` the leader (MoveLeader, sent to the current leader). */
async function makeLeader(cluster: EtcdCluster, index: number): Promise<void> {
  const all = await statuses(cluster);
  const target = all[index]!.id;
  if (all[0]!.leader === target) return;
  const leaderIndex = all.findIndex((s) => s.id === all[0]!.leader);
  const transport = createTransport({ endpoints: [cluster.clientUrls[leaderIndex]!] });
  try {
    await createClient(Maintenance, transport).moveLeader({ targetID: target }, { timeoutMs: 10_000 });
  } finally {
    await transport.close();
  }
  await eventually(async () => (await statuses(cluster)).every((s) => s.leader === target), 10_000, "the leader to move");
}

describe("keepalive across a leader failure (3 real members)", () => {
  let cluster: EtcdCluster;
  let env: LeaseEnv;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, proxy: true });
    env = connectLease(cluster.endpoints, cluster.clientUrls);
  });
  afterEach(() => {
    for (const m of cluster.members) m.proxy?.setMode("pass");
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("blackholing the member that carries the keepalive stream: the stall is noticed, renewals move to another member, no lease is lost", async () => {
    const leases = await Promise.all([3, 3, 5].map((ttl) => env.leases.grant(ttl)));
    const keys = leases.map(() => uniqueKey("stall"));
    await Promise.all(leases.map((l, i) => env.put(keys[i]!, "v", l.id)));
    for (const m of cluster.members) m.proxy!.resetStats();
    const opened = env.leases.stats.streamsOpened;
    for (const lease of leases) lease.keepAlive();
    await eventually(() => leases.every((l) => l.lastRenewal !== undefined), 5_000, "first renewals");
    expect(env.leases.stats.streamsOpened).toBe(opened + 1);
    const carriers = cluster.members.filter((m) => m.proxy!.stats.http2Streams > 0);
    expect(carriers).toHaveLength(1); // the one keepalive stream
    const carrier = carriers[0]!;

    try {
      carrier.proxy!.setMode("blackhole");
      const cutAt = performance.now();
      await sleep(3 * 3_000);
      expect(leases.map((l) => l.loss?.reason)).toEqual([undefined, undefined, undefined]);
      expect(env.leases.stats.streamsOpened).toBeGreaterThan(opened + 1); // the stalled stream was replaced
      for (const lease of leases) expect(lease.lastRenewal!.at).toBeGreaterThan(cutAt); // renewed since the cut
      const others = cluster.members.filter((m) => m !== carrier);
      expect(others.some((m) => m.proxy!.stats.http2Streams > 0)).toBe(true);
      for (const key of keys) expect(await env.count(key)).toBe(1);
    } finally {
      carrier.proxy!.setMode("pass");
      await Promise.all(leases.map((l) => l.revoke().catch(() => undefined))); // the next test starts without a stream
    }
  }, 60_000);

  it("killing the leader that carries the keepalive stream: renewals move to another member, no lease is lost", async () => {
    for (const m of cluster.members) m.proxy!.resetStats();
    const leases = await Promise.all([3, 3, 5].map((ttl) => env.leases.grant(ttl)));
    const keys = leases.map(() => uniqueKey("failover"));
    await Promise.all(leases.map((l, i) => env.put(keys[i]!, "v", l.id)));
    for (const m of cluster.members) m.proxy!.resetStats();
    for (const lease of leases) lease.keepAlive();
    await eventually(() => leases.every((l) => l.lastRenewal !== undefined), 5_000, "first renewals");
    const carrier = cluster.members.findIndex((m) => m.proxy!.stats.http2Streams > 0);
    expect(carrier).toBeGreaterThanOrEqual(0);
    await makeLeader(cluster, carrier);
    const opened = env.leases.stats.streamsOpened;

    await cluster.kill(carrier);
    await sleep(3 * 3_000);
    expect(leases.map((l) => l.loss?.reason)).toEqual([undefined, undefined, undefined]);
    expect(env.leases.stats.streamsOpened).toBeGreaterThan(opened);
    for (const key of keys) expect(await env.count(key)).toBe(1);
    const survivors = cluster.members.filter((_, i) => i !== carrier);
    expect(survivors.some((m) => m.proxy!.stats.http2Streams > 0)).toBe(true);
    await Promise.all(leases.map((l) => l.revoke()));
  }, 60_000);
});
