/**
 * Resume guarantees under connection loss, against a real etcd behind the harness's TCP proxy:
 * the watcher talks through the proxy, writers go direct, and the proxy resets connections.
 */
import { createTransport, isEtcdError, toBytes } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWatch } from "./create-watch.js";
import { collectEvents, connectWatch, eventually, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("watch resume across reconnects (real etcd, proxy cuts)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  let proxy: TcpProxy;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
    env = connectWatch(cluster.endpoints, cluster.clientUrls);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("delivers exactly the 1,000 revisions of 1,000 puts, in order, while the connection is cut during the writes", async () => {
    const prefix = uniquePrefix("cuts");
    const watch = env.watcher.watch(prefix, { prefix: true });
    await watch.ready;
    const opened = env.watcher.stats.streamsOpened;

    let writing = true;
    let cuts = 0;
    const cutter = (async () => {
      while (writing) {
        // cut only a stream that is up, so that every cut forces a re-open and a resume
        await eventually(() => env.watcher.stats.connected || !writing, 10_000, "the watch stream to be up");
        await sleep(30 + Math.random() * 50);
        if (!writing) break;
        proxy.setMode("reset");
        cuts++;
        await sleep(20 + Math.random() * 40);
        proxy.setMode("pass");
      }
    })();
    const written: bigint[] = [];
    for (let i = 0; i < 1000; i++) {
      // However fast the writes go on a busy machine, at least one cut falls in the middle of them.
      if (i === 500) await eventually(() => cuts >= 1, 20_000, "a first cut while writing");
      written.push(await env.put(`${prefix}${i % 37}`, `v${i}`));
    }
    writing = false;
    await cutter;
    proxy.setMode("pass");

    const batches = await collectEvents(watch, 1000, 30_000);
    const seen = batches.flatMap((b) => b.events.map((e) => e.kv.modRevision));
    expect(seen).toEqual(written);
    expect(batches.every((b) => !b.progress)).toBe(true);
    // How many cuts fit in the writes depends on the machine's speed; each one forced a re-open.
    expect(cuts).toBeGreaterThanOrEqual(1);
    expect(env.watcher.stats.streamsOpened - opened).toBeGreaterThanOrEqual(cuts);
    watch.cancel();
  }, 60_000);

  it("a revision-0 watch cut before its first event resumes right after its created revision", async () => {
    const key = `${uniquePrefix("rev0")}k`;
    const watch = env.watcher.watch(key);
    const created = await watch.ready;
    expect(watch.nextRevision).toBe(created + 1n);
    const opened = env.watcher.stats.streamsOpened;

    proxy.setMode("reset");
    await eventually(() => !env.watcher.stats.connected, 5_000, "the watch stream to break");
    const revision = await env.put(key, "written while disconnected");
    await sleep(100);
    proxy.setMode("pass");

    const [batch] = await collectEvents(watch, 1, 15_000);
    expect(batch!.events.map((e) => [e.kv.modRevision, e.kv.text()])).toEqual([[revision, "written while disconnected"]]);
    expect(env.watcher.stats.streamsOpened).toBeGreaterThan(opened);
    watch.cancel();
  });

  it("compaction past a disconnected watch's next revision ends it with a typed compacted error", async () => {
    const key = `${uniquePrefix("compact")}k`;
    const watch = env.watcher.watch(key);
    await watch.ready;
    const first = await env.put(key, "1");
    const [batch] = await collectEvents(watch, 1);
    expect(batch!.revision).toBe(first);

    proxy.setMode("reset");
    await eventually(() => !env.watcher.stats.connected, 5_000, "the watch stream to break");
    await env.put(key, "2");
    const last = await env.put(key, "3");
    await env.kv.compact({ revision: last, physical: true });
    proxy.setMode("pass");

    const error = await collectEvents(watch, 1, 10_000).catch((e: unknown) => e);
    expect(isEtcdError(error, "compacted")).toBe(true);
    expect((error as { compactRevision?: bigint }).compactRevision).toBe(last);
    expect(await watch.next()).toEqual({ value: undefined, done: true });
    await eventually(() => env.watcher.stats.serverWatchers === 0, 5_000, "the compacted watcher to be forgotten");
  });

  it("a watch from an already compacted start revision fails with compacted at once", async () => {
    const key = `${uniquePrefix("compacted-start")}k`;
    const a = await env.put(key, "a");
    const b = await env.put(key, "b");
    await env.kv.compact({ revision: b, physical: true });
    const watch = env.watcher.watch(key, { startRevision: a });
    const error = await collectEvents(watch, 1).catch((e: unknown) => e);
    expect(isEtcdError(error, "compacted")).toBe(true);
    expect((error as { compactRevision?: bigint }).compactRevision).toBe(b);
  });

  it("a watch keeps its own copy of a Uint8Array key: reusing the buffer changes nothing, also after a reconnect", async () => {
    const prefix = uniquePrefix("key-copy");
    const buffer = Buffer.from(`${prefix}original`);
    const watch = env.watcher.watch(buffer, { prevKv: true });
    await watch.ready;
    buffer.write(`${prefix}reused!!`); // same length: the caller reuses its buffer for another key
    expect(buffer.toString()).toBe(`${prefix}reused!!`);

    proxy.setMode("reset");
    await eventually(() => !env.watcher.stats.connected, 5_000, "the watch stream to break");
    await env.put(`${prefix}reused!!`, "not watched");
    const revision = await env.put(`${prefix}original`, "watched");
    proxy.setMode("pass");

    const [batch] = await collectEvents(watch, 1, 15_000);
    expect(batch!.events.map((e) => [e.kv.keyText(), e.kv.text(), e.kv.modRevision])).toEqual([[`${prefix}original`, "watched", revision]]);
    watch.cancel();
  });

  it("on an unreachable cluster, ready rejects with unavailable after the dial timeout while the watch keeps retrying", async () => {
    const key = `${uniquePrefix("unreachable")}k`;
    const from = (await env.put(key, "before")) + 1n;
    proxy.setMode("blackhole"); // connections are accepted, nothing answers
    const transport = createTransport({ endpoints: [cluster.endpoints[0]!], dialTimeoutMs: 500 });
    const watcher = createWatch(transport);
    try {
      const watch = watcher.watch(key, { startRevision: from });
      const outcome = await Promise.race([
        watch.ready.then(
          () => "registered",
          (e: unknown) => e,
        ),
        sleep(20_000).then(() => "still pending after 20 s"),
      ]);
      expect(isEtcdError(outcome, "unavailable"), String(outcome)).toBe(true);
      const revision = await env.put(key, "while unreachable");
      await sleep(1_000);
      expect(watcher.stats.streamsOpened).toBeGreaterThan(1); // it kept trying
      proxy.setMode("pass");
      const [batch] = await collectEvents(watch, 1, 20_000);
      expect(batch!.events.map((e) => [e.kv.modRevision, e.kv.text()])).toEqual([[revision, "while unreachable"]]);
      await expect(watch.ready).rejects.toMatchObject({ reason: "unavailable" }); // settled once, stays so
    } finally {
      proxy.setMode("pass");
      await watcher.close();
      await transport.close();
    }
  }, 60_000);

  it("keeps a watch going while etcd is unreachable for a while, without a busy loop", async () => {
    const key = `${uniquePrefix("outage")}k`;
    const watch = env.watcher.watch(key);
    await watch.ready;
    const opened = env.watcher.stats.streamsOpened;
    proxy.setMode("reset");
    const revision = await env.put(key, "during outage");
    await sleep(1_500);
    // backoff: a handful of attempts in 1.5 s, not hundreds
    expect(env.watcher.stats.streamsOpened - opened).toBeLessThan(15);
    proxy.setMode("pass");
    const [batch] = await collectEvents(watch, 1, 15_000);
    expect(batch!.revision).toBe(revision);
    expect(toBytes(batch!.events[0]!.kv.text())).toEqual(toBytes("during outage"));
    watch.cancel();
  });
});
