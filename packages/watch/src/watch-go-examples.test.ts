/**
 * The watch examples of etcd's Go client (client/v3 example_watch_test.go), ported, each
 * asserting what Go's example prints. One etcd for the file, started with a 1 s progress notify
 * interval for ExampleWatcher_watchWithProgressNotify.
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectEvents, connectWatch, goEventLine, type WatchEnv } from "./watch-test-env.test-helpers.js";

describe("etcd Go client watch examples, against a real etcd", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  beforeAll(async () => {
    cluster = await startEtcd({ flags: ["--experimental-watch-progress-notify-interval=1s"] });
    env = connectWatch(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it('ExampleWatcher_watch: PUT "foo" : "bar"', async () => {
    const watch = env.watcher.watch("foo");
    await watch.ready;
    await env.put("foo", "bar");
    const [batch] = await collectEvents(watch, 1);
    expect(goEventLine(batch!)).toEqual(['PUT "foo" : "bar"']);
    watch.cancel();
  });

  it('ExampleWatcher_watchWithPrefix: PUT "foo1" : "bar"', async () => {
    const watch = env.watcher.watch("foo", { prefix: true });
    await watch.ready;
    await env.put("foo1", "bar");
    const [batch] = await collectEvents(watch, 1);
    expect(goEventLine(batch!)).toEqual(['PUT "foo1" : "bar"']);
    watch.cancel();
  });

  it("ExampleWatcher_watchWithRange: foo1, foo2, foo3 of [foo1, foo4)", async () => {
    const watch = env.watcher.watch("foo1", { end: "foo4" });
    await watch.ready;
    for (const key of ["foo0", "foo1", "foo2", "foo3", "foo4"]) await env.put(key, "bar");
    const batches = await collectEvents(watch, 3);
    expect(batches.flatMap(goEventLine)).toEqual(['PUT "foo1" : "bar"', 'PUT "foo2" : "bar"', 'PUT "foo3" : "bar"']);
    watch.cancel();
  });

  it("ExampleWatcher_watchWithProgressNotify: the first batch of an idle watch is a progress notification", async () => {
    const { header } = await env.kv.range({ key: new TextEncoder().encode("foo") });
    const watch = env.watcher.watch("foo", { progressNotify: true });
    const [batch] = await collectEvents(watch, 0, 5_000, (b) => b.length > 0);
    expect(batch!.progress).toBe(true);
    expect(batch!.events).toEqual([]);
    expect(batch!.revision).toBe(header!.revision);
    // the notification moves the resume revision: nothing up to it can be missing
    expect(watch.nextRevision).toBe(header!.revision + 1n);
    watch.cancel();
  });

  it("requestProgress(): every registered watch gets a progress batch at the store revision", async () => {
    const a = env.watcher.watch("progress/a");
    const b = env.watcher.watch("progress/b", { prefix: true });
    await Promise.all([a.ready, b.ready]);
    const revision = await env.put("unrelated", "x");
    env.watcher.requestProgress();
    const [[fromA], [fromB]] = await Promise.all([collectEvents(a, 0, 5_000, (x) => x.length > 0), collectEvents(b, 0, 5_000, (x) => x.length > 0)]);
    for (const batch of [fromA!, fromB!]) {
      expect(batch.progress).toBe(true);
      expect(batch.revision).toBe(revision);
    }
    a.cancel();
    b.cancel();
  });
});
