import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { booleanOption, checkCallOptions, checkTransport, isAbortSignal, typeName } from "./argument-checks.js";
import { isEtcdError } from "./errors/etcd-error.js";
import { connectCallOptions, MAX_TIMER_MS } from "./call-options.js";

describe("shared argument checks", () => {
  it("booleanOption: undefined is false, booleans pass, anything else is invalid-argument", () => {
    expect(booleanOption(undefined, "prefix")).toBe(false);
    expect(booleanOption(true, "prefix")).toBe(true);
    expect(booleanOption(false, "prefix")).toBe(false);
    for (const bad of ["true", 1, null, {}]) {
      const error = thrownBy(() => booleanOption(bad, "prefix"));
      expect(isEtcdError(error, "invalid-argument")).toBe(true);
      expect((error as Error).message).toContain("prefix must be a boolean");
    }
  });

  it("checkCallOptions and connectCallOptions reject malformed options, accept good ones", () => {
    const signal = new AbortController().signal;
    expect(connectCallOptions({ timeoutMs: 5, signal })).toEqual({ timeoutMs: 5, signal });
    expect(() => checkCallOptions(undefined)).not.toThrow();
    for (const bad of [5, null, { timeoutMs: "5" }, { timeoutMs: Number.NaN }, { signal: {} }, { signal: "x" }]) {
      expect(isEtcdError(thrownBy(() => checkCallOptions(bad)), "invalid-argument")).toBe(true);
      expect(isEtcdError(thrownBy(() => connectCallOptions(bad as never)), "invalid-argument")).toBe(true);
    }
  });

  it("an array is not an options object (its sort method was read as a sort option)", () => {
    const error = thrownBy(() => checkCallOptions([]));
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toContain("got array");
  });

  it("connectCallOptions: Infinity or beyond setTimeout's range is Connect's 'no deadline' (0), not a 1 ms timer", () => {
    for (const timeoutMs of [Infinity, 2 ** 31, 3_000_000_000]) expect(connectCallOptions({ timeoutMs })).toEqual({ timeoutMs: 0 });
    expect(connectCallOptions({ timeoutMs: MAX_TIMER_MS })).toEqual({ timeoutMs: MAX_TIMER_MS });
    expect(connectCallOptions({})).toEqual({}); // the transport's default applies
  });

  it("connectCallOptions: no time left (timeoutMs <= 0) is deadline-exceeded, thrown before any call", () => {
    for (const timeoutMs of [0, -0, -1, -Infinity]) {
      expect(isEtcdError(thrownBy(() => connectCallOptions({ timeoutMs })), "deadline-exceeded")).toBe(true);
    }
  });

  it("isAbortSignal accepts a signal-shaped object from another realm", () => {
    expect(isAbortSignal(AbortSignal.abort())).toBe(true);
    expect(isAbortSignal({ aborted: false, addEventListener: () => undefined, removeEventListener: () => undefined })).toBe(true);
    expect(isAbortSignal({ aborted: false })).toBe(false);
    // without removeEventListener, a call that succeeded failed with a TypeError when it settled
    expect(isAbortSignal({ aborted: false, addEventListener: () => undefined })).toBe(false);
  });

  it("checkTransport names the factory and what it got", () => {
    const error = thrownBy(() => checkTransport(undefined, "createKV"));
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toMatch(/^.*createKV: .*got undefined/);
    expect(() => checkTransport({ unary: () => undefined, stream: () => undefined }, "createKV")).not.toThrow();
    expect(typeName(new Map())).toBe("object (Map)");
  });
});
