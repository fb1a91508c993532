import { createClient } from "@connectrpc/connect";
import { Cluster, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, toBytes, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMaintenance } from "./create-maintenance.js";
import type { Maintenance } from "./maintenance.js";
import { retryWhile } from "./maintenance.test-helpers.js";

/**
 * etcd's Go client examples for Maintenance (example_maintenance_test.go: status and defragment
 * of every endpoint), hashes, leader transfer and alarms, against one shared three-member cluster.
 */
describe("Maintenance against three real etcd members", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;
  let maintenance: Maintenance;

  beforeAll(async () => {
    etcd = await startEtcd({ members: 3 });
    transport = createTransport({ endpoints: etcd.endpoints });
    maintenance = createMaintenance(transport);
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
  });

  it("ExampleMaintenance_status: the status of every endpoint", async () => {
    const statuses = await Promise.all(etcd.endpoints.map((endpoint) => maintenance.status(endpoint)));
    const { members } = await createClient(Cluster, transport).memberList({});
    const leaders = new Set(statuses.map((s) => s.leader));
    expect(leaders.size).toBe(1);
    expect(statuses.filter((s) => s.isLeader).length).toBe(1);
    for (const [i, s] of statuses.entries()) {
      // Each call reached the member it named.
      const member = members.find((m) => m.clientURLs.includes(etcd.members[i]!.clientUrl))!;
      expect(s.memberId).toBe(member.ID);
      expect(s.header.memberId).toBe(member.ID);
      expect(s.version).toBe("3.4.23");
      expect(s.dbSize).toBeGreaterThan(0);
      expect(s.dbSizeInUse).toBeGreaterThan(0);
      expect(s.dbSizeInUse).toBeLessThanOrEqual(s.dbSize);
      expect(s.raftTerm).toBeGreaterThan(0n);
      expect(s.raftIndex).toBeGreaterThan(0n);
      expect(s.raftAppliedIndex).toBeGreaterThan(0n);
      expect(s.isLearner).toBe(false);
      expect(s.errors).toEqual([]);
    }
  });

  it("ExampleMaintenance_defragment: defragments every endpoint", async () => {
    for (const endpoint of etcd.endpoints) {
      const before = await maintenance.status(endpoint);
      await maintenance.defragment(endpoint, { timeoutMs: 30_000 });
      const after = await maintenance.status(endpoint);
      expect(after.dbSize).toBeLessThanOrEqual(before.dbSize);
      expect(after.errors).toEqual([]);
    }
  });

  it("hashKV: equal on all three members at the same revision once writes settled", async () => {
    const kv = createClient(KV, transport);
    let revision = 0n;
    for (let i = 0; i < 50; i++) {
      const put = await kv.put({ key: toBytes(`/hashkv/${i % 7}`), value: toBytes(`value-${i}`) });
      revision = put.header!.revision;
    }
    await kv.deleteRange({ key: toBytes("/hashkv/3") });
    // A member that has not applied `revision` yet answers "future-revision": wait for it.
    const results = await Promise.all(
      etcd.endpoints.map((endpoint) => retryWhile("future-revision", () => maintenance.hashKV(endpoint, revision))),
    );
    const hashes = new Set(results.map((r) => r.hash));
    expect(hashes.size).toBe(1);
    expect([...hashes][0]).not.toBe(0);
    for (const r of results) expect(r.compactRevision).toBe(-1n); // never compacted
    for (const r of results) expect(r.header.revision).toBeGreaterThanOrEqual(revision);

    // A later write changes the hash at the latest revision, not at `revision`.
    await kv.put({ key: toBytes("/hashkv/later"), value: toBytes("x") });
    const again = await maintenance.hashKV(etcd.endpoints[0]!, revision);
    expect(again.hash).toBe(results[0]!.hash);
    const latest = await maintenance.hashKV(etcd.endpoints[0]!);
    expect(latest.hash).not.toBe(results[0]!.hash);
  });

  it("hash: a uint32 per member", async () => {
    const { hash, header } = await maintenance.hash(etcd.endpoints[1]!);
    expect(Number.isInteger(hash)).toBe(true);
    expect(hash).toBeGreaterThanOrEqual(0);
    expect(hash).toBeLessThan(2 ** 32);
    expect(header.memberId).not.toBe(0n);
  });

  it("moveLeader: sent to the leader, hands leadership to the target; a follower answers not-leader", async () => {
    const find = async () => {
      const statuses = await Promise.all(etcd.endpoints.map((e) => maintenance.status(e)));
      const leaderIndex = statuses.findIndex((s) => s.isLeader);
      return { statuses, leaderIndex };
    };
    const { statuses, leaderIndex } = await find();
    expect(leaderIndex).toBeGreaterThanOrEqual(0);
    const targetIndex = (leaderIndex + 1) % 3;
    const target = statuses[targetIndex]!.memberId;

    const follower = etcd.endpoints[(leaderIndex + 2) % 3]!;
    await expect(maintenance.moveLeader(follower, target)).rejects.toSatisfy((err) => isEtcdError(err, "not-leader"));

    await maintenance.moveLeader(etcd.endpoints[leaderIndex]!, target, { timeoutMs: 10_000 });
    const after = await maintenance.status(etcd.endpoints[targetIndex]!);
    expect(after.isLeader).toBe(true);
    expect(after.leader).toBe(target);
  });

  it("alarmList: no alarms on a healthy cluster; disarming an inactive alarm disarms nothing", async () => {
    expect(await maintenance.alarmList()).toEqual([]);
    const { memberId } = await maintenance.status(etcd.endpoints[0]!);
    expect(await maintenance.alarmDisarm({ memberId, alarm: "nospace" })).toEqual([]);
    expect(await maintenance.alarmDisarmAll()).toEqual([]);
  });

  it("typed errors: compacted and future-revision from hashKV", async () => {
    const kv = createClient(KV, transport);
    const put = await kv.put({ key: toBytes("/hashkv/compact"), value: toBytes("x") });
    await kv.compact({ revision: put.header!.revision, physical: true });
    const endpoint = etcd.endpoints[0]!;
    await expect(maintenance.hashKV(endpoint, 2n)).rejects.toSatisfy((err) => isEtcdError(err, "compacted"));
    await expect(maintenance.hashKV(endpoint, put.header!.revision + 1000n)).rejects.toSatisfy((err) =>
      isEtcdError(err, "future-revision"),
    );
    // At the compact revision itself the history is gone too; after it the hash reports it.
    await expect(maintenance.hashKV(endpoint, put.header!.revision)).rejects.toSatisfy((err) => isEtcdError(err, "compacted"));
    const later = await kv.put({ key: toBytes("/hashkv/compact"), value: toBytes("y") });
    const afterCompaction = await retryWhile("future-revision", () => maintenance.hashKV(endpoint, later.header!.revision));
    expect(afterCompaction.compactRevision).toBe(put.header!.revision);
  });

  it("rejects bad arguments before any network I/O", async () => {
    const invalid = (err: unknown) => isEtcdError(err, "invalid-argument");
    await expect(maintenance.status("")).rejects.toSatisfy(invalid);
    await expect(maintenance.hashKV(etcd.endpoints[0]!, -1n)).rejects.toSatisfy(invalid);
    await expect(maintenance.moveLeader(etcd.endpoints[0]!, 0n)).rejects.toSatisfy(invalid);
    await expect(maintenance.alarmDisarm({ memberId: 1n, alarm: "bogus" as "nospace" })).rejects.toSatisfy(invalid);
  });
});
