/**
 * A member that loses its leader stops seeing writes. etcd cancels a watch stream that asked for
 * a leader (`hasleader: true`, sent by default) once the member has had no leader for three
 * election timeouts, and refuses to open one on it; the watch then re-opens (on another member)
 * and misses nothing. A watch that opted out (`requireLeader: false`) stays on its member: no
 * error, no re-open. The member loses its leader because the other two are paused: the harness's
 * peer proxies cannot cut the raft traffic into one member (a member receives its peers' messages
 * on connections it dials to THEIR peer ports), so a partitioned member with a working majority
 * cannot be set up here.
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
    cluster = await startEtcd({ members: 3, proxy: true });
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

  it("etcd ends the stream of a member without a leader and the watch re-opens it; an opted-out watch stays; both miss nothing", async () => {
    const prefix = uniquePrefix("leader-loss");
    for (const m of cluster.members) m.proxy!.resetStats();
    const watchTransport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 2_000 });
    const watcher = createWatch(watchTransport);
    const watch = watcher.watch(prefix, { prefix: true });
    await watch.ready;
    const carrier = cluster.members.findIndex((m) => m.proxy!.stats.http2Streams > 0);
    expect(carrier).toBeGreaterThanOrEqual(0);
    const others = [0, 1, 2].filter((i) => i !== carrier);

    // A watch that opts out, on a transport that only knows the member that will lose its leader.
    const pinnedTransport = createTransport({ endpoints: [cluster.clientUrls[carrier]!], dialTimeoutMs: 2_000 });
    const pinned = createWatch(pinnedTransport);
    const optedOut = pinned.watch(prefix, { prefix: true, requireLeader: false });
    await optedOut.ready;

    const writer = createTransport({ endpoints: cluster.clientUrls, dialTimeoutMs: 2_000 });
    const kv = createClient(KV, writer);
    const put = async (key: string): Promise<bigint> =>
      (await kv.put({ key: toBytes(key), value: toBytes("v") }, { timeoutMs: 10_000 })).header!.revision;
    const written: bigint[] = [];
    for (let i = 0; i < 10; i++) written.push(await put(`${prefix}${i}`));
    await collectEvents(watch, 10, 20_000).then((b) => expect(b.flatMap((x) => x.events.map((e) => e.kv.modRevision))).toEqual(written));

    const opened = watcher.stats.streamsOpened;
    const pinnedOpened = pinned.stats.streamsOpened;
    for (const i of others) cluster.pause(i);
    try {
      // The carrier has no leader now: etcd ends the stream that asked for one ("no leader") after
      // three election timeouts, and the watch re-opens it while the other members are still down.
      await eventually(() => watcher.stats.streamsOpened > opened, 30_000, "the watch stream to be re-opened after the leader loss");
    } finally {
      for (const i of others) cluster.resume(i);
    }
    await cluster.waitHealthy(undefined, 30_000);
    for (let i = 10; i < 20; i++) written.push(await put(`${prefix}${i}`));

    const after = await collectEvents(watch, 10, 40_000);
    expect(after.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual(written.slice(10));
    // The opted-out watch stayed on its member (no error, no re-open) and missed nothing either.
    const all = await collectEvents(optedOut, 20, 40_000);
    expect(all.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual(written);
    expect(pinned.stats.streamsOpened).toBe(pinnedOpened);
    await watcher.close();
    await pinned.close();
    await Promise.all([watchTransport.close(), pinnedTransport.close(), writer.close()]);
  }, 120_000);
});
