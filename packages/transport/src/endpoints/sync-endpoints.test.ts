import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

describe("syncEndpoints deadlines", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(() => {
    cluster.members[0]!.proxy!.setMode("pass");
  });

  it("without timeoutMs, MemberList gets the transport's default deadline, not dialTimeoutMs", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 300, timeoutMs: 20_000 });
    await createClient(KV, transport).range({ key: bytes("sync/k") }); // connected
    cluster.members[0]!.proxy!.setMode("delay", { delayMs: 800 }); // a slow member, well within 20 s
    const result = await transport.syncEndpoints().catch((e: unknown) => e);
    expect(result).toEqual([cluster.members[0]!.clientUrl]);
  });

  it("the caller's timeoutMs wins; <= 0 fails before any I/O; Infinity means no deadline at all", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 300, timeoutMs: 300 });
    await createClient(KV, transport).range({ key: bytes("sync/k") });
    const proxy = cluster.members[0]!.proxy!;
    proxy.setMode("delay", { delayMs: 800 });

    const short = await transport.syncEndpoints({ timeoutMs: 200 }).catch((e: unknown) => e);
    expect(isEtcdError(short, "deadline-exceeded"), String(short)).toBe(true);

    await sleep(2000); // the abandoned call's frames have passed the proxy
    proxy.resetStats();
    const none = await transport.syncEndpoints({ timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isEtcdError(none, "deadline-exceeded")).toBe(true);
    const bad = await transport.syncEndpoints({ timeoutMs: Number.NaN }).catch((e: unknown) => e);
    expect(isEtcdError(bad, "invalid-argument")).toBe(true);
    const badSignal = await transport.syncEndpoints({ signal: "stop" as never }).catch((e: unknown) => e);
    expect(isEtcdError(badSignal, "invalid-argument")).toBe(true);
    await sleep(2000); // anything sent would have been delivered by now
    expect(proxy.stats.http2Streams).toBe(0);

    // Last: a successful sync replaces the proxy URL with the member's own client URL.
    expect(await transport.syncEndpoints({ timeoutMs: Infinity })).toEqual([cluster.members[0]!.clientUrl]);
  });

  it("auto-sync bounds each MemberList by 5 s (as Go's client), however long the dial timeout", async () => {
    await using transport = createTransport({
      endpoints: cluster.endpoints,
      dialTimeoutMs: 60_000,
      keepAliveIntervalMs: 0, // nothing else notices the silent member
      autoSyncIntervalMs: 200,
    });
    await createClient(KV, transport).range({ key: bytes("sync/k") });
    const calls = transport.stats.calls;
    cluster.members[0]!.proxy!.setMode("blackhole"); // MemberList is sent and never answered

    // The first run starts after 200 ms and must give up after 5 s; then the next run starts.
    for (let waited = 0; transport.stats.calls - calls < 2 && waited < 15_000; waited += 100) await sleep(100);
    expect(transport.stats.calls - calls).toBeGreaterThanOrEqual(2);
  });
});
