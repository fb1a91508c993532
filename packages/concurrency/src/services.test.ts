/**
 * The thin clients of etcd's server-side lock and election services, against a real etcd 3.4,
 * and the caveat their README section states: the server-side lock grants a waiter whose lease
 * expired while it waited (etcd-io/etcd#11456), where `createMutex` fails "session-expired".
 */
import { createKV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { bytesToText } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, reasonOf, stillPending, uniqueName, within } from "./concurrency-test-env.test-helpers.js";
import { createElectionService, createLockService } from "./index.js";

describe("server-side lock and election services (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it("lock service: a second lock waits until the first is unlocked", async () => {
    const transport = connect(cluster.endpoints);
    const leases = createLease(transport);
    const [a, b] = await Promise.all([leases.grant(30), leases.grant(30)]);
    const locks = createLockService(transport);
    const name = uniqueName("svc-lock");
    const first = await locks.lock(name, a.id, { timeoutMs: 10_000 });
    expect(bytesToText(first.key).startsWith(`${name}/`)).toBe(true);
    const second = locks.lock(name, b.id, { timeoutMs: 10_000 });
    expect(await stillPending(second, 300)).toBe(true);
    await locks.unlock(first.key);
    const got = await second;
    await locks.unlock(got.key);
    expect(await reasonOf(locks.lock("", a.id))).toBe("empty-key");
    await Promise.all([a.revoke(), b.revoke()]);
  });

  it("the caveat holds on this etcd: its server-side lock grants a waiter whose lease was revoked while it waited (etcd #11456)", async () => {
    const transport = connect(cluster.endpoints);
    const leases = createLease(transport);
    const [a, b] = await Promise.all([leases.grant(30), leases.grant(30)]);
    const locks = createLockService(transport);
    const kv = createKV(transport);
    const name = uniqueName("svc-11456");
    const first = await locks.lock(name, a.id, { timeoutMs: 10_000 });
    const second = locks.lock(name, b.id, { timeoutMs: 10_000 });
    await eventually(async () => (await kv.getPrefix(`${name}/`, { countOnly: true })).count === 2, 5_000, "the waiter's key");
    await b.revoke(); // the waiter's lease ends: etcd deletes its key
    await locks.unlock(first.key);
    const granted = await within(second, 5_000);
    expect(granted).not.toBe("still pending");
    // The server said "you hold the lock", yet the ownership key does not exist: nothing is locked.
    expect(await kv.get((granted as { key: Uint8Array }).key)).toBeUndefined();
    await a.revoke();
  });

  it("election service: campaign, proclaim, leader, observe, resign", async () => {
    const transport = connect(cluster.endpoints);
    const leases = createLease(transport);
    const [a, b] = await Promise.all([leases.grant(30), leases.grant(30)]);
    const elections = createElectionService(transport);
    const name = uniqueName("svc-election");
    expect(await reasonOf(elections.leader(name))).toBe("election-no-leader");
    const leaderA = await elections.campaign(name, a.id, "a", { timeoutMs: 10_000 });
    expect(leaderA.lease).toBe(a.id);
    const controller = new AbortController();
    const seen: string[] = [];
    const observing = (async () => {
      for await (const kv of elections.observe(name, { signal: controller.signal })) seen.push(kv.text());
    })();
    await eventually(() => seen.length === 1, 5_000, "the first observation");
    await elections.proclaim(leaderA, "a v2");
    expect((await elections.leader(name)).text()).toBe("a v2");
    const campaignB = elections.campaign(name, b.id, "b", { timeoutMs: 10_000 });
    expect(await stillPending(campaignB, 300)).toBe(true);
    await elections.resign(leaderA);
    const leaderB = await campaignB;
    expect(leaderB.revision).toBeGreaterThan(leaderA.revision);
    await eventually(() => seen.includes("b"), 5_000, "b observed");
    controller.abort();
    await observing;
    expect(seen).toEqual(["a", "a v2", "b"]);
    expect(await reasonOf(elections.proclaim(leaderA, "stale"))).toBe("election-not-leader");
    await elections.resign(leaderB);
    await Promise.all([a.revoke(), b.revoke()]);
  });
});
