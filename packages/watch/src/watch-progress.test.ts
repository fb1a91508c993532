/**
 * Resume revisions of quiet watches, against a real etcd behind the harness's proxy, with etcd's
 * per-watch progress notifications every 300 ms: a watch on a key that does not change follows the
 * store revision (etcdkit asks etcd for progress notifications on every watch, and shows them only
 * to watches that asked for `progressNotify`), so a reconnect after a compaction does not end it
 * with "compacted"; a watch that really missed compacted events still ends "compacted".
 */
import { isEtcdError } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectEvents, connectWatch, eventually, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("quiet watches and compaction (real etcd, progress notify interval 300 ms)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  let proxy: TcpProxy;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true, flags: ["--experimental-watch-progress-notify-interval=300ms"] });
    proxy = cluster.members[0]!.proxy!;
    env = connectWatch(cluster.endpoints, cluster.clientUrls);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  /** Cuts the watcher's connection and restores it once the stream is known to be broken. */
  async function cut(): Promise<void> {
    proxy.setMode("reset");
    await eventually(() => !env.watcher.stats.connected, 5_000, "the watch stream to break");
    await sleep(100);
    proxy.setMode("pass");
  }

  it("a quiet watch resumes without compacted after writes elsewhere, a compaction and a reconnect", async () => {
    const prefix = uniquePrefix("quiet");
    const watch = env.watcher.watch(`${prefix}quiet`);
    await watch.ready;
    let last = 0n;
    for (let i = 0; i < 5; i++) last = await env.put(`${prefix}busy`, `v${i}`);
    // etcd's next progress notification for the watch moves its resume revision past `last`
    // (not asserted here: what matters is how the watch behaves after the compaction)
    await eventually(() => watch.nextRevision > last, 10_000, "a progress notification").catch(() => {});
    await env.kv.compact({ revision: last, physical: true });
    await cut();

    const revision = await env.put(`${prefix}quiet`, "changed");
    const batches = await collectEvents(watch, 1, 15_000);
    expect(batches.map((b) => [b.progress, b.events.map((e) => [e.kv.modRevision, e.kv.text()])])).toEqual([
      [false, [[revision, "changed"]]],
    ]); // no progress batches for a watch that did not ask for them
    watch.cancel();
  });

  it("progressNotify watches see the notifications; others do not, although their resume revision moves", async () => {
    const prefix = uniquePrefix("shown");
    const shown = env.watcher.watch(`${prefix}a`, { progressNotify: true });
    const hidden = env.watcher.watch(`${prefix}b`);
    await Promise.all([shown.ready, hidden.ready]);
    const last = await env.put(`${prefix}elsewhere`, "v");
    const [progress] = await collectEvents(shown, 0, 10_000, (b) => b.some((x) => x.progress && x.revision >= last));
    expect(progress!.progress).toBe(true);
    await eventually(() => hidden.nextRevision > last, 10_000, "the hidden watch's resume revision to move");
    const revision = await env.put(`${prefix}b`, "v");
    const [batch] = await collectEvents(hidden, 1);
    expect([batch!.progress, batch!.revision]).toEqual([false, revision]);
    shown.cancel();
    hidden.cancel();
  });

  it("a watch that missed events which were then compacted still ends with compacted", async () => {
    const prefix = uniquePrefix("missed");
    const key = `${prefix}k`;
    const watch = env.watcher.watch(key);
    await watch.ready;
    proxy.setMode("reset");
    await eventually(() => !env.watcher.stats.connected, 5_000, "the watch stream to break");
    const missed = await env.put(key, "missed");
    const last = await env.put(`${prefix}other`, "v");
    await env.kv.compact({ revision: last, physical: true });
    await sleep(1_000); // several progress intervals: none may reach a disconnected watch
    proxy.setMode("pass");
    const error = await collectEvents(watch, 1, 15_000).catch((e: unknown) => e);
    expect(isEtcdError(error, "compacted"), String(error)).toBe(true);
    expect((error as { compactRevision?: bigint }).compactRevision).toBe(last);
    expect(watch.nextRevision).toBeLessThanOrEqual(missed);
  });
});
