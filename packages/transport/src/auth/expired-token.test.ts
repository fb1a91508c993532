import { createClient } from "@connectrpc/connect";
import { Auth, KV, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
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

  it("maintenance calls that etcd checks for admin rights re-authenticate too (etcd sends their auth errors raw)", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: PASSWORD } });
    const maintenance = createClient(Maintenance, transport.forEndpoint(cluster.endpoints[0]!));
    await maintenance.hash({});
    expect(transport.stats.authentications).toBe(1);
    await sleep(3000); // the token expired

    const hash = await maintenance.hash({}, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isEtcdError(hash), String(hash)).toBe(false);
    expect(transport.stats.authentications).toBe(2);

    await sleep(3000);
    await maintenance.defragment({}, { timeoutMs: 10_000 });
    expect(transport.stats.authentications).toBe(3);
  });
});
