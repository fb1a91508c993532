import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

describe("endpoint backoff and the wall clock", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    cluster.members[0]!.proxy!.setMode("pass");
  });

  it("a wall-clock step back during a backoff does not keep the endpoint out of use", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 500 });
    const kv = createClient(KV, transport);
    const proxy = cluster.members[0]!.proxy!;
    proxy.setMode("reset");
    const refused = await kv.range({ key: bytes("clock/k") }, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(isEtcdError(refused, "unavailable")).toBe(true); // the endpoint failed and backs off

    // NTP (or an operator) sets the wall clock back by an hour; the member is reachable again.
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, "now").mockImplementation(() => realNow() - 3_600_000);
    proxy.setMode("pass");

    const result = await kv.range({ key: bytes("clock/k") }, { timeoutMs: 10_000 }).then(
      () => "answered",
      (e: unknown) => e,
    );
    expect(result).toBe("answered");
  });
});
