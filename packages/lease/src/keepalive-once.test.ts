/**
 * keepAliveOnce's retries (like Go's `KeepAliveOnce`, it sends again when the stream fails with
 * a retryable error) stay inside the caller's signal and deadline, and its call options follow
 * the SDK's deadline rules. A transport whose streams always fail (or answer, or record) as told;
 * timers and clocks are faked, so "settles at once" means "without any time passing".
 */
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { isEtcdError } from "@etcdkit/transport";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLease } from "./create-lease.js";
import { createKeepAliveScript } from "./keepalive-script.test-helpers.js";

/** A transport whose keepalive streams fail with `error` (recording each attempt's options). */
function failingStreams(error: () => unknown): Transport & { attempts: Array<{ timeoutMs: number | undefined }> } {
  const attempts: Array<{ timeoutMs: number | undefined }> = [];
  return {
    attempts,
    unary: () => Promise.reject(new Error("no unary calls here")),
    stream(_method, _signal, timeoutMs) {
      attempts.push({ timeoutMs });
      return Promise.reject(error());
    },
  };
}

const unavailable = (): ConnectError => new ConnectError("connection refused", Code.Unavailable);

/** The promise's outcome so far: "pending", or what it settled with. */
function track<T>(promise: Promise<T>): () => { state: "pending" } | { state: "fulfilled"; value: T } | { state: "rejected"; error: unknown } {
  let outcome: { state: "pending" } | { state: "fulfilled"; value: T } | { state: "rejected"; error: unknown } = { state: "pending" };
  promise.then(
    (value) => (outcome = { state: "fulfilled", value }),
    (error: unknown) => (outcome = { state: "rejected", error }),
  );
  return () => outcome;
}

describe("keepAliveOnce retries", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an abort during the retry backoff settles it at once with canceled, and nothing more is sent", async () => {
    const transport = failingStreams(unavailable);
    const controller = new AbortController();
    const outcome = track(createLease(transport).keepAliveOnce(7n, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(0); // the first attempt fails; the backoff starts
    expect(transport.attempts).toHaveLength(1);
    expect(outcome().state).toBe("pending");

    controller.abort();
    await vi.advanceTimersByTimeAsync(0); // no time passes
    const settled = outcome();
    expect(settled.state).toBe("rejected");
    expect(settled.state === "rejected" && isEtcdError(settled.error, "canceled")).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(transport.attempts).toHaveLength(1);
  });

  it("a deadline shorter than the retry backoff ends it at the deadline with deadline-exceeded", async () => {
    const transport = failingStreams(unavailable);
    // the first backoff is 40–60 ms (50 ms ± 20 %), longer than the whole deadline
    const outcome = track(createLease(transport).keepAliveOnce(7n, { timeoutMs: 30 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30);
    const settled = outcome();
    expect(settled.state).toBe("rejected");
    expect(settled.state === "rejected" && isEtcdError(settled.error, "deadline-exceeded")).toBe(true);
    expect(transport.attempts).toHaveLength(1);
  });

  it("each attempt gets the time left as a whole number of ms, and none at all for timeoutMs Infinity", async () => {
    const bounded = failingStreams(unavailable);
    const first = track(createLease(bounded).keepAliveOnce(7n, { timeoutMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(first().state).toBe("rejected");
    expect(bounded.attempts.length).toBe(5);
    for (const { timeoutMs } of bounded.attempts) {
      expect(Number.isInteger(timeoutMs)).toBe(true);
      expect(timeoutMs).toBeGreaterThan(0);
      expect(timeoutMs).toBeLessThanOrEqual(5_000);
    }

    const unbounded = failingStreams(unavailable);
    const second = track(createLease(unbounded).keepAliveOnce(7n, { timeoutMs: Infinity }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(second().state).toBe("rejected");
    expect(unbounded.attempts.map((a) => a.timeoutMs)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it("timeoutMs <= 0 fails with deadline-exceeded before any I/O", async () => {
    const transport = failingStreams(unavailable);
    for (const timeoutMs of [0, -5]) {
      await expect(createLease(transport).keepAliveOnce(7n, { timeoutMs })).rejects.toSatisfy((e) => isEtcdError(e, "deadline-exceeded"));
    }
    expect(transport.attempts).toEqual([]);
  });

  it.each([
    "etcdserver: request timed out",
    "etcdserver: request timed out, waiting for the applied index took too long",
  ])("etcd's '%s' (code Unavailable) is retried, as Go's KeepAliveOnce does", async (message) => {
    let failures = 0;
    const script = createKeepAliveScript();
    const transport: Transport = {
      unary: script.unary,
      stream(...args) {
        if (failures++ === 0) return Promise.reject(new ConnectError(message, Code.Unavailable));
        const response = script.stream(...args);
        void Promise.resolve().then(() => script.streams[0]!.answer(7n, 10));
        return response;
      },
    };
    const outcome = track(createLease(transport).keepAliveOnce(7n, { timeoutMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(1_000);
    const settled = outcome();
    expect(settled.state).toBe("fulfilled");
    expect(settled.state === "fulfilled" && settled.value.ttl).toBe(10);
    expect(failures).toBe(2);
  });
});
