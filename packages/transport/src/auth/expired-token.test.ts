import { createClient } from "@connectrpc/connect";
import { Auth, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

const PASSWORD = "expired-Pa55word";

describe("many calls on an expired token", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ flags: ["--auth-token-ttl=1"] });
    await using setup = createTransport({ endpoints: cluster.endpoints });
    const auth = createClient(Auth, setup);
    await auth.roleAdd({ name: "root" }).catch(() => {});
    await auth.userAdd({ name: "root", password: PASSWORD });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.authEnable({});
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("50 concurrent Range calls after the token expired cause exactly one Authenticate, and all succeed", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: PASSWORD } });
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("expired/k"), value: bytes("v") });
    expect(transport.stats.authentications).toBe(1);
    await sleep(3000); // > --auth-token-ttl=1 without use: etcd forgot the token

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => kv.range({ key: bytes("expired/k") }, { timeoutMs: 20_000 })),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(transport.stats.authentications).toBe(2);
  });
});
