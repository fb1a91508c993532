/**
 * Bad input to createWatch, watcher.watch and listThenWatch fails with a typed EtcdError before
 * any I/O (checked on a transport that records every call and does none).
 */
import { isEtcdError } from "@etcdkit/transport";
import { createRecordingTransport } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { createWatch } from "./create-watch.js";
import { listThenWatch } from "./list-then-watch.js";
import { RangeKind, resolveWatchSpec } from "./watch-options.js";

/** A Transport that records the method of every call and fails it, without any I/O. */

const bad = (value: unknown): never => value as never;
/** Lets a stream the hub might have opened reach the transport. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe("watch input validation", () => {
  it("watch() throws invalid-argument for options it would have sent wrongly or that end every watch", async () => {
    const transport = createRecordingTransport();
    const watcher = createWatch(transport);
    const attempts: Array<[string, () => unknown]> = [
      // etcd cannot encode it: the create failed on the shared stream and ended every watch
      ["startRevision 2^63", () => watcher.watch("k", { startRevision: 2n ** 63n })],
      ["startRevision 2^64", () => watcher.watch("k", { startRevision: 2n ** 64n })],
      // silently a single-key watch
      ["prefix as a string", () => watcher.watch("k", bad({ prefix: "true" }))],
      ["prefix as a number", () => watcher.watch("k", bad({ prefix: 1 }))],
      ["fromKey as a string", () => watcher.watch("k", bad({ fromKey: "yes" }))],
      ["empty end", () => watcher.watch("k", { end: "" })],
      ["empty end and key", () => watcher.watch("", { end: "" })],
      // silently ignored
      ["noPut as a string", () => watcher.watch("k", bad({ noPut: "yes" }))],
      ["prevKv as a number", () => watcher.watch("k", bad({ prevKv: 1 }))],
      ["fragment as a string", () => watcher.watch("k", bad({ fragment: "false" }))],
      ["requireLeader as a string", () => watcher.watch("k", bad({ requireLeader: "false" }))],
      ["maxQueuedEvents 0", () => watcher.watch("k", { maxQueuedEvents: 0 })],
      ["maxQueuedEvents 1.5", () => watcher.watch("k", { maxQueuedEvents: 1.5 })],
      ["maxQueuedEvents NaN", () => watcher.watch("k", { maxQueuedEvents: NaN })],
      ["maxQueuedBytes as a string", () => watcher.watch("k", bad({ maxQueuedBytes: "1mb" }))],
      ["maxQueuedBytes negative", () => watcher.watch("k", { maxQueuedBytes: -1 })],
      ["options as a number", () => watcher.watch("k", bad(5))],
      ["options as a string", () => watcher.watch("k", bad("prefix"))],
      ["options null", () => watcher.watch("k", bad(null))],
      // refused by etcd only after the stream was opened ("mvcc: watcher range is empty")
      ["end before the key", () => watcher.watch("k", { end: "a" })],
      ["end equal to the key", () => watcher.watch("k", { end: "k" })],
      // already checked before
      ["number key", () => watcher.watch(bad(5))],
      ["number startRevision", () => watcher.watch("k", { startRevision: bad(5) })],
      ["negative startRevision", () => watcher.watch("k", { startRevision: -1n })],
    ];
    for (const [name, attempt] of attempts) {
      let error: unknown;
      try {
        const watch = attempt() as { cancel(): void };
        watch.cancel();
      } catch (e) {
        error = e;
      }
      expect([name, isEtcdError(error, "invalid-argument")]).toEqual([name, true]);
    }
    await settle();
    expect(transport.calls).toEqual([]);
    expect(watcher.stats.watches).toBe(0);
  });

  it("still accepts the edge values", () => {
    expect(resolveWatchSpec("k", { startRevision: 2n ** 63n - 1n }).startRevision).toBe(2n ** 63n - 1n);
    expect(resolveWatchSpec("k", { end: "\0" }).rangeKind).toBe(RangeKind.End); // "\0": every key from "k" on
    expect(resolveWatchSpec("", { end: "a" }).rangeKind).toBe(RangeKind.End); // starts at "\0"
    expect(resolveWatchSpec("k", { end: "k\0", prefix: false, fromKey: false, prevKv: false }).rangeKind).toBe(RangeKind.End);
    expect(resolveWatchSpec("k", { maxQueuedEvents: Infinity, maxQueuedBytes: 1 }).limits).toEqual({ events: Infinity, bytes: 1 });
  });

  it("createWatch throws invalid-argument for something that is not a transport", () => {
    for (const transport of [undefined, null, {}, { unary: () => {} }]) {
      expect(() => createWatch(bad(transport))).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    }
  });

  it("listThenWatch rejects a bad watcher, page size or timeout before the read", async () => {
    const transport = createRecordingTransport();
    const watcher = createWatch(transport);
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["undefined watcher", () => listThenWatch(bad(undefined), "k")],
      ["object as watcher", () => listThenWatch(bad({}), "k")],
      ["transport as watcher", () => listThenWatch(bad(transport), "k")],
      ["pageSize beyond int64", () => listThenWatch(watcher, "k", { prefix: true, pageSize: 1e300 })],
      ["NaN timeoutMs", () => listThenWatch(watcher, "k", { timeoutMs: NaN })],
      ["string timeoutMs", () => listThenWatch(watcher, "k", { timeoutMs: bad("100") })],
      ["prefix as a string", () => listThenWatch(watcher, "k", bad({ prefix: "yes" }))],
      ["options as a number", () => listThenWatch(watcher, "k", bad(5))],
    ];
    for (const [name, attempt] of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect([name, isEtcdError(error, "invalid-argument")]).toEqual([name, true]);
    }
    await settle();
    expect(transport.calls).toEqual([]);
  });

  it("a create request over 2 MiB fails with message-too-large before any I/O, from watch() and listThenWatch", async () => {
    const transport = createRecordingTransport();
    const watcher = createWatch(transport);
    const huge = new Uint8Array(2 * 1024 * 1024).fill(0x61);
    expect(() => watcher.watch(huge)).toThrow(expect.objectContaining({ reason: "message-too-large" }));
    expect(() => watcher.watch("é".repeat(1_100_000))).toThrow(expect.objectContaining({ reason: "message-too-large" })); // 2.2 MB of UTF-8
    const error = await listThenWatch(watcher, huge, { prefix: true }).catch((e: unknown) => e);
    expect(isEtcdError(error, "message-too-large")).toBe(true);
    // just under: accepted (the create is 2 MiB minus a few bytes)
    const fits = watcher.watch(huge.subarray(0, 2 * 1024 * 1024 - 64));
    fits.cancel();
    await settle();
    expect(transport.calls.filter((c) => c.method !== "Watch")).toEqual([]);
  });

  it("accepts an AbortSignal from another realm (duck-typed, as the transport does) and still rejects non-signals", () => {
    const foreign = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} };
    expect(() => resolveWatchSpec("k", bad({ signal: foreign }))).not.toThrow();
    expect(() => resolveWatchSpec("k", { signal: new AbortController().signal })).not.toThrow();
    for (const signal of [{}, "signal", 1, { aborted: "no", addEventListener() {} }]) {
      let error: unknown;
      try {
        resolveWatchSpec("k", bad({ signal }));
      } catch (err) {
        error = err;
      }
      expect(isEtcdError(error, "invalid-argument"), JSON.stringify(signal)).toBe(true);
    }
  });
});
