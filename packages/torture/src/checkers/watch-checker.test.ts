import { seededRandom } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import type { WatchRecord, WatchRequest } from "../history/types.js";
import { SimStore } from "../simulation/sim-store.test-helpers.js";
import { simulateWatch, type WatchSimOptions } from "../simulation/sim-watch.test-helpers.js";
import { buildRevisionLog } from "./revision-log.js";
import { checkWatches } from "./watch-checker.js";

/** A store with puts, deletes and multi-key txns on keys r/0..r/3 and x/0..x/1. */
function busyStore(seed: number, changes = 120): SimStore {
  const random = seededRandom(seed);
  const store = new SimStore();
  for (let i = 0; i < changes; i++) {
    const roll = random();
    const key = `${random() < 0.8 ? "r" : "x"}/${Math.floor(random() * 4)}`;
    if (roll < 0.65) store.put(key, `v${i}`);
    else if (roll < 0.8) store.delete(key);
    else store.putAll([[`r/${i % 4}`, `t${i}a`], [`x/${i % 2}`, `t${i}b`], [`r/${(i + 1) % 4}`, `t${i}c`]]);
  }
  return store;
}

function kindsFor(store: SimStore, watch: WatchRecord): string[] {
  const history = makeHistory({ watches: [store.collector(), watch], final: store.finalRead() });
  return checkWatches(history, buildRevisionLog(store.collector())).violations.map((v) => v.kind);
}

const requests: WatchRequest[] = [
  { key: "r/", prefix: true, startRevision: 1n },
  { key: "r/", prefix: true, prevKv: true, startRevision: 10n },
  { key: "", prefix: true, startRevision: 2n, noDelete: true },
  { key: "r/1", startRevision: 5n, prevKv: true },
  { key: "r/0", end: "r/2", startRevision: 3n },
  { key: "r/2", fromKey: true, noPut: true, startRevision: 4n },
];

const delivered = (w: WatchRecord): string => w.batches.flatMap((b) => b.events.map((e) => `${e.modRevision}/${e.key}`)).join(",");

/** Every request and seed where the broken behaviour changed what was delivered is caught. */
function caughtEverywhere(options: Omit<WatchSimOptions, "seed" | "request">, kind: string, applies: (w: WatchRecord) => boolean = () => true): void {
  let broken = 0;
  for (let seed = 1; seed <= 10; seed++) {
    for (const request of requests) {
      const store = busyStore(seed);
      const watch = simulateWatch(store, { seed, request, ...options });
      const correct = simulateWatch(store, { seed, request, reconnectEvery: options.reconnectEvery ?? 0 });
      if (delivered(watch) === delivered(correct) || !applies(watch)) continue;
      broken++;
      const found = kindsFor(store, watch);
      expect(found, `seed ${seed}, ${JSON.stringify(request, (_k, v) => (typeof v === "bigint" ? `${v}` : v))}`).toContain(kind);
    }
  }
  expect(broken).toBeGreaterThan(30);
}

describe("watch checker", () => {
  it("accepts correct watches: ranges, filters, prevKv, reconnects, progress notifications, a created revision", () => {
    for (let seed = 1; seed <= 10; seed++) {
      for (const request of requests) {
        const store = busyStore(seed);
        expect(kindsFor(store, simulateWatch(store, { seed, request, reconnectEvery: 4, progressEvery: 3 }))).toEqual([]);
      }
      const store = busyStore(seed);
      expect(kindsFor(store, simulateWatch(store, { seed, request: { key: "r/", prefix: true }, created: 30n, reconnectEvery: 5 }))).toEqual([]);
    }
  });

  it("catches a client that drops a watch event on reconnect (reliable, resumable)", () => {
    caughtEverywhere({ reconnectEvery: 3, dropOnReconnect: true }, "watch-reliable");
    // Resumable is judged at the first batch after a reconnect (a drop at the very end is only "reliable").
    caughtEverywhere({ reconnectEvery: 3, dropOnReconnect: true }, "watch-resumable", (w) => w.batches.some((b) => b.stream > 1));
  });

  it("catches a client that re-delivers a revision after a reconnect (unique)", () => {
    caughtEverywhere({ reconnectEvery: 3, redeliverOnReconnect: true }, "watch-unique");
  });

  it("catches a client that splits a revision across batches (atomic)", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const store = busyStore(seed);
      expect(kindsFor(store, simulateWatch(store, { seed, request: { key: "", prefix: true, startRevision: 1n }, splitRevisions: true }))).toContain("watch-atomic");
    }
  });

  it("catches a wrong prevKv", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const store = busyStore(seed);
      expect(kindsFor(store, simulateWatch(store, { seed, request: { key: "r/", prefix: true, prevKv: true, startRevision: 1n }, wrongPrevKv: true }))).toContain("watch-prevkv");
    }
  });

  it("catches events outside the range or filter, out of order, after a progress notification, and a watch that ended", () => {
    const store = busyStore(7);
    const good = simulateWatch(store, { seed: 7, request: { key: "r/", prefix: true, startRevision: 1n } });
    const [b0, b1, b2] = good.batches;
    const foreign = { ...b1!, events: [...b1!.events, { ...b1!.events[0]!, key: "x/9" }] };
    expect(kindsFor(store, { ...good, batches: [b0!, foreign, ...good.batches.slice(2)] })).toContain("watch-filter");
    expect(kindsFor(store, { ...good, batches: [b0!, b2!, b1!, ...good.batches.slice(3)] })).toContain("watch-ordered");
    const progress = { at: 0, revision: b2!.revision, progress: true, stream: 1, events: [] };
    expect(kindsFor(store, { ...good, batches: [b0!, progress, b1!, b2!, ...good.batches.slice(3)] })).toContain("watch-bookmarkable");
    expect(kindsFor(store, { ...good, batches: [b0!], end: { at: 5, how: "error", error: { reason: "unavailable", message: "gone", outcomeUnknown: false } } })).toContain("watch-ended");
    const noPut = simulateWatch(store, { seed: 7, request: { key: "r/", prefix: true, startRevision: 1n } });
    expect(kindsFor(store, { ...noPut, request: { ...noPut.request, noPut: true } })).toContain("watch-filter");
  });

  it("catches a watch that stops delivering (reliable) and a wrong isCreate", () => {
    const store = busyStore(3);
    const good = simulateWatch(store, { seed: 3, request: { key: "r/", prefix: true, startRevision: 1n } });
    const cut = good.batches.slice(0, -3);
    const progressed = [...cut, { at: 0, revision: store.revision, progress: true, stream: 1, events: [] }];
    expect(kindsFor(store, { ...good, batches: progressed })).toContain("watch-reliable");
    const flipped = good.batches.map((b, i) => (i === 2 ? { ...b, events: b.events.map((e) => ({ ...e, isCreate: !e.isCreate })) } : b));
    expect(kindsFor(store, { ...good, batches: flipped })).toContain("watch-iscreate");
  });
});
