import { describe, expect, it } from "vitest";
import { callerHeaders, encodeTimeout, requestHeaders, toHeaders } from "./headers.js";

describe("request headers", () => {
  it("builds the gRPC request headers, with timeout, token and hasleader only when set", () => {
    expect(requestHeaders("/etcdserverpb.KV/Range", undefined, undefined, false, undefined)).toEqual({
      ":method": "POST",
      ":path": "/etcdserverpb.KV/Range",
      "content-type": "application/grpc+proto",
      te: "trailers",
    });
    const full = requestHeaders("/p", 1500.2, "tok", true, [["x-trace", "1"]]);
    expect(full["grpc-timeout"]).toBe("1501m");
    expect(full.token).toBe("tok");
    expect(full.hasleader).toBe("true");
    expect(full["x-trace"]).toBe("1");
  });

  it("lets a caller's hasleader or token replace the transport's, never duplicate it", () => {
    const h = requestHeaders("/p", undefined, "transport-token", true, [
      ["hasleader", "true"],
      ["token", "own"],
    ]);
    expect(h.hasleader).toBe("true");
    expect(h.token).toBe("own");
  });

  it("never lets caller headers override protocol headers", () => {
    const h = requestHeaders("/p", undefined, undefined, false, [
      [":path", "/evil"],
      ["content-type", "text/plain"],
      ["te", "gzip"],
      ["grpc-timeout", "1n"],
    ]);
    expect(h[":path"]).toBe("/p");
    expect(h["content-type"]).toBe("application/grpc+proto");
    expect(h.te).toBe("trailers");
    expect(h["grpc-timeout"]).toBeUndefined();
  });

  it("encodes grpc-timeout with at most 8 digits, rounding up", () => {
    expect(encodeTimeout(0.2)).toBe("1m");
    expect(encodeTimeout(99_999_999)).toBe("99999999m");
    expect(encodeTimeout(100_000_000)).toBe("100000S");
    expect(encodeTimeout(1e15)).toMatch(/^\d{1,8}H$/);
  });

  it("normalizes caller HeadersInit", () => {
    expect(callerHeaders(undefined)).toBeUndefined();
    expect(callerHeaders({})).toBeUndefined();
    expect(callerHeaders({ HasLeader: "true" })).toEqual([["hasleader", "true"]]);
    expect(callerHeaders([["a", "1"]])).toEqual([["a", "1"]]);
  });

  it("turns node headers into Headers without pseudo-headers", () => {
    const h = toHeaders({ ":status": "200", "content-type": "application/grpc", "x-multi": ["a", "b"] });
    expect(h.get("content-type")).toBe("application/grpc");
    const names: string[] = [];
    h.forEach((_, name) => names.push(name));
    expect(names).toEqual(["content-type", "x-multi"]);
    expect(h.get("x-multi")).toBe("a, b");
  });
});
