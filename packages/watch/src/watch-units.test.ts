/**
 * The small units a watch is made of, without etcd: where it resumes (watch-resume.ts), what it
 * holds for its consumer within its bound (WatchBacklog), and its lazy `ready` (watch-ready.ts).
 * The real-etcd tests cover them through whole watches; these pin each rule on its own.
 */
import { create } from "@bufbuild/protobuf";
import { EventSchema, type Event } from "@etcdkit/api/mvccpb/kv_pb";
import { EtcdError } from "@etcdkit/transport";
import { toResponseHeader } from "@etcdkit/transport/internal";
import { describe, expect, it } from "vitest";
import { WatchBacklog } from "./watch-backlog.js";
import { toWatchEvent } from "./watch-event.js";
import { askReady, isReadyWaiter, readyPromise, readyRejected, readyResolved, type ReadyState } from "./watch-ready.js";
import { WatchBatch } from "./watch-records.js";
import { batchRevision, firstUndelivered, progressBehind, resumeAfterCreate, resumeAfterProgress } from "./watch-resume.js";

const at = (revision: bigint, value = ""): Event =>
  create(EventSchema, { kv: { key: new TextEncoder().encode("k"), value: new TextEncoder().encode(value), modRevision: revision } });
const batch = (events: Event[]): WatchBatch =>
  new WatchBatch(events.map(toWatchEvent), events.at(-1)?.kv?.modRevision ?? 0n, events.length === 0, toResponseHeader(undefined));
const failure = new EtcdError("gone", "unavailable");

describe("watch resume rules", () => {
  it("a watch from now is pinned right after the revision etcd created it at; one with a start revision keeps it", () => {
    expect(resumeAfterCreate(0n, 41n)).toBe(42n);
    expect(resumeAfterCreate(10n, 41n)).toBe(10n);
  });

  it("events before the resume revision were delivered already; a batch resumes after its last event", () => {
    const events = [at(5n), at(6n), at(6n), at(7n)];
    expect(firstUndelivered(events, 0n)).toBe(0);
    expect(firstUndelivered(events, 6n)).toBe(1);
    expect(firstUndelivered(events, 8n)).toBe(4);
    expect(batchRevision(events, 1n)).toBe(7n);
    expect(batchRevision([], 9n)).toBe(9n);
  });

  it("a per-watch progress notification moves the resume revision, an answer to requestProgress() does not; one behind is not shown", () => {
    expect(resumeAfterProgress(10n, 20n, true)).toBe(21n);
    expect(resumeAfterProgress(10n, 20n, false)).toBe(10n);
    expect(resumeAfterProgress(0n, 20n, true)).toBe(0n); // not registered yet
    expect(progressBehind(5n, 42n)).toBe(true);
    expect(progressBehind(41n, 42n)).toBe(false);
  });
});

describe("WatchBacklog", () => {
  it("queues within the bound (a progress batch weighs one event), refuses past it, and accepts one oversized batch when empty", () => {
    const backlog = new WatchBacklog();
    const limits = { events: 3, bytes: 1_000 };
    expect(backlog.empty).toBe(true);
    expect(backlog.offer(batch([at(1n), at(1n)]), limits)).toBe(true);
    expect(backlog.offer(batch([]), limits)).toBe(true); // progress: 3 events now
    expect(backlog.offer(batch([at(2n)]), limits)).toBe(false);
    expect(backlog.queuedEvents).toBe(3);
    expect(backlog.dequeue().events).toHaveLength(2);
    expect(backlog.queuedEvents).toBe(1);
    expect(backlog.dequeue().progress).toBe(true);
    expect(backlog.queue).toBeUndefined(); // emptied: nothing held
    expect(backlog.empty).toBe(true);
    expect(backlog.offer(batch([at(3n), at(3n), at(3n), at(3n)]), limits)).toBe(true); // over the bound, but alone
  });

  it("counts the bytes of keys and values (previous ones too) against the byte bound", () => {
    const backlog = new WatchBacklog();
    const limits = { events: 100, bytes: 10 };
    expect(backlog.offer(batch([at(1n, "12345")]), limits)).toBe(true); // 1 + 5 bytes
    expect(backlog.queuedBytes).toBe(6);
    expect(backlog.offer(batch([at(2n, "1234")]), limits)).toBe(false); // 6 + 5 > 10
    backlog.clearQueue();
    expect(backlog.queuedBytes).toBe(0);
  });

  it("is not empty while it holds fragments or an error", () => {
    const backlog = new WatchBacklog();
    backlog.fragments = [at(1n)];
    expect(backlog.empty).toBe(false);
    backlog.fragments = undefined;
    backlog.error = failure;
    expect(backlog.empty).toBe(false);
  });
});

describe("lazy ready", () => {
  it("created before anyone asked: the revision is kept, and asking gives a promise resolved with it", async () => {
    const state: ReadyState = readyResolved(undefined, 42n);
    expect(state).toBe(42n);
    expect(await readyPromise(askReady(state))).toBe(42n);
  });

  it("asked before it settled: one waiter, resolved or rejected once", async () => {
    const waiting = askReady(undefined);
    expect(isReadyWaiter(waiting)).toBe(true);
    expect(askReady(waiting)).toBe(waiting); // asked again: the same promise
    const settled = readyResolved(waiting, 7n);
    expect(isReadyWaiter(settled)).toBe(false);
    expect(await readyPromise(waiting)).toBe(7n);
    expect(readyRejected(settled, failure, true)).toBe(settled); // settled stays settled
    const other = askReady(undefined);
    await expect(readyPromise(readyRejected(other, failure, false) as Promise<bigint>)).rejects.toBe(failure);
  });

  it("a failed registration nobody asked about is kept for whoever asks; an ended watch rejects only a waiting ready", async () => {
    const kept = readyRejected(undefined, failure, true);
    await expect(readyPromise(askReady(kept))).rejects.toBe(failure);
    expect(readyRejected(undefined, failure, false)).toBeUndefined();
  });
});
