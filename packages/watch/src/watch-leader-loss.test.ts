/**
 * A member that loses its leader stops seeing writes. etcd cancels a watch stream that asked for
 * a leader (`hasleader: true`, sent by default) once the member has had no leader for three
 * election timeouts, and refuses to open one on it; the watch then re-opens (on another member)
 * and misses nothing. A watch that opted out (`requireLeader: false`) stays on its member: no
 * error, no re-open, and silence while its member is cut off. The member is cut off with the
 * harness's `isolate()` (all of its raft traffic held, both ways) while the other two keep
 * committing writes.
 */
import { createClient, type Transport } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport, toBytes } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWatch } from "./create-watch.js";
import { collectEvents, eventually, uniquePrefix } from "./watch-test-env.test-helpers.js";

/** A transport that records the request headers of every stream it opens. */
function recordStreamHeaders(inner: Transport): Transport & { streamHeaders: Headers[] } {
  const streamHeaders: Headers[] = [];
  return {
    streamHeaders,
    unary: (...args) => inner.unary(...args),
    stream(method, signal, timeoutMs, header, input, contextValues) {
      streamHeaders.push(new Headers(header));
      return inner.stream(method, signal, timeoutMs, header, input, contextValues);
    },
  };
}

describe("watch on a member that loses its leader (3 real members)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, proxy: true, peerProxy: true, flags: ["--pre-vote"] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("sends hasleader on the watch stream by default; watches that opt out get a stream of their own without it", async () => {
    const transport = recordStreamHeaders(createTransport({ endpoints: [cluster.clientUrls[0]!] }));
    const watcher = createWatch(transport);
    const led = watcher.watch("headers/led");
    const free = watcher.watch("headers/free", { requireLeader: false });
    await Promise.all([led.ready, free.ready]);
    expect(transport.streamHeaders.map((h) => h.get("hasleader")).sort()).toEqual(["false", "true"]);
    const { header } = await createClient(KV, transport).put({ key: toBytes("headers/free"), value: toBytes("v") });
    const [batch] = await collectEvents(free, 1);
    expect(batch!.revision).toBe(header!.revision);
    await watcher.close();
  });

  it("a watch on a member cut off from the others fails over and delivers every write of the majority; an opted-out watch stays and catches up after", async () => {
    const prefix = uniquePrefix("leader-loss");
    for (const m of cluster.members) m.proxy!.resetStats();
    const watchTransport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 2_000 });
    const watcher = createWatch(watchTransport);
    const watch = watcher.watch(prefix, { prefix: true });
    await watch.ready;
    const carrier = cluster.members.findIndex((m) => m.proxy!.stats.http2Streams > 0);
    expect(carrier).toBeGreaterThanOrEqual(0);
    const majority = [0, 1, 2].filter((i) => i !== carrier);

    // A watch that opts out, on a transport that only knows the member that will be cut off.
    const pinnedTransport = createTransport({ endpoints: [cluster.clientUrls[carrier]!], dialTimeoutMs: 2_000 });
    const pinned = createWatch(pinnedTransport);
    const optedOut = pinned.watch(prefix, { prefix: true, requireLeader: false });
    await optedOut.ready;

    // Writes go through the two members that keep the quorum.
    const writer = createTransport({ endpoints: majority.map((i) => cluster.clientUrls[i]!), dialTimeoutMs: 2_000 });
    const kv = createClient(KV, writer);
    const put = async (key: string): Promise<bigint> =>
      (await kv.put({ key: toBytes(key), value: toBytes("v") }, { timeoutMs: 10_000 })).header!.revision;
    const written: bigint[] = [];
    for (let i = 0; i < 10; i++) written.push(await put(`${prefix}${i}`));
    const before = await collectEvents(watch, 10, 20_000);
    expect(before.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual(written);

    const opened = watcher.stats.streamsOpened;
    const pinnedOpened = pinned.stats.streamsOpened;
    await cluster.isolate(carrier);
    try {
      // When the member cut off was the leader, the majority elects a new one first; until then
      // a put can fail etcd's "request timed out". Wait for a leader with writes outside the
      // watched prefix, so that the watched writes below each happen exactly once.
      await eventually(
        () => kv.put({ key: toBytes(`/leader-check/${prefix}`), value: toBytes("v") }, { timeoutMs: 2_000 }).then(() => true, () => false),
        30_000,
        "the majority to elect a leader",
      );
      for (let i = 10; i < 20; i++) written.push(await put(`${prefix}${i}`));
      // etcd ends the stream that asked for a leader after three election timeouts without one;
      // the watch re-opens on a member of the majority and delivers every write, in order, while
      // its first member is still cut off.
      const during = await collectEvents(watch, 10, 40_000);
      expect(during.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual(written.slice(10));
      expect(watcher.stats.streamsOpened).toBeGreaterThan(opened);
    } finally {
      await cluster.heal(carrier);
    }
    await cluster.waitHealthy(undefined, 30_000);

    // The opted-out watch stayed on its member (no error, no re-open) and catches up after the heal.
    const all = await collectEvents(optedOut, 20, 40_000);
    expect(all.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual(written);
    expect(pinned.stats.streamsOpened).toBe(pinnedOpened);
    await watcher.close();
    await pinned.close();
    await Promise.all([watchTransport.close(), pinnedTransport.close(), writer.close()]);
  }, 120_000);
});
