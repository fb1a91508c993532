import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Cluster } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";
import { probeHealth } from "./health-check.js";
import { fetchMemberList } from "./member-list.js";

describe("EtcdCluster.addMember", () => {
  let cluster: EtcdCluster;
  let sessionManager: Http2SessionManager;
  let client: ReturnType<typeof createClient<typeof Cluster>>;

  beforeAll(async () => {
    // strict reconfig checks want voters connected for 5 s before another MemberAdd
    cluster = await startEtcd({ proxy: true, flags: ["--strict-reconfig-check=false"] });
    sessionManager = new Http2SessionManager(cluster.clientUrls[0]!);
    client = createClient(Cluster, createGrpcTransport({ baseUrl: cluster.clientUrls[0]!, sessionManager }));
  });
  afterAll(async () => {
    sessionManager?.abort();
    await cluster?.stop();
  });

  it("starts a learner the test added with MemberAdd, which can then be promoted", async () => {
    const pending = await cluster.addMember({ learner: true });
    expect(pending).toMatchObject({ index: 1, name: "member-1", learner: true });
    expect(cluster.members).toHaveLength(1);

    await expect(pending.start()).rejects.toThrow(/call MemberAdd with peerURLs \["http:\/\/127\.0\.0\.1:\d+"\] before start\(\)/);

    const added = await client.memberAdd({ peerURLs: [pending.peerUrl], isLearner: true });
    const member = await pending.start();
    expect(await pending.start()).toBe(member);
    expect(member).toMatchObject({ index: 1, name: "member-1", clientUrl: pending.clientUrl, peerUrl: pending.peerUrl, running: true });
    expect(cluster.members).toHaveLength(2);
    expect(member.proxy).toBeDefined();
    expect(cluster.endpoints[1]).toBe(member.proxy!.url);
    expect((await probeHealth(member.endpoint)).healthy).toBe(true);

    const listed = await client.memberList({});
    const learner = listed.members.find((m) => m.ID === added.member!.ID);
    expect(learner).toMatchObject({ name: "member-1", isLearner: true, clientURLs: [pending.clientUrl] });

    // a learner can be promoted once it caught up with the leader
    await vi.waitFor(() => client.memberPromote({ ID: added.member!.ID }), { timeout: 5_000, interval: 100 });
    const promoted = await fetchMemberList(cluster.clientUrls[0]!);
    expect(promoted.map((m) => [m.name, m.isLearner]).sort()).toEqual([
      ["member-0", false],
      ["member-1", false],
    ]);
  });

  it("adds a voting member, which survives a restart", async () => {
    const pending = await cluster.addMember();
    expect(pending).toMatchObject({ index: 2, name: "member-2", learner: false });
    await client.memberAdd({ peerURLs: [pending.peerUrl] });
    await pending.start();
    await cluster.waitHealthy();
    await cluster.restart(2);
    expect((await fetchMemberList(cluster.clientUrls[2]!)).map((m) => m.name).sort()).toEqual(["member-0", "member-1", "member-2"]);
  });
  it("start() waits for a MemberAdd that is not yet visible instead of failing", async () => {
    const pending = await cluster.addMember({ learner: true });
    const starting = pending.start(); // called before the MemberAdd below is applied
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.memberAdd({ peerURLs: [pending.peerUrl], isLearner: true });
    const member = await starting;
    expect(member).toMatchObject({ name: pending.name, running: true });
    await vi.waitFor(async () => {
      const listed = await fetchMemberList(cluster.clientUrls[0]!);
      expect(listed.find((m) => m.peerUrls.includes(pending.peerUrl))?.name).toBe(pending.name);
    });
    // Leave the cluster as the next test expects it: remove the extra learner again.
    const id = (await client.memberList({})).members.find((m) => m.peerURLs.includes(pending.peerUrl))!.ID;
    await client.memberRemove({ ID: id });
    await cluster.kill(member.index);
  });
});
