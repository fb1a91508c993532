import { describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { parseEndpoint } from "../endpoints/parse-endpoint.js";
import { resolveOptions, transportDefaults } from "./transport-options.js";

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isEtcdError(err, "invalid-argument")) return err.message;
    throw err;
  }
  throw new Error("did not throw");
}

describe("resolveOptions", () => {
  it("applies defaults like Go's client (except a 16 MiB receive limit)", () => {
    const o = resolveOptions({ endpoints: ["http://127.0.0.1:2379"] });
    expect(o.dialTimeoutMs).toBe(5000);
    expect(o.maxSendMessageBytes).toBe(2 * 1024 * 1024);
    expect(o.maxReceiveMessageBytes).toBe(16 * 1024 * 1024);
    expect(o.keepAliveIntervalMs).toBe(transportDefaults.keepAliveIntervalMs);
    expect(o.timeoutMs).toBeUndefined();
    expect(o.requireLeader).toBe(false);
    expect(o.autoSyncIntervalMs).toBe(0);
  });

  it("a default timeoutMs of Infinity (or beyond setTimeout's range) is no default deadline; 0 is a mistake", () => {
    expect(resolveOptions({ endpoints: ["http://a:1"], timeoutMs: 1500 }).timeoutMs).toBe(1500);
    expect(resolveOptions({ endpoints: ["http://a:1"], timeoutMs: Infinity }).timeoutMs).toBeUndefined();
    expect(resolveOptions({ endpoints: ["http://a:1"], timeoutMs: 2 ** 40 }).timeoutMs).toBeUndefined();
    for (const bad of [0, -1, Number.NaN]) {
      expect(invalid(() => resolveOptions({ endpoints: ["http://a:1"], timeoutMs: bad }))).toMatch(/timeoutMs/);
    }
  });

  it("de-duplicates endpoints", () => {
    const o = resolveOptions({ endpoints: ["http://a:1", "http://a:1/", "http://b:1"] });
    expect(o.endpoints.map((e) => e.url)).toEqual(["http://a:1", "http://b:1"]);
  });

  it("rejects bad options before any I/O", () => {
    expect(invalid(() => resolveOptions({ endpoints: [] }))).toMatch(/at least one/);
    expect(invalid(() => resolveOptions({ endpoints: ["http://a:1"], dialTimeoutMs: -1 }))).toMatch(/dialTimeoutMs/);
    expect(invalid(() => resolveOptions({ endpoints: ["http://a:1"], maxSendMessageBytes: 0 }))).toMatch(/bytes/);
    expect(invalid(() => resolveOptions({ endpoints: ["http://a:1"], auth: { username: "", password: "x" } }))).toMatch(/auth/);
  });

  it("never puts the password in an error", () => {
    const message = invalid(() => resolveOptions({ endpoints: ["http://u:hunter2@a:1"] }));
    expect(message).not.toContain("hunter2");
  });
});

describe("parseEndpoint", () => {
  it("accepts http and https URLs, defaulting the port to 2379", () => {
    expect(parseEndpoint("http://127.0.0.1:2379")).toMatchObject({ url: "http://127.0.0.1:2379", secure: false, port: 2379 });
    expect(parseEndpoint("https://etcd.example.com")).toMatchObject({ url: "https://etcd.example.com:2379", secure: true });
    expect(parseEndpoint("http://[::1]:2379")).toMatchObject({ host: "::1", port: 2379 });
  });

  it("rejects other schemes, paths and garbage with a clear message", () => {
    expect(invalid(() => parseEndpoint("unix:///tmp/etcd.sock"))).toMatch(/scheme "unix"/);
    expect(invalid(() => parseEndpoint("127.0.0.1:2379"))).toMatch(/http/);
    expect(invalid(() => parseEndpoint("http://a:1/v3"))).toMatch(/path/);
    expect(invalid(() => parseEndpoint("not a url"))).toMatch(/not a URL/);
    expect(invalid(() => parseEndpoint(42))).toMatch(/URL string/);
  });
});
