/**
 * A watch whose consumer stops reading holds at most its queue bound: past it the watch ends with
 * "slow-consumer" and the revision to resume from (after the batches it had queued), etcd forgets
 * its watcher, and the other watches of the stream get every event. Against a real etcd, plus
 * unit tests of the bound (events, bytes, progress batches, the default).
 */
import { create } from "@bufbuild/protobuf";
import { EventSchema, Event_EventType, type Event } from "@etcdkit/api/mvccpb/kv_pb";
import { isEtcdError, type EtcdError } from "@etcdkit/transport";
import { toResponseHeader } from "@etcdkit/transport/internal";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchBatch } from "./watch-event.js";
import { resolveWatchSpec, type WatchOptions } from "./watch-options.js";
import { WatchSubscription } from "./watch-subscription.js";
import type { Watch } from "./watch.js";
import { collectEvents, connectWatch, eventually, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

/** Reads what a watch queued until it ends; returns the batches and the error it ended with. */
async function drain(watch: Watch): Promise<{ batches: WatchBatch[]; error: unknown }> {
  const batches: WatchBatch[] = [];
  for (;;) {
    try {
      const next = await watch.next();
      if (next.done === true) return { batches, error: undefined };
      batches.push(next.value);
    } catch (error) {
      return { batches, error };
    }
  }
}

describe("slow watch consumers (real etcd)", () => {
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

  it("a forgotten watch ends slow-consumer at its bound with the revision to resume from; the active one gets every event", async () => {
    const key = `${uniquePrefix("slow")}busy`;
    const forgotten = env.watcher.watch(key, { maxQueuedEvents: 50 });
    const active = env.watcher.watch(key);
    await Promise.all([forgotten.ready, active.ready]);
    const collecting = collectEvents(active, 300, 30_000);
    const written: bigint[] = [];
    for (let i = 0; i < 300; i++) written.push(await env.put(key, `v${i}`));
    const seen = (await collecting).flatMap((b) => b.events.map((e) => e.kv.modRevision));
    expect(seen).toEqual(written);
    await eventually(() => env.watcher.stats.serverWatchers === 1, 10_000, "etcd to forget the slow watcher");

    const { batches, error } = await drain(forgotten);
    const queued = batches.flatMap((b) => b.events.map((e) => e.kv.modRevision));
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.length).toBeLessThanOrEqual(50); // what it held: bounded
    expect(queued).toEqual(written.slice(0, queued.length)); // in order, from the first
    expect(isEtcdError(error, "slow-consumer"), String(error)).toBe(true);
    const resumeRevision = (error as EtcdError).resumeRevision!;
    expect(resumeRevision).toBe(queued[queued.length - 1]! + 1n);

    // Resuming there misses nothing.
    const resumed = env.watcher.watch(key, { startRevision: resumeRevision });
    const rest = await collectEvents(resumed, written.length - queued.length, 15_000);
    expect(rest.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual(written.slice(queued.length));
    resumed.cancel();
    active.cancel();
  });
});

function event(revision: bigint, valueBytes = 1): Event {
  return create(EventSchema, {
    type: Event_EventType.PUT,
    kv: { key: new TextEncoder().encode("k"), value: new Uint8Array(valueBytes), modRevision: revision, createRevision: 1n, version: 1n },
  });
}

function subscription(options: WatchOptions | undefined): WatchSubscription {
  const sub = new WatchSubscription(resolveWatchSpec("k", options), { released: () => {} }, undefined);
  sub.onCreated(9n);
  return sub;
}

describe("the queue bound of a watch (unit)", () => {
  it("bounds by bytes of keys and values, delivers what it queued, then fails with the resume revision", async () => {
    const sub = subscription({ maxQueuedBytes: 10_000 });
    for (let r = 10n; r < 30n; r++) sub.onEvents([event(r, 1_000)], false);
    const { batches, error } = await drain(sub);
    expect(batches.map((b) => b.revision)).toEqual([10n, 11n, 12n, 13n, 14n, 15n, 16n, 17n, 18n]); // 9 × 1,001 B; the 10th would pass 10,000
    expect(error).toMatchObject({ reason: "slow-consumer", resumeRevision: 19n });
  });

  it("accepts one batch larger than the bound when nothing is queued (a revision cannot be split)", async () => {
    const sub = subscription({ maxQueuedEvents: 2 });
    sub.onEvents([event(10n), event(10n), event(10n)], false);
    sub.onEvents([event(11n)], false);
    const { batches, error } = await drain(sub);
    expect(batches.map((b) => [b.revision, b.events.length])).toEqual([[10n, 3]]);
    expect(error).toMatchObject({ reason: "slow-consumer", resumeRevision: 11n });
  });

  it("counts a queued progress notification as one event, and bounds at 10,000 events by default", async () => {
    const progress = subscription({ maxQueuedEvents: 3, progressNotify: true });
    for (let r = 10n; r < 20n; r++) progress.onProgress(toResponseHeader(undefined, r), true);
    expect((await drain(progress)).batches.length).toBe(3);

    const sub = subscription(undefined);
    for (let r = 10n; r < 10n + 10_001n; r++) sub.onEvents([event(r)], false);
    const { batches, error } = await drain(sub);
    expect(batches.length).toBe(10_000);
    expect(error).toMatchObject({ reason: "slow-consumer", resumeRevision: 10_010n });
  });

  it("a consumer that keeps up is never failed, however many events pass", async () => {
    const sub = subscription({ maxQueuedEvents: 1 });
    let seen = 0;
    for (let r = 10n; r < 1_000n; r++) {
      const next = sub.next();
      sub.onEvents([event(r)], false);
      seen += (await next).value!.events.length;
    }
    expect(seen).toBe(990);
  });
});
