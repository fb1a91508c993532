import { create } from "@bufbuild/protobuf";
import { MemberAddResponseSchema, MemberListResponseSchema, StatusResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { isEtcdError } from "@etcdkit/transport";
import { createRecordingTransport, type RecordedCall } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { createCluster } from "./create-cluster.js";

/** A Transport that records every call and answers it with `respond`, or fails it; no I/O. */

const invalid = (err: unknown) => isEtcdError(err, "invalid-argument");
const bad = (value: unknown): never => value as never;

describe("cluster input validation (no I/O)", () => {
  it("memberAdd rejects a learner option that is not a boolean instead of adding a voter", async () => {
    const transport = createRecordingTransport();
    const cluster = createCluster(transport);
    for (const learner of ["yes", "false", 1, null]) {
      await expect(cluster.memberAdd(["http://10.0.0.4:2380"], bad({ learner }))).rejects.toSatisfy(invalid);
    }
    expect(transport.calls).toHaveLength(0);
  });

  it("memberAdd still sends learner true, and false when absent", async () => {
    const member = { ID: 7n, peerURLs: ["http://10.0.0.4:2380"] };
    const transport = createRecordingTransport(() => create(MemberAddResponseSchema, { member, members: [member] }));
    const cluster = createCluster(transport);
    await cluster.memberAdd(["http://10.0.0.4:2380"], { learner: true });
    await cluster.memberAdd(["http://10.0.0.4:2380"]);
    await cluster.memberAdd(["http://10.0.0.4:2380"], { learner: false });
    expect(transport.calls.map((c) => (c.input as { isLearner: boolean }).isLearner)).toEqual([true, false, false]);
  });

  it("leader() on a transport that cannot address one member asks one Status through it", async () => {
    const members = [
      { ID: 1n, name: "a", clientURLs: ["http://10.0.0.1:2379"] },
      { ID: 2n, name: "b", clientURLs: ["http://10.0.0.2:2379"] },
    ];
    const transport = createRecordingTransport((call) =>
      call.method === "MemberList"
        ? create(MemberListResponseSchema, { members })
        : create(StatusResponseSchema, { header: { memberId: 1n }, leader: 2n }),
    );
    const leader = await createCluster(transport).leader();
    expect(leader.name).toBe("b");
    expect(transport.calls.map((c) => c.method)).toEqual(["MemberList", "Status"]);
  });

  it("createCluster rejects a missing or non-transport argument at creation, not at the first call", () => {
    for (const t of [undefined, null, {}, { unary: () => undefined }, "http://127.0.0.1:2379"]) {
      let error: unknown;
      try {
        createCluster(bad(t));
      } catch (err) {
        error = err;
      }
      expect(invalid(error), `${String(t)}`).toBe(true);
    }
  });
});
