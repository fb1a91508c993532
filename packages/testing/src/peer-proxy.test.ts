import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";
import { probeHealth } from "./health-check.js";
import { fetchMemberList } from "./member-list.js";

describe("startEtcd with peer proxies (three members)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, peerProxy: true, flags: ["--pre-vote"] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("advertises each member's peer proxy as its peer URL", async () => {
    for (const m of cluster.members) {
      expect(m.peerProxy).toBeDefined();
      expect(m.peerUrl).toBe(m.peerProxy!.url);
    }
    const listed = (await fetchMemberList(cluster.clientUrls[0]!)).flatMap((e) => e.peerUrls).sort();
    expect(listed).toEqual(cluster.members.map((m) => m.peerProxy!.url).sort());
    // Raft traffic flows through the proxies.
    await vi.waitFor(() => expect(cluster.members.every((m) => m.peerProxy!.stats.bytesUp > 0)).toBe(true));
  });

  it("blackholing a member's peer proxy cuts it off from the leader; the others keep quorum", async () => {
    const isolated = cluster.members[2]!;
    isolated.peerProxy!.setMode("blackhole");
    try {
      // etcd's /health says false once the member has no leader (after its election timeout).
      await vi.waitFor(async () => expect((await probeHealth(isolated.clientUrl)).healthy).toBe(false), {
        timeout: 20_000,
        interval: 200,
      });
      expect((await probeHealth(cluster.clientUrls[0]!)).healthy).toBe(true);
      expect((await probeHealth(cluster.clientUrls[1]!)).healthy).toBe(true);
    } finally {
      isolated.peerProxy!.setMode("pass");
    }
    await cluster.waitHealthy(2);
  });
});
