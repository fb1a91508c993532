import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { freePort, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectOne, eventually, expectHealthy, retryWhile } from "./cluster.test-helpers.js";

/**
 * etcd (with its default --strict-reconfig-check) answers a membership change with "unhealthy"
 * until the leader has been connected to every voting member for 5 s (etcdserver.HealthInterval),
 * e.g. right after the cluster started: retry that, bounded.
 */
const reconfigure = async <T>(change: () => Promise<T>): Promise<T> =>
  (await retryWhile("unhealthy", change, { attempts: 60, delayMs: 200 })).value;
import { createCluster, type Cluster } from "./create-cluster.js";
import type { Member } from "./member.js";
import { formatMemberId } from "./member-id.js";

/**
 * etcd's Go client examples for Cluster (client/v3 example_cluster_test.go), ported, plus the
 * learner flow, against one real three-member cluster shared by the tests of this file (they run
 * in order and each leaves the cluster with its three original members).
 */
describe("Cluster against three real etcd members", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;
  let cluster: Cluster;
  const runningClientUrls = () => etcd.members.filter((m) => m.running).map((m) => m.clientUrl);
  /**
   * Waits until every running member's own MemberList satisfies `check`: each member answers
   * MemberList from the membership it has applied, so a follower may lag behind a change.
   * A learner refuses MemberList in etcd 3.4 ("not-supported-for-learner"): leave it out of `urls`.
   */
  const everyMemberLists = (what: string, check: (members: readonly Member[]) => boolean, urls = runningClientUrls()) =>
    eventually(`every member lists ${what}`, async () => {
      const lists = await Promise.all(
        urls.map(async (url) => {
          const one = connectOne(url);
          try {
            return (await createCluster(one).memberList()).members;
          } finally {
            await one.close();
          }
        }),
      );
      return lists.every(check);
    });

  beforeAll(async () => {
    etcd = await startEtcd({ members: 3 });
    transport = createTransport({ endpoints: etcd.endpoints });
    cluster = createCluster(transport);
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
  });

  it("ExampleCluster_memberList: members: 3", async () => {
    const { members, header } = await cluster.memberList();
    expect(members.length).toBe(3);
    expect(members.map((m) => m.name).sort()).toEqual(["member-0", "member-1", "member-2"]);
    for (const m of members) {
      const started = etcd.members.find((e) => e.name === m.name)!;
      expect(m.clientUrls).toEqual([started.clientUrl]);
      expect(m.peerUrls).toEqual([started.peerUrl]);
      expect(m.isLearner).toBe(false);
      expect(typeof m.id).toBe("bigint");
      expect(formatMemberId(m.id)).toMatch(/^[0-9a-f]{1,16}$/);
    }
    expect(new Set(members.map((m) => m.id)).size).toBe(3);
    expect(members.map((m) => m.id)).toContain(header.memberId);
  });

  it("leader(): the name of the member that reports itself as leader", async () => {
    const leader = await cluster.leader();
    expect(["member-0", "member-1", "member-2"]).toContain(leader.name);
    // Cross-check with the leader's own Status, and with the lookup on a transport that cannot
    // address one member (one Status through it).
    const t = connectOne(leader.clientUrls[0]!);
    try {
      const status = await createClient(Maintenance, t).status({});
      expect(status.leader).toBe(leader.id);
      expect(status.header?.memberId).toBe(leader.id);
    } finally {
      await t.close();
    }
    const plain = createGrpcTransport({ baseUrl: etcd.endpoints[0]! });
    expect((await createCluster(plain).leader()).id).toBe(leader.id);
  });

  it("ExampleCluster_memberAdd: added member.PeerURLs, members count: 4; then removed", async () => {
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    const { member, members } = await reconfigure(() => cluster.memberAdd([peerUrl]));
    expect(member.peerUrls).toEqual([peerUrl]);
    expect(members.length).toBe(4);
    // Not started: no name, no client URLs.
    expect(member.name).toBe("");
    expect(member.clientUrls).toEqual([]);
    expect(member.isLearner).toBe(false);

    const removed = await reconfigure(() => cluster.memberRemove(member.id));
    expect(removed.members.length).toBe(3);
    expect(removed.members.map((m) => m.id)).not.toContain(member.id);
  });

  it("ExampleCluster_memberAddAsLearner: members count: 4, added member.IsLearner: true", async () => {
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    const { member, members } = await reconfigure(() => cluster.memberAdd([peerUrl], { learner: true }));
    await reconfigure(() => cluster.memberRemove(member.id));
    expect(members.length).toBe(4);
    expect(member.isLearner).toBe(true);
  });

  it("learner flow: add as learner, start it, promote once caught up, remove; healthy throughout", async () => {
    const pending = await etcd.addMember({ learner: true });
    const { member } = await reconfigure(() => cluster.memberAdd([pending.peerUrl], { learner: true }));
    expect(member.isLearner).toBe(true);
    await expectHealthy(runningClientUrls(), transport, "/cluster-test/learner-added");

    // The harness reads the membership for --initial-cluster from one member: let all know it.
    await everyMemberLists("the learner", (members) => members.some((m) => m.id === member.id));
    await pending.start();
    const voters = runningClientUrls().filter((u) => u !== pending.clientUrl);
    await everyMemberLists(
      "the learner's name",
      (members) => members.some((m) => m.id === member.id && m.name === pending.name),
      voters,
    );
    const asLearner = (await cluster.memberList()).members.find((m) => m.id === member.id)!;
    expect(asLearner).toMatchObject({ name: pending.name, isLearner: true, clientUrls: [pending.clientUrl] });
    // The learner knows it is one (and, in etcd 3.4, answers no MemberList); the leader is a voter.
    const learnerTransport = connectOne(pending.clientUrl);
    try {
      expect((await createClient(Maintenance, learnerTransport).status({})).isLearner).toBe(true);
      // Retried (MemberList is a read; 3.4 sends this as Unavailable) until the deadline ends it.
      await expect(createCluster(learnerTransport).memberList({ timeoutMs: 5_000 })).rejects.toSatisfy(
        (err) => isEtcdError(err, "deadline-exceeded") && isEtcdError((err as Error).cause, "not-supported-for-learner"),
      );
    } finally {
      await learnerTransport.close();
    }
    expect((await cluster.leader()).isLearner).toBe(false);
    await expectHealthy(voters, transport, "/cluster-test/learner-started");

    // etcd refuses to promote a learner that is behind the leader: retry, bounded.
    const { value: promoted, tries } = await retryWhile("learner-not-ready", () => cluster.memberPromote(member.id), {
      attempts: 100,
      delayMs: 100,
    });
    expect(tries).toBeGreaterThanOrEqual(1);
    expect(promoted.members.find((m) => m.id === member.id)?.isLearner).toBe(false);
    expect(promoted.members.length).toBe(4);
    await expectHealthy(runningClientUrls(), transport, "/cluster-test/learner-promoted");

    // Promoting again: it is no learner any more.
    await expect(cluster.memberPromote(member.id)).rejects.toSatisfy((err) => isEtcdError(err, "member-not-learner"));

    const removed = await reconfigure(() => cluster.memberRemove(member.id));
    expect(removed.members.length).toBe(3);
    await eventually("the removed member exited", async () => !etcd.members[pending.index]!.running, 15_000);
    await expectHealthy(voters, transport, "/cluster-test/learner-removed");
  });

  it("ExampleCluster_memberRemove: removes a started member, and re-adds its peer URLs as Go's example does", async () => {
    // Go removes Members[0] of its test cluster; we start a fourth member for that, so the shared
    // cluster keeps its three.
    const pending = await etcd.addMember();
    const added = await reconfigure(() => cluster.memberAdd([pending.peerUrl]));
    await everyMemberLists("the fourth member", (members) => members.some((m) => m.id === added.member.id));
    await pending.start();
    await everyMemberLists("the fourth member's name", (members) => members.some((m) => m.name === pending.name));

    const resp = await cluster.memberList();
    const victim = resp.members.find((m) => m.name === pending.name)!;
    expect(victim.id).toBe(added.member.id);
    const afterRemove = await reconfigure(() => cluster.memberRemove(victim.id));
    expect(afterRemove.members.map((m) => m.id)).not.toContain(victim.id);
    await eventually("the removed member exited", async () => !etcd.members[pending.index]!.running, 15_000);

    // "Restore original cluster": add its peer URLs again (a new, unstarted member) ... etcd 3.4
    // derives a new member's ID from its peer URLs and the current second, so within the second
    // of the first add it computes the removed member's ID and answers "member not found"
    // (membership.ErrIDRemoved): retry that for a little over a second.
    const { value: readded } = await retryWhile(["unhealthy", "member-not-found"], () => cluster.memberAdd(victim.peerUrls), {
      attempts: 30,
      delayMs: 100,
    });
    expect(readded.member.peerUrls).toEqual(victim.peerUrls);
    expect(readded.member.id).not.toBe(victim.id);
    expect(readded.member.name).toBe("");
    // ... and, since it will never start here, remove it again.
    const final = await reconfigure(() => cluster.memberRemove(readded.member.id));
    expect(final.members.length).toBe(3);
    await everyMemberLists("three members", (members) => members.length === 3);
    await expectHealthy(runningClientUrls(), transport, "/cluster-test/removed");
  });

  it("typed errors: member-not-found, member-not-learner, peer-url-exists", async () => {
    const { members } = await cluster.memberList();
    const unknown = 0x1234n;
    await expect(cluster.memberRemove(unknown)).rejects.toSatisfy((err) => isEtcdError(err, "member-not-found"));
    await expect(cluster.memberUpdate(unknown, ["http://127.0.0.1:1"])).rejects.toSatisfy((err) =>
      isEtcdError(err, "member-not-found"),
    );
    await expect(cluster.memberPromote(members[0]!.id)).rejects.toSatisfy((err) => isEtcdError(err, "member-not-learner"));
    await expect(reconfigure(() => cluster.memberAdd(members[0]!.peerUrls))).rejects.toSatisfy((err) => isEtcdError(err, "peer-url-exists"));
  });

  it("rejects bad arguments before any network I/O", async () => {
    const offline = createCluster(createTransport({ endpoints: ["http://127.0.0.1:1"] }));
    const invalid = (err: unknown) => isEtcdError(err, "invalid-argument");
    await expect(offline.memberAdd([])).rejects.toSatisfy(invalid);
    await expect(offline.memberAdd(["127.0.0.1:2380"])).rejects.toSatisfy(invalid);
    await expect(offline.memberAdd(["http://127.0.0.1"])).rejects.toSatisfy(invalid);
    await expect(offline.memberAdd(["http://127.0.0.1:2380/path"])).rejects.toSatisfy(invalid);
    await expect(offline.memberAdd(["ftp://127.0.0.1:2380"])).rejects.toSatisfy(invalid);
    await expect(offline.memberRemove(0n)).rejects.toSatisfy(invalid);
    await expect(offline.memberRemove(1n << 64n)).rejects.toSatisfy(invalid);
    await expect(offline.memberPromote(5 as unknown as bigint)).rejects.toSatisfy(invalid);
    await expect(offline.memberUpdate(1n, ["http://a:1", "http://a:1"])).rejects.toSatisfy(invalid);
  });
  it("ExampleCluster_memberUpdate: changes a member's peer URLs and restores them", async () => {
    // Go updates Members[0]; we pick a follower so the leader keeps hearing its followers.
    const leader = await cluster.leader();
    const { members } = await cluster.memberList();
    const target = members.find((m) => m.id !== leader.id)!;
    const peerUrl = `http://127.0.0.1:${await freePort()}`;

    const updated = await cluster.memberUpdate(target.id, [peerUrl]);
    const restored = await cluster.memberUpdate(target.id, target.peerUrls);

    expect(updated.members.find((m) => m.id === target.id)?.peerUrls).toEqual([peerUrl]);
    expect(restored.members.find((m) => m.id === target.id)?.peerUrls).toEqual(target.peerUrls);
    // MemberList is answered from the answering member's applied state (etcd 3.4 has no
    // linearizable MemberList), so a follower may show the change a moment later.
    await everyMemberLists("the restored peer URLs", (members) =>
      members.find((m) => m.id === target.id)?.peerUrls.join() === target.peerUrls.join(),
    );
    await etcd.waitHealthy();
    await retryWhile(["no-leader", "leader-changed", "timeout", "timeout-due-to-leader-fail", "unavailable"], () =>
      expectHealthy(runningClientUrls(), transport, "/cluster-test/after-update"),
      { attempts: 20, delayMs: 250 },
    );
  });
});
