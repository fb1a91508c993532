import { createClient } from "@connectrpc/connect";
import { Cluster, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, leaderIndex, sleep } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

describe("endpoint auto-sync", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ members: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("learns all members from one endpoint, skips learners, and survives the loss of the seed", async () => {
    // The seed is a follower, so that losing it later does not also cost an election.
    const seedIndex = (await leaderIndex(cluster)) === 0 ? 1 : 0;
    const seed = cluster.members[seedIndex]!.clientUrl;
    await using transport = createTransport({ endpoints: [seed], autoSyncIntervalMs: 200, dialTimeoutMs: 2000 });
    expect(transport.endpoints).toEqual([seed]);
    const deadline = Date.now() + 5000;
    while (transport.endpoints.length < 3 && Date.now() < deadline) await sleep(50);
    expect([...transport.endpoints].sort()).toEqual([...cluster.clientUrls].sort());

    // A learner serves no client requests: it is not added.
    const pending = await cluster.addMember({ learner: true });
    // etcd refuses membership changes until all members have been connected for 5 s ("unhealthy").
    for (let tries = 0; ; tries++) {
      try {
        await createClient(Cluster, transport).memberAdd({ peerURLs: [pending.peerUrl], isLearner: true });
        break;
      } catch (err) {
        if (!isEtcdError(err, "unhealthy") || tries > 40) throw err;
        await sleep(250);
      }
    }
    await pending.start();
    expect(await transport.syncEndpoints()).toHaveLength(3);
    expect(transport.endpoints).not.toContain(pending.clientUrl);

    // The seed goes away; the synced endpoints carry the calls.
    await cluster.kill(seedIndex);
    const kv = createClient(KV, transport);
    for (let i = 0; i < 5; i++) await kv.put({ key: bytes(`sync/${i}`), value: bytes("v") }, { timeoutMs: 5000 });
  });
});
