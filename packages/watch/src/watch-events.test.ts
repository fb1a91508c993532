/**
 * The watch stream's re-opens are reported to the transport's `onEvent` ("stream-reopen"), against
 * a real etcd behind the harness's proxy: the proxy resets the connection, the watch resumes.
 */
import { createTransport, isEtcdError, toBytes, type StreamReopenEvent, type TransportEvent } from "@etcdkit/transport";
import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWatch } from "./create-watch.js";
import { collectEvents, eventually, uniquePrefix } from "./watch-test-env.test-helpers.js";

describe("watch stream re-opens as transport events (real etcd, proxy)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterAll(() => cluster?.stop());

  it("a reset connection: one stream-reopen event (stream watch, attempt 1, why, the delay), and the watch goes on from its next revision", async () => {
    const proxy = cluster.members[0]!.proxy!;
    const events: TransportEvent[] = [];
    await using transport = createTransport({ endpoints: [proxy.url], dialTimeoutMs: 2_000, onEvent: (e) => void events.push(e) });
    await using writer = createTransport({ endpoints: cluster.clientUrls });
    const kv = createClient(KV, writer);
    const watcher = createWatch(transport);
    const key = uniquePrefix("events") + "k";
    const watch = watcher.watch(key);
    await watch.ready;

    await kv.put({ key: toBytes(key), value: toBytes("1") });
    proxy.setMode("reset");
    await eventually(() => events.some((e) => e.type === "stream-reopen"), 10_000, "a stream-reopen event");
    proxy.setMode("pass");
    await kv.put({ key: toBytes(key), value: toBytes("2") });

    const batches = await collectEvents(watch, 2);
    expect(batches.flatMap((b) => b.events.map((e) => e.kv.text()))).toEqual(["1", "2"]);
    const reopens = events.filter((e): e is StreamReopenEvent => e.type === "stream-reopen");
    expect(reopens[0]).toMatchObject({ type: "stream-reopen", stream: "watch", attempt: 1 });
    expect(reopens[0]!.delayMs).toBeGreaterThan(0);
    expect(isEtcdError(reopens[0]!.error, "unavailable")).toBe(true);
    await watcher.close();
  });
});
