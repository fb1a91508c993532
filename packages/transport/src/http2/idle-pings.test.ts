import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

/**
 * etcd (grpc-go) counts a PING on a connection without streams as a "ping strike" when the
 * previous PING came less than 2 h before and the server wrote no headers in between; after more
 * than two strikes it closes the connection with GOAWAY ENHANCE_YOUR_CALM "too_many_pings".
 */
describe("keepalive PINGs on idle connections", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    // etcd's defaults: --grpc-keepalive-min-time=5s, PermitWithoutStream=false.
    cluster = await startEtcd({ members: 3, proxy: true });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("occasional calls over idle endpoints never earn a GOAWAY: no connection is replaced", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, keepAliveIntervalMs: 200 });
    const kv = createClient(KV, transport);
    // Connect every endpoint.
    await Promise.all(Array.from({ length: 12 }, () => kv.range({ key: bytes("idle/k") })));
    for (const m of cluster.members) m.proxy!.resetStats();
    const before = cluster.members.map((m) => m.proxy!.stats.activeConnections);
    expect(before).toEqual([1, 1, 1]);

    // One call now and then: every endpoint is idle for several keepalive intervals in between.
    for (let round = 0; round < 16; round++) {
      await sleep(700);
      await kv.range({ key: bytes("idle/k") }, { timeoutMs: 10_000 });
    }
    expect(cluster.members.map((m) => m.proxy!.stats.connections)).toEqual([0, 0, 0]);
  });
});
