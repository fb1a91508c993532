import { create } from "@bufbuild/protobuf";
import { MemberAddResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createRecordingTransport, startEtcd, withPollutedPrototype, type EtcdCluster } from "@etcdkit/testing";
import { createTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCluster } from "./create-cluster.js";

/** Cluster options are read from own properties only: a polluted Object.prototype sets none. */
describe("cluster options with a polluted Object.prototype", () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it("memberAdd(urls, {}) adds a voting member, not a learner", async () => {
    const recording = createRecordingTransport(() =>
      create(MemberAddResponseSchema, { member: { ID: 9n, peerURLs: ["http://10.0.0.9:2380"] }, members: [] }),
    );
    await withPollutedPrototype({ learner: true }, () => createCluster(recording).memberAdd(["http://10.0.0.9:2380"], {}));
    expect(recording.calls.map((c) => (c.input as { isLearner?: boolean }).isLearner)).toEqual([false]);
  });

  it("leader({}) takes no inherited deadline", async () => {
    await using transport = createTransport({ endpoints: etcd.endpoints });
    const cluster = createCluster(transport);
    const leader = await withPollutedPrototype({ timeoutMs: -1 }, () => cluster.leader({})).catch((e: { reason?: string }) => e.reason);
    expect(typeof leader === "object" && leader !== null ? "a member" : leader).toBe("a member");
  });
});
