import { describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { retryBackoffMs } from "../retry/backoff.js";
import { CallContext, sleepFor, untilCanceled } from "./call-context.js";
import { transportClosedError } from "./call-errors.js";

describe("CallContext", () => {
  it("registers itself until disposed", () => {
    const calls = new Set<CallContext>();
    const ctx = new CallContext(calls, undefined, undefined);
    expect(calls.has(ctx)).toBe(true);
    expect(ctx.deadline).toBe(Infinity);
    ctx.dispose();
    expect(calls.size).toBe(0);
  });

  it("cancels the current wait at the deadline", async () => {
    const ctx = new CallContext(new Set(), undefined, 30);
    const started = Date.now();
    const err = await sleepFor(ctx, 10_000).catch((e: unknown) => e);
    expect(isEtcdError(err, "deadline-exceeded")).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    ctx.dispose();
  });

  it("takes 0 or less, Infinity and timeouts beyond setTimeout's range as no deadline (Connect's Transport contract)", async () => {
    for (const timeoutMs of [0, -1, Infinity, 2 ** 31]) {
      const ctx = new CallContext(new Set(), undefined, timeoutMs);
      expect(ctx.deadline).toBe(Infinity);
      expect(ctx.error).toBeUndefined();
      await sleepFor(ctx, 5);
      expect(ctx.error).toBeUndefined();
      ctx.dispose();
    }
    const invalid = new CallContext(new Set(), undefined, Number.NaN);
    expect(isEtcdError(invalid.error, "invalid-argument")).toBe(true);
  });

  it("expireIfDue ends a call whose deadline passed before its timer could run, and nothing else", () => {
    const ctx = new CallContext(new Set(), undefined, 20);
    ctx.expireIfDue();
    expect(ctx.error).toBeUndefined();
    const until = performance.now() + 30;
    while (performance.now() < until) {
      // the event loop is busy: the deadline passes, the timer cannot run
    }
    ctx.expireIfDue();
    expect(isEtcdError(ctx.error, "deadline-exceeded")).toBe(true);
    expect(ctx.error?.message).toContain("(20 ms)");
    ctx.dispose();
    const none = new CallContext(new Set(), undefined, undefined);
    none.expireIfDue();
    expect(none.error).toBeUndefined();
    none.dispose();
  });

  it("cancels on abort, and is canceled at once by an already aborted signal", async () => {
    const controller = new AbortController();
    const ctx = new CallContext(new Set(), controller.signal, undefined);
    const pending = untilCanceled(ctx, new Promise(() => {}));
    controller.abort();
    expect(isEtcdError(await pending.catch((e: unknown) => e), "canceled")).toBe(true);
    const early = new CallContext(new Set(), AbortSignal.abort(), undefined);
    expect(isEtcdError(early.error, "canceled")).toBe(true);
  });

  it("keeps the first error and disposes timers and listeners", async () => {
    const controller = new AbortController();
    const ctx = new CallContext(new Set(), controller.signal, 20);
    ctx.cancel(transportClosedError());
    controller.abort();
    await new Promise((r) => setTimeout(r, 40));
    expect(ctx.error?.reason).toBe("transport-closed");
    ctx.dispose();
  });

  it("lets a finished wait through", async () => {
    const ctx = new CallContext(new Set(), undefined, 1000);
    await sleepFor(ctx, 1);
    expect(await untilCanceled(ctx, Promise.resolve(7))).toBe(7);
    expect(ctx.waitingOn).toBeUndefined();
    ctx.dispose();
  });
});

describe("retryBackoffMs", () => {
  it("grows from about 25 ms to at most about 100 ms", () => {
    for (let i = 0; i < 100; i++) {
      expect(retryBackoffMs(1)).toBeGreaterThanOrEqual(20);
      expect(retryBackoffMs(1)).toBeLessThanOrEqual(30);
      expect(retryBackoffMs(40)).toBeLessThanOrEqual(120);
      expect(retryBackoffMs(40)).toBeGreaterThanOrEqual(80);
    }
  });
});
