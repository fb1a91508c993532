/**
 * Unit tests of one watch's delivery logic, without etcd: a simulated server sends revisions in
 * responses of several revisions, in fragments, and breaks the stream (also in the middle of a
 * fragmented revision) and resumes from the watch's next revision, as etcdkit asks it to.
 * Property: the consumer sees every event exactly once, in order, whole revisions per batch.
 */
import { create } from "@bufbuild/protobuf";
import { EventSchema, Event_EventType, type Event } from "@etcdkit/api/mvccpb/kv_pb";
import fc from "fast-check";
import { isEtcdError } from "@etcdkit/transport";
import { toResponseHeader } from "@etcdkit/transport/internal";
import { describe, expect, it } from "vitest";
import type { WatchBatch } from "./watch-event.js";
import { resolveWatchSpec } from "./watch-options.js";
import { SubState, WatchSubscription, type SubscriptionHost } from "./watch-subscription.js";

const host: SubscriptionHost = { released: () => {} };

function event(revision: bigint, index: number): Event {
  return create(EventSchema, {
    type: index % 3 === 2 ? Event_EventType.DELETE : Event_EventType.PUT,
    kv: { key: new TextEncoder().encode(`k${index}`), modRevision: revision, createRevision: revision, version: 1n },
  });
}

/** A consumer that records every batch; `flush()` lets it catch up with what was pushed. */
function consume(sub: WatchSubscription): { seen: WatchBatch[]; flush(): Promise<void> } {
  const seen: WatchBatch[] = [];
  void (async () => {
    for await (const batch of sub) seen.push(batch);
  })().catch(() => {});
  return { seen, flush: () => new Promise((resolve) => setImmediate(resolve)) };
}

describe("WatchSubscription delivery", () => {
  it("delivers every event once, in order, whole revisions per batch, across fragments and resumes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 200, maxLength: 200 }),
        async (sizes, choices) => {
          const revisions = sizes.map((size, i) => ({ revision: BigInt(100 + i), events: Array.from({ length: size }, (_, k) => event(BigInt(100 + i), k)) }));
          const sub = new WatchSubscription(resolveWatchSpec("k", { prefix: true }), host, undefined);
          sub.onCreated(99n);
          let choice = 0;
          const pick = () => choices[choice++ % choices.length]!;
          let pos = 0;
          const { seen, flush } = consume(sub);
          let guard = 0;
          let interrupted = false;
          while (pos < revisions.length && guard++ < 1000) {
            const c = interrupted ? 0 : pick();
            interrupted = false;
            if (c < 15) {
              // the stream breaks: partial fragments are lost; the watch is re-created at its next revision
              sub.detach();
              sub.onCreated(BigInt(200 + guard));
              pos = revisions.findIndex((r) => r.revision >= sub.nextRevision);
              if (pos < 0) pos = revisions.length;
              continue;
            }
            if (c < 50 && revisions[pos]!.events.length > 1) {
              // one revision in fragments, maybe cut before the last piece
              const events = revisions[pos]!.events;
              const cutAt = 1 + (pick() % (events.length - 1));
              sub.onEvents(events.slice(0, cutAt), true);
              if (pick() < 30) {
                interrupted = true; // the stream breaks before the rest arrives
                continue;
              }
              sub.onEvents(events.slice(cutAt), false);
              pos++;
            } else {
              // several whole revisions in one response (a catch-up)
              const count = 1 + (pick() % 3);
              const group = revisions.slice(pos, pos + count);
              sub.onEvents(group.flatMap((r) => r.events), false);
              pos += group.length;
            }
          }
          await flush();
          if (pos < revisions.length) return; // guard hit (extremely unlikely)
          const delivered = seen.flatMap((b) => b.events.map((e) => `${e.kv.modRevision}/${e.kv.keyText()}`));
          const expected = revisions.flatMap((r) => r.events.map((e) => `${r.revision}/${new TextDecoder().decode(e.kv!.key)}`));
          expect(delivered).toEqual(expected);
          const owners = new Map<bigint, number>();
          seen.forEach((b, i) => {
            for (const e of b.events) {
              expect(owners.get(e.kv.modRevision) ?? i).toBe(i);
              owners.set(e.kv.modRevision, i);
            }
            expect(b.revision).toBe(b.events[b.events.length - 1]!.kv.modRevision);
          });
          expect(sub.nextRevision).toBe(revisions[revisions.length - 1]!.revision + 1n);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("pins a watch from 'now' to its created revision and keeps that pin on re-create", () => {
    const sub = new WatchSubscription(resolveWatchSpec("k", undefined), host, undefined);
    expect(sub.nextRevision).toBe(0n);
    sub.onCreated(41n);
    expect(sub.nextRevision).toBe(42n);
    sub.detach();
    sub.onCreated(50n);
    expect(sub.nextRevision).toBe(42n);
  });

  it("progress: per-watch notifications move the resume revision, stream-wide ones do not, and none goes backwards", async () => {
    for (const progressNotify of [true, false]) {
      const sub = new WatchSubscription(resolveWatchSpec("k", { progressNotify }), host, undefined);
      sub.onCreated(10n);
      sub.onProgress(toResponseHeader(undefined, 20n), true);
      expect(sub.nextRevision).toBe(21n);
      sub.onProgress(toResponseHeader(undefined, 30n), false);
      expect(sub.nextRevision).toBe(21n);
      sub.onProgress(toResponseHeader(undefined, 5n), true); // behind: dropped
      const { seen, flush } = consume(sub);
      await flush();
      // per-watch notifications are shown only with progressNotify; requestProgress() answers always
      expect(seen.map((b) => [b.progress, b.revision])).toEqual(progressNotify ? [[true, 20n], [true, 30n]] : [[true, 30n]]);
    }
  });

  it("fails after delivering what it queued, then ends; ready rejects without an unhandled rejection", async () => {
    const sub = new WatchSubscription(resolveWatchSpec("k", undefined), host, undefined);
    const ready = sub.ready;
    sub.onEvents([event(5n, 0)], false); // delivered even before created (cannot happen with etcd, harmless)
    const error = Object.assign(new Error("boom"), { reason: "compacted" });
    sub.fail(error as never);
    expect(sub.state).toBe(SubState.Ended);
    expect((await sub.next()).value?.revision).toBe(5n);
    await expect(sub.next()).rejects.toBe(error);
    expect(await sub.next()).toEqual({ value: undefined, done: true });
    await expect(ready).rejects.toBe(error);
  });

  it("a second consumer (next() while another next() is pending) gets a typed EtcdError, and the first consumer is unaffected", async () => {
    const sub = new WatchSubscription(resolveWatchSpec("k", undefined), host, undefined);
    sub.onCreated(1n);
    const first = sub.next();
    const second = await sub.next().catch((e: unknown) => e);
    expect(isEtcdError(second, "invalid-argument"), String(second)).toBe(true);
    expect((second as Error).message).toContain("single consumer");
    sub.onEvents([event(2n, 0)], false);
    expect((await first).value?.revision).toBe(2n);
  });
});
