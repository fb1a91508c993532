/**
 * Diagnostic events of etcdkit's transports, each caused for real against etcd: a reset
 * connection, a blackholed one, a GOAWAY from a hop, an expired auth token, a retried read, an
 * endpoint that refuses connections, an endpoint list refreshed from MemberList.
 */
import { createClient } from "@connectrpc/connect";
import { Auth, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { freePort, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { createGatewayTransport } from "../gateway/create-gateway-transport.js";
import { createGrpcHop } from "../grpc-hop.test-helpers.js";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";
import { transportEventListener, type TransportEvent } from "./transport-events.js";

/** Collects events; `of(type)` filters them. */
function recorder() {
  const events: TransportEvent[] = [];
  return {
    events,
    onEvent: (event: TransportEvent) => void events.push(event),
    of<T extends TransportEvent["type"]>(type: T): Array<Extract<TransportEvent, { type: T }>> {
      return events.filter((e): e is Extract<TransportEvent, { type: T }> => e.type === type);
    },
  };
}

describe("transport events on one member behind a proxy", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterAll(() => cluster?.stop());

  it("endpoint-up, endpoint-down (connection-lost) when the proxy resets the connection, then endpoint-up as a reconnect", async () => {
    const proxy = cluster.members[0]!.proxy!;
    const r = recorder();
    await using transport = createTransport({ endpoints: [proxy.url], onEvent: r.onEvent });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("events/k") });
    expect(r.events).toEqual([{ type: "endpoint-up", endpoint: proxy.url, reconnect: false }]);

    proxy.setMode("reset");
    await expect.poll(() => r.of("endpoint-down").length, { timeout: 10_000 }).toBe(1);
    proxy.setMode("pass");
    await kv.range({ key: bytes("events/k") }, { timeoutMs: 10_000 });

    const down = r.of("endpoint-down")[0]!;
    expect(down).toMatchObject({ endpoint: proxy.url, cause: "connection-lost" });
    expect(isEtcdError(down.error, "unavailable")).toBe(true);
    expect(r.of("endpoint-up")).toEqual([
      { type: "endpoint-up", endpoint: proxy.url, reconnect: false },
      { type: "endpoint-up", endpoint: proxy.url, reconnect: true },
    ]);
    // Up, down, up: nothing reported twice, nothing reported out of order.
    expect(r.events.map((e) => e.type).filter((t) => t.startsWith("endpoint-"))).toEqual(["endpoint-up", "endpoint-down", "endpoint-up"]);
  });

  it("endpoint-down with cause keepalive-timeout when a blackholed connection stops answering PINGs, and the call's retry", async () => {
    const proxy = cluster.members[0]!.proxy!;
    const r = recorder();
    await using transport = createTransport({
      endpoints: [proxy.url],
      keepAliveIntervalMs: 300,
      keepAliveTimeoutMs: 300,
      onEvent: r.onEvent,
    });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("events/k") });

    proxy.setMode("blackhole");
    const pending = kv.range({ key: bytes("events/k") }, { timeoutMs: 20_000 });
    try {
      await expect.poll(() => r.of("endpoint-down").length, { timeout: 10_000 }).toBe(1);
    } finally {
      proxy.setMode("pass");
    }
    await pending; // resent on a new connection once the proxy passes traffic again

    const down = r.of("endpoint-down")[0]!;
    expect(down.cause).toBe("keepalive-timeout");
    expect(down.error.rawMessage).toMatch(/did not answer a PING within 300 ms/);
    expect(r.of("retry")).toMatchObject([{ method: "etcdserverpb.KV/Range", attempt: 1, endpoint: proxy.url }]);
  });

  it("endpoint-down with cause goaway (code, last stream id) when a hop sends GOAWAY; the unprocessed call goes out again", async () => {
    await using hop = await createGrpcHop(cluster.endpoints[0]!);
    hop.setMode({ kind: "goaway", code: 0, streams: 2 });
    const r = recorder();
    await using transport = createTransport({ endpoints: [hop.url], onEvent: r.onEvent });
    const kv = createClient(KV, transport);
    const answers = await Promise.all([kv.range({ key: bytes("a") }, { timeoutMs: 10_000 }), kv.range({ key: bytes("b") }, { timeoutMs: 10_000 })]);
    expect(answers).toHaveLength(2);

    expect(r.of("endpoint-down")).toMatchObject([
      { endpoint: hop.url, cause: "goaway", goaway: { code: 0, lastStreamId: 1, tooManyPings: false } },
    ]);
    expect(r.of("endpoint-up")).toEqual([
      { type: "endpoint-up", endpoint: hop.url, reconnect: false },
      { type: "endpoint-up", endpoint: hop.url, reconnect: true },
    ]);
  });

  it("retry: a read failed with Unavailable by a hop is sent again, and the event says which call, why, and how long it waited", async () => {
    await using hop = await createGrpcHop(cluster.endpoints[0]!);
    const r = recorder();
    await using transport = createTransport({ endpoints: [hop.url], onEvent: r.onEvent });
    hop.setMode({ kind: "grpc-status", status: 14, times: 1 });
    await createClient(KV, transport).range({ key: bytes("events/k") }, { timeoutMs: 10_000 });

    const retries = r.of("retry");
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ method: "etcdserverpb.KV/Range", attempt: 1, endpoint: hop.url });
    expect(isEtcdError(retries[0]!.error, "unavailable")).toBe(true);
    expect(retries[0]!.backoffMs).toBeGreaterThan(0);
    expect(transport.stats.retries).toBe(1);
  });

  it("connect-failed for an endpoint that refuses connections (with its backoff); calls go to the live one", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = recorder();
    await using transport = createTransport({ endpoints: [dead, cluster.endpoints[0]!], onEvent: r.onEvent });
    const kv = createClient(KV, transport);
    for (let i = 0; i < 4; i++) await kv.range({ key: bytes("events/k") }, { timeoutMs: 10_000 });
    await expect.poll(() => r.of("connect-failed").length, { timeout: 10_000 }).toBeGreaterThan(0);

    const failed = r.of("connect-failed")[0]!;
    expect(failed.endpoint).toBe(dead);
    expect(failed.error.rawMessage).toMatch(/ECONNREFUSED/);
    expect(failed.retryInMs).toBeGreaterThanOrEqual(0);
    expect(r.of("endpoint-up").map((e) => e.endpoint)).toEqual([cluster.endpoints[0]]);
    expect(r.of("endpoint-down")).toEqual([]); // it was never up
  });

  it("endpoints-changed when syncEndpoints() replaces the proxy's URL by the member's own, and endpoint-down (closed) for the one removed", async () => {
    const proxy = cluster.members[0]!.proxy!;
    const r = recorder();
    await using transport = createTransport({ endpoints: [proxy.url], onEvent: r.onEvent });
    await transport.syncEndpoints({ timeoutMs: 10_000 });
    expect(r.of("endpoints-changed")).toEqual([
      { type: "endpoints-changed", endpoints: [cluster.members[0]!.clientUrl], added: [cluster.members[0]!.clientUrl], removed: [proxy.url] },
    ]);
    expect(r.of("endpoint-down")).toMatchObject([{ endpoint: proxy.url, cause: "closed" }]);
    await transport.syncEndpoints({ timeoutMs: 10_000 });
    expect(r.of("endpoints-changed")).toHaveLength(1); // nothing changed the second time
  });

  it("a listener that throws changes nothing for the calls; member transports share the transport's listener", async () => {
    let calls = 0;
    await using transport = createTransport({
      endpoints: cluster.endpoints,
      onEvent: () => {
        calls++;
        throw new Error("listener broke");
      },
    });
    await createClient(KV, transport).range({ key: bytes("events/k") });
    expect(calls).toBe(1); // endpoint-up
    const member = transport.forEndpoint(cluster.endpoints[0]!);
    expect(transportEventListener(member)).toBe(transportEventListener(transport));
    expect(transportEventListener({ parent: transport })).toBe(transportEventListener(transport)); // a wrapping transport
    expect(transportEventListener(createTransport({ endpoints: cluster.endpoints }))).toBeUndefined();
  });

  it("gateway: endpoint-down for an endpoint whose requests fail, the read's retry, and endpoint-up once it answers again", async () => {
    const proxy = cluster.members[0]!.proxy!;
    const r = recorder();
    await using transport = createGatewayTransport({ endpoints: [proxy.url], onEvent: r.onEvent });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("events/k") });
    expect(r.events).toEqual([]); // fetch keeps no connection of ours: no event while all is well

    proxy.setMode("reset");
    const pending = kv.range({ key: bytes("events/k") }, { timeoutMs: 20_000 });
    await expect.poll(() => r.of("retry").length, { timeout: 10_000 }).toBeGreaterThan(0);
    proxy.setMode("pass");
    await pending;

    expect(r.of("endpoint-down")).toMatchObject([{ endpoint: proxy.url, cause: "connection-lost" }]);
    expect(r.of("retry")[0]).toMatchObject({ method: "etcdserverpb.KV/Range", attempt: 1, endpoint: proxy.url });
    expect(r.of("endpoint-up")).toEqual([{ type: "endpoint-up", endpoint: proxy.url, reconnect: true }]);
  });
});

describe("transport events with auth: token refresh", () => {
  const PASSWORD = "events-Pa55word";
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ flags: ["--auth-token-ttl=1"] });
    await using setup = createTransport({ endpoints: cluster.endpoints });
    const auth = createClient(Auth, setup);
    await auth.roleAdd({ name: "root" });
    await auth.userAdd({ name: "root", password: PASSWORD });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.authEnable({});
  });
  afterAll(() => cluster?.stop());

  for (const [name, create] of [
    ["gRPC", createTransport],
    ["gateway", createGatewayTransport],
  ] as const) {
    it(`${name}: token-refresh when etcd forgot the token (--auth-token-ttl), then the call succeeds with a new one`, async () => {
      const r = recorder();
      await using transport = create({ endpoints: cluster.endpoints, auth: { username: "root", password: PASSWORD }, onEvent: r.onEvent });
      const kv = createClient(KV, transport);
      await kv.put({ key: bytes("ttl/k"), value: bytes("1") });
      expect(r.of("token-refresh")).toEqual([]);
      await sleep(3000); // > --auth-token-ttl=1 without use: etcd forgot the token

      await kv.put({ key: bytes("ttl/k"), value: bytes("2") }, { timeoutMs: 10_000 });
      const refreshes = r.of("token-refresh");
      expect(refreshes).toHaveLength(1);
      expect(refreshes[0]!.endpoint).toBe(cluster.endpoints[0]);
      expect(isEtcdError(refreshes[0]!.error, "invalid-auth-token")).toBe(true);
      expect(transport.stats.authentications).toBe(2);
    });
  }
});
