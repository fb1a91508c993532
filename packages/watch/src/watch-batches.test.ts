/**
 * Batch shape against a real etcd: all events of one revision (a txn, a multi-key delete) arrive
 * in one batch, also when a catch-up crosses etcd's 1,000-revisions-per-response limit, and a
 * revision etcd splits into fragments (forced with --max-request-bytes) is reassembled.
 */
import { createClient } from "@connectrpc/connect";
import { Watch as WatchService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport, prefixRangeEnd, toBytes } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestQueue } from "@etcdkit/transport/internal";
import { createWatch } from "./create-watch.js";
import type { WatchBatch } from "./watch-event.js";
import type { WatchRequestInit } from "./watch-session.js";
import { collectEvents, connectWatch, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

/** Every revision must appear in exactly one batch. */
function revisionsSplitAcrossBatches(batches: readonly WatchBatch[]): bigint[] {
  const owner = new Map<bigint, number>();
  const split: bigint[] = [];
  batches.forEach((batch, index) => {
    for (const event of batch.events) {
      const seen = owner.get(event.kv.modRevision);
      if (seen !== undefined && seen !== index) split.push(event.kv.modRevision);
      owner.set(event.kv.modRevision, index);
    }
  });
  return split;
}

/** --max-request-bytes=65536: etcd fragments watch responses above 64 KiB + 512 KiB of gRPC overhead. */
const MAX_REQUEST_BYTES = 65_536;

describe("watch batches keep revisions whole (real etcd)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  beforeAll(async () => {
    cluster = await startEtcd({ flags: [`--max-request-bytes=${MAX_REQUEST_BYTES}`] });
    env = connectWatch(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("a 5-key txn arrives as one batch at one revision", async () => {
    const prefix = uniquePrefix("txn");
    const watch = env.watcher.watch(prefix, { prefix: true });
    await watch.ready;
    const { header } = await env.kv.txn({
      success: [0, 1, 2, 3, 4].map((i) => ({
        request: { case: "requestPut" as const, value: { key: toBytes(`${prefix}${i}`), value: toBytes(`v${i}`) } },
      })),
    });
    const batches = await collectEvents(watch, 5);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.revision).toBe(header!.revision);
    expect(batches[0]!.events.map((e) => [e.kv.keyText(), e.kv.modRevision])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [`${prefix}${i}`, header!.revision]),
    );
    watch.cancel();
  });

  it("a catch-up over 1,200 three-key txns never splits a revision, across etcd's 1,000-revision responses", async () => {
    const prefix = uniquePrefix("catch-up");
    let first = 0n;
    for (let i = 0; i < 1200; i++) {
      const { header } = await env.kv.txn({
        success: ["a", "b", "c"].map((k) => ({
          request: { case: "requestPut" as const, value: { key: toBytes(`${prefix}${k}`), value: toBytes(String(i)) } },
        })),
      });
      if (i === 0) first = header!.revision;
    }
    const watch = env.watcher.watch(prefix, { prefix: true, startRevision: first });
    const batches = await collectEvents(watch, 3600, 30_000);
    expect(batches.length).toBeGreaterThan(1); // etcd sends at most 1,000 revisions per response to a catching-up watcher
    expect(revisionsSplitAcrossBatches(batches)).toEqual([]);
    const revisions = batches.flatMap((b) => b.events.map((e) => e.kv.modRevision));
    expect(revisions).toHaveLength(3600);
    expect(new Set(revisions).size).toBe(1200);
    expect(revisions[0]).toBe(first);
    for (const batch of batches) expect(batch.revision).toBe(batch.events[batch.events.length - 1]!.kv.modRevision);
    watch.cancel();
  }, 60_000);

  it("reassembles a revision etcd sends in fragments (fragment: true, a delete of 12 large keys with prevKv)", async () => {
    const prefix = uniquePrefix("fragments");
    const big = "x".repeat(60_000);
    for (let i = 0; i < 12; i++) await env.put(`${prefix}${String(i).padStart(2, "0")}`, big);
    const watch = env.watcher.watch(prefix, { prefix: true, prevKv: true, fragment: true });
    await watch.ready;
    const { header } = await env.kv.deleteRange({ key: toBytes(prefix), rangeEnd: prefixRangeEnd(toBytes(prefix)) });
    const deleted = header!.revision;

    const batches = await collectEvents(watch, 12, 15_000);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.revision).toBe(deleted);
    expect(batches[0]!.events.map((e) => e.type)).toEqual(Array(12).fill("delete"));
    expect(batches[0]!.events.map((e) => e.prevKv?.keyText())).toEqual(
      Array.from({ length: 12 }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`),
    );
    expect(batches[0]!.events.every((e) => e.prevKv?.value.length === 60_000)).toBe(true);
    watch.cancel();

    // The same revision on a raw stream: etcd really did split it.
    const requests = new RequestQueue<WatchRequestInit>();
    const abort = new AbortController();
    requests.push({
      requestUnion: {
        case: "createRequest",
        value: { key: toBytes(prefix), rangeEnd: prefixRangeEnd(toBytes(prefix)), startRevision: deleted, prevKv: true, fragment: true },
      },
    });
    const pieces: { fragment: boolean; events: number }[] = [];
    let events = 0;
    for await (const r of createClient(WatchService, env.transport).watch(requests, { signal: abort.signal })) {
      if (r.created) continue;
      pieces.push({ fragment: r.fragment, events: r.events.length });
      events += r.events.length;
      if (events >= 12) break;
    }
    abort.abort();
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.slice(0, -1).every((p) => p.fragment)).toBe(true);
    expect(pieces[pieces.length - 1]!.fragment).toBe(false);
  });

  it("by default a catch-up larger than the transport's receive limit arrives in fragments, reassembled into one batch", async () => {
    const prefix = uniquePrefix("large-catch-up");
    const big = "z".repeat(60_000);
    let first = 0n;
    for (let i = 0; i < 30; i++) {
      const { header } = await env.kv.put({ key: toBytes(`${prefix}${String(i).padStart(2, "0")}`), value: toBytes(big) });
      if (i === 0) first = header!.revision;
    }
    // 30 revisions of 60 KB: one response of 1.8 MB unless etcd splits it, over a 1 MiB limit.
    await using small = createTransport({ endpoints: cluster.endpoints, maxReceiveMessageBytes: 1 << 20 });
    const watcher = createWatch(small);
    const watch = watcher.watch(prefix, { prefix: true, startRevision: first });
    const batches = await collectEvents(watch, 30, 15_000); // was: message-too-large
    expect(batches).toHaveLength(1);
    expect(batches[0]!.events.map((e) => e.kv.modRevision)).toEqual(Array.from({ length: 30 }, (_, i) => first + BigInt(i)));
    expect(batches[0]!.events.every((e) => e.kv.value.length === 60_000)).toBe(true);
    await watcher.close();
  });

  it("with fragment: false, the same kind of revision comes whole in one response", async () => {
    const prefix = uniquePrefix("whole");
    const big = "y".repeat(60_000);
    for (let i = 0; i < 12; i++) await env.put(`${prefix}${i}`, big);
    const watch = env.watcher.watch(prefix, { prefix: true, prevKv: true, fragment: false });
    await watch.ready;
    await env.kv.deleteRange({ key: toBytes(prefix), rangeEnd: prefixRangeEnd(toBytes(prefix)) });
    const batches = await collectEvents(watch, 12, 15_000);
    expect(batches).toHaveLength(1);
    watch.cancel();
  });
});
