import { createClient } from "@connectrpc/connect";
import { KV, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTcpProxy, startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { bytes, sleep, timed } from "../test-support.test-helpers.js";
import { createTransport } from "./create-transport.js";

/** Slack on "settled by its deadline" bounds for a busy, shared machine. */
const SLACK_MS = 4000;

describe("unreachable endpoints", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    // Short keepalive settings below are legal for this server.
    cluster = await startEtcd({ members: 2, proxy: true, flags: ["--grpc-keepalive-min-time=100ms"] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("all members down: a call fails within its deadline, typed; calls work again once a member is back", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 5000 });
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("down/k"), value: bytes("v") });
    await Promise.all([cluster.kill(0), cluster.kill(1)]);

    // The call's own deadline ends its wait for a connection: deadline-exceeded, saying why no
    // endpoint could be used, with the last connection error as cause.
    const withDeadline = await timed(() => kv.range({ key: bytes("down/k") }, { timeoutMs: 1000 }));
    const error = withDeadline.error as EtcdError;
    expect(error.reason).toBe("deadline-exceeded");
    expect(error.message).toMatch(/cannot connect to .*(ECONNREFUSED|ECONNRESET)/);
    expect(isEtcdError(error.cause, "unavailable")).toBe(true);
    expect(withDeadline.ms).toBeGreaterThan(950); // it kept trying until its deadline
    expect(withDeadline.ms).toBeLessThan(1000 + SLACK_MS);

    const write = await timed(() => kv.put({ key: bytes("down/k"), value: bytes("w") }, { timeoutMs: 500 }));
    expect(isEtcdError(write.error, "deadline-exceeded")).toBe(true);
    expect((write.error as EtcdError).outcomeUnknown).toBe(false); // never sent
    expect(write.ms).toBeLessThan(500 + SLACK_MS);

    // A write started while nothing is reachable was never sent, so it may wait and go through
    // once a member is back, within its deadline.
    const streamsBefore = transport.stats.streams;
    const pendingWrite = timed(() => kv.put({ key: bytes("down/k"), value: bytes("later") }, { timeoutMs: 20_000 }));
    await Promise.all([cluster.restart(0), cluster.restart(1)]);
    const late = await pendingWrite;
    expect(late.error).toBeUndefined();
    expect(transport.stats.streams - streamsBefore).toBe(1);

    const again = await timed(() => kv.range({ key: bytes("down/k") }, { timeoutMs: 5000 }));
    expect(again.error).toBeUndefined();
    expect(again.value?.kvs[0]?.version).toBe(2n); // the first put, then the late one; nothing else
  });

  it("all members down, no deadline: fails within dialTimeoutMs", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 800 });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("x") });
    await Promise.all([cluster.kill(0), cluster.kill(1)]);
    try {
      const result = await timed(() => kv.range({ key: bytes("x") }));
      expect(isEtcdError(result.error, "unavailable")).toBe(true); // the dial timeout ran out, not a deadline
      expect((result.error as Error).message).toMatch(/no etcd endpoint reachable/);
      expect(result.ms).toBeLessThan(800 + SLACK_MS);
    } finally {
      await Promise.all([cluster.restart(0), cluster.restart(1)]);
    }
  });

  it("dial timeout: an endpoint that accepts TCP but never answers fails within dialTimeoutMs", async () => {
    const port = Number(new URL(cluster.members[0]!.clientUrl).port);
    await using proxy = await createTcpProxy({ host: "127.0.0.1", port });
    proxy.setMode("blackhole");
    await using transport = createTransport({ endpoints: [proxy.url], dialTimeoutMs: 600 });
    const kv = createClient(KV, transport);
    const result = await timed(() => kv.range({ key: bytes("x") }));
    expect(isEtcdError(result.error, "unavailable")).toBe(true);
    // The dial's own timer and the call's wait both end at the dial timeout; either may report it.
    expect((result.error as Error).message).toMatch(/dial timeout|still connecting/);
    expect(result.ms).toBeGreaterThan(500);
    expect(result.ms).toBeLessThan(600 + SLACK_MS);

    // A call deadline shorter than the dial timeout ends the wait: deadline-exceeded, saying the
    // endpoint was still connecting.
    await using slow = createTransport({ endpoints: [proxy.url], dialTimeoutMs: 5000 });
    const short = await timed(() => createClient(KV, slow).range({ key: bytes("x") }, { timeoutMs: 300 }));
    expect(isEtcdError(short.error, "deadline-exceeded")).toBe(true);
    expect((short.error as Error).message).toContain("still connecting");
    expect(short.ms).toBeLessThan(300 + SLACK_MS);
  });

  it("zombie session: keepalive PINGs detect a blackholed connection and calls move to the other member", async () => {
    const proxy: TcpProxy = cluster.members[0]!.proxy!;
    await using transport = createTransport({
      endpoints: cluster.endpoints,
      keepAliveIntervalMs: 200,
      keepAliveTimeoutMs: 300,
      dialTimeoutMs: 1000,
    });
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("zombie/k"), value: bytes("v") });
    for (let i = 0; i < 10; i++) await kv.range({ key: bytes("zombie/k") }); // both sessions exist
    proxy.setMode("blackhole");
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          sleep(i * 50).then(() => timed(() => kv.range({ key: bytes("zombie/k") }, { timeoutMs: 5000 }))),
        ),
      );
      // Every call succeeds within its deadline: calls on the dead session are retried on the other.
      for (const r of results) expect(r.error).toBeUndefined();
      // The dead session is gone: new calls go straight to the healthy member, none is retried.
      const retriesBefore = transport.stats.retries;
      const after = await timed(async () => {
        for (let i = 0; i < 10; i++) await kv.range({ key: bytes("zombie/k") }, { timeoutMs: 5000 });
      });
      expect(after.error).toBeUndefined();
      expect(transport.stats.retries).toBe(retriesBefore);
    } finally {
      proxy.setMode("pass");
    }
  });

  it("a stream on a connection that goes silent fails with unavailable after the keepalive timeout", async () => {
    const proxy: TcpProxy = cluster.members[0]!.proxy!;
    await using transport = createTransport({
      endpoints: [cluster.members[0]!.endpoint],
      keepAliveIntervalMs: 200,
      keepAliveTimeoutMs: 300,
    });
    const requests = (async function* () {
      yield { requestUnion: { case: "createRequest" as const, value: { key: bytes("silent/k") } } };
      await new Promise(() => {});
    })();
    let blackholedAt = 0;
    const outcome = await timed(async () => {
      for await (const response of createClient(Watch, transport).watch(requests)) {
        if (response.created) {
          proxy.setMode("blackhole");
          blackholedAt = performance.now();
        }
      }
    });
    try {
      expect(isEtcdError(outcome.error, "unavailable")).toBe(true);
      expect((outcome.error as Error).message).toMatch(/PING/);
      expect(performance.now() - blackholedAt).toBeLessThan(200 + 300 + SLACK_MS); // keepalive interval + timeout
    } finally {
      proxy.setMode("pass");
    }
  });

  it("idle zombie: a session idle past the keepalive interval is verified before use", async () => {
    const proxy: TcpProxy = cluster.members[0]!.proxy!;
    await using transport = createTransport({
      endpoints: [cluster.members[0]!.endpoint, cluster.members[1]!.endpoint],
      keepAliveIntervalMs: 200,
      keepAliveTimeoutMs: 300,
      dialTimeoutMs: 1000,
    });
    const kv = createClient(KV, transport);
    for (let i = 0; i < 4; i++) await kv.range({ key: bytes("x") });
    proxy.setMode("blackhole");
    try {
      await sleep(500); // idle: both sessions need a PING before their next call
      // A write is safe here: the PING fails before the write is sent, so it goes to the other member.
      // Round-robin sends one of two consecutive writes to the blackholed member, unless it was dropped.
      for (let i = 0; i < 2; i++) {
        const write = await timed(() => kv.put({ key: bytes(`idle/${i}`), value: bytes("v") }, { timeoutMs: 5000 }));
        expect(write.error).toBeUndefined(); // sent on the dead session, it would fail outcome-unknown
      }
    } finally {
      proxy.setMode("pass");
    }
  });
});
