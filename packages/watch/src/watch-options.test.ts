/**
 * Watch options against a real etcd (prevKv, filters, ranges, history, event helpers) and the
 * list-then-watch helper; plus the request encoding as unit tests.
 */
import { isEtcdError, prefixRangeEnd, toBytes } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createWatch } from "./create-watch.js";
import { listThenWatch } from "./list-then-watch.js";
import { RangeKind, WatchFlag, resolveWatchSpec, wireRange } from "./watch-options.js";
import { collectEvents, connectWatch, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

describe("resolveWatchSpec / wireRange", () => {
  it("derives Go's wire ranges", () => {
    const text = (b: Uint8Array) => Array.from(b);
    expect(wireRange(resolveWatchSpec("foo", undefined))).toEqual({ key: toBytes("foo"), rangeEnd: new Uint8Array(0) });
    expect(wireRange(resolveWatchSpec("foo", { prefix: true })).rangeEnd).toEqual(toBytes("fop"));
    expect(text(wireRange(resolveWatchSpec("", { prefix: true })).key)).toEqual([0]);
    expect(text(wireRange(resolveWatchSpec("", { prefix: true })).rangeEnd)).toEqual([0]);
    expect(text(wireRange(resolveWatchSpec("m", { fromKey: true })).rangeEnd)).toEqual([0]);
    expect(wireRange(resolveWatchSpec("a", { end: "c" })).rangeEnd).toEqual(toBytes("c"));
  });

  it("packs options into flags and validates before I/O", () => {
    const spec = resolveWatchSpec("k", { prevKv: true, noPut: true, noDelete: true, progressNotify: true, fragment: true });
    expect(spec.flags).toBe(WatchFlag.PrevKv | WatchFlag.NoPut | WatchFlag.NoDelete | WatchFlag.ProgressNotify | WatchFlag.Fragment);
    expect(spec.rangeKind).toBe(RangeKind.Single);
    expect(resolveWatchSpec("k", { requireLeader: false }).flags).toBe(WatchFlag.LeaderOptional | WatchFlag.Fragment);
    expect(resolveWatchSpec("k", { requireLeader: true }).flags).toBe(WatchFlag.Fragment);
    expect(resolveWatchSpec("k", {}).flags).toBe(WatchFlag.Fragment); // fragmented responses by default
    expect(resolveWatchSpec("k", { fragment: false }).flags).toBe(0);
    expect(() => resolveWatchSpec("", undefined)).toThrow(expect.objectContaining({ reason: "empty-key" }));
    expect(() => resolveWatchSpec("a", { end: "b", prefix: true } as never)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    expect(() => resolveWatchSpec(42 as never, undefined)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    expect(() => resolveWatchSpec("a", { signal: {} as never })).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
  });
});

describe("watch options (real etcd)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  beforeAll(async () => {
    cluster = await startEtcd();
    env = connectWatch(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("prevKv, delete events and isCreate", async () => {
    const key = `${uniquePrefix("prev")}k`;
    const watch = env.watcher.watch(key, { prevKv: true });
    await watch.ready;
    await env.put(key, JSON.stringify({ n: 1 }));
    await env.put(key, JSON.stringify({ n: 2 }));
    await env.kv.deleteRange({ key: toBytes(key) });
    const events = (await collectEvents(watch, 3)).flatMap((b) => b.events);
    expect(events.map((e) => [e.type, e.isCreate, e.kv.text(), e.prevKv?.json<{ n: number }>().n])).toEqual([
      ["put", true, '{"n":1}', undefined],
      ["put", false, '{"n":2}', 1],
      ["delete", false, "", 2],
    ]);
    expect(events[1]!.kv.version).toBe(2);
    watch.cancel();
  });

  it("noPut and noDelete filter on the server", async () => {
    const prefix = uniquePrefix("filters");
    const deletesOnly = env.watcher.watch(prefix, { prefix: true, noPut: true });
    const putsOnly = env.watcher.watch(prefix, { prefix: true, noDelete: true });
    await Promise.all([deletesOnly.ready, putsOnly.ready]);
    await env.put(`${prefix}a`, "1");
    await env.kv.deleteRange({ key: toBytes(`${prefix}a`) });
    await env.put(`${prefix}b`, "2");
    expect((await collectEvents(deletesOnly, 1)).flatMap((b) => b.events.map((e) => e.type))).toEqual(["delete"]);
    expect((await collectEvents(putsOnly, 2)).flatMap((b) => b.events.map((e) => e.kv.keyText()))).toEqual([`${prefix}a`, `${prefix}b`]);
    deletesOnly.cancel();
    putsOnly.cancel();
  });

  it("fromKey and startRevision replay history", async () => {
    const prefix = uniquePrefix("history");
    const first = await env.put(`${prefix}1`, "a");
    await env.put(`${prefix}0`, "below");
    await env.put(`${prefix}2`, "b");
    const watch = env.watcher.watch(`${prefix}1`, { fromKey: true, startRevision: first });
    const events = (await collectEvents(watch, 2)).flatMap((b) => b.events.map((e) => e.kv.keyText()));
    expect(events).toEqual([`${prefix}1`, `${prefix}2`]);
    watch.cancel();
  });

  it("listThenWatch: a paged snapshot at one revision, then every later change exactly once", async () => {
    const prefix = uniquePrefix("list");
    for (let i = 0; i < 25; i++) await env.put(`${prefix}${String(i).padStart(2, "0")}`, String(i));
    const { revision, kvs, watch } = await listThenWatch(env.watcher, prefix, { prefix: true, pageSize: 10 });
    expect(kvs.map((kv) => kv.text())).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
    const next = await env.put(`${prefix}25`, "25");
    const [batch] = await collectEvents(watch, 1);
    expect(watch.nextRevision).toBe(next + 1n);
    expect(batch!.revision).toBe(next);
    expect(next).toBe(revision + 1n);
    watch.cancel();
    await env.kv.deleteRange({ key: toBytes(prefix), rangeEnd: prefixRangeEnd(toBytes(prefix)) });
  });

  it("runs on Connect's own gRPC transport too", async () => {
    const key = `${uniquePrefix("connect-node")}k`;
    const watcher = createWatch(createGrpcTransport({ baseUrl: cluster.endpoints[0]! }));
    const watch = watcher.watch(key);
    await watch.ready;
    const revision = await env.put(key, "v");
    const [batch] = await collectEvents(watch, 1);
    expect(batch!.revision).toBe(revision);
    await watcher.close();
  });

  it("listThenWatch validates before I/O", async () => {
    await expect(listThenWatch(env.watcher, "")).rejects.toSatisfy((e) => isEtcdError(e, "empty-key"));
    await expect(listThenWatch(env.watcher, "a", { pageSize: 0 })).rejects.toSatisfy((e) => isEtcdError(e, "invalid-argument"));
  });
});
