import { createClient } from "@connectrpc/connect";
import { KV, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, thrownBy, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { createTransport } from "./create-transport.js";

describe("transport.forEndpoint(url): calls bound to one member", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, proxy: true });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(() => {
    for (const m of cluster.members) m.proxy!.setMode("pass");
  });

  const proxies = () => cluster.members.map((m) => m.proxy!);

  it("reaches exactly that member over the transport's own connection: no new connection per call", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createClient(KV, transport);
    await Promise.all(Array.from({ length: 9 }, () => kv.range({ key: bytes("member/k") })));
    for (const p of proxies()) p.resetStats();
    const connections = transport.stats.connections;

    const ids = new Set<bigint>();
    for (let round = 0; round < 4; round++) {
      for (const [i, endpoint] of cluster.endpoints.entries()) {
        const status = await createClient(Maintenance, transport.forEndpoint(endpoint)).status({}, { timeoutMs: 5000 });
        ids.add(status.header!.memberId);
        expect(proxies()[i]!.stats.http2Streams).toBe(round + 1);
      }
    }
    expect(ids.size).toBe(3);
    expect(proxies().map((p) => p.stats.connections)).toEqual([0, 0, 0]);
    expect(transport.stats.connections).toBe(connections);
  });

  it("a URL outside the endpoint list gets one kept connection, closed with the transport", async () => {
    const [first, second] = cluster.endpoints as [string, string];
    const transport = createTransport({ endpoints: [first] });
    for (const p of proxies()) p.resetStats();
    const member = transport.forEndpoint(second);
    expect(transport.forEndpoint(`${second}/`)).toBe(member); // one per normalized URL
    for (let i = 0; i < 5; i++) await createClient(Maintenance, member).status({}, { timeoutMs: 5000 });
    expect(proxies()[1]!.stats.connections).toBe(1);
    expect(proxies()[1]!.stats.http2Streams).toBe(5);
    expect(proxies()[0]!.stats.http2Streams).toBe(0);
    expect(transport.endpoints).toEqual([first]); // not added to the rotation
    expect(transport.stats.calls).toBe(5);

    await transport.close();
    for (let waited = 0; proxies()[1]!.stats.activeConnections > 0 && waited < 5000; waited += 20) await sleep(20);
    expect(proxies()[1]!.stats.activeConnections).toBe(0);
    const late = await createClient(Maintenance, member).status({}).catch((e: unknown) => e);
    expect(isEtcdError(late, "transport-closed")).toBe(true);
  });

  it("retries stay on that member: with it unreachable the call fails unavailable, and no other member is asked", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 1000 });
    await Promise.all(Array.from({ length: 6 }, () => createClient(KV, transport).range({ key: bytes("member/k") })));
    proxies()[2]!.setMode("reset");
    for (const p of proxies()) p.resetStats();
    const error = await createClient(Maintenance, transport.forEndpoint(cluster.endpoints[2]!))
      .status({}, { timeoutMs: 3000 })
      .catch((e: unknown) => e);
    expect(isEtcdError(error, "unavailable")).toBe(true);
    expect((error as Error).message).toContain(cluster.endpoints[2]!);
    expect(proxies()[0]!.stats.http2Streams + proxies()[1]!.stats.http2Streams).toBe(0);
    // The transport's other calls still use the healthy members.
    await createClient(KV, transport).range({ key: bytes("member/k") }, { timeoutMs: 5000 });
  });

  it("rejects a malformed URL with invalid-argument before any I/O", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints });
    for (const bad of ["", "unix:///tmp/etcd.sock", "http://h:1/path", 42 as unknown as string]) {
      expect(isEtcdError(thrownBy(() => transport.forEndpoint(bad)), "invalid-argument")).toBe(true);
    }
    expect(transport.stats.connections).toBe(0);
  });
});
