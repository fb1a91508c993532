import { Code } from "@connectrpc/connect";
import { Auth, Cluster, KV, Lease, Maintenance, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeFromHttpStatus } from "../errors/http-status-code.js";
import { gatewayError, streamLineError } from "./gateway-errors.js";
import { readJsonLines } from "./json-lines.js";
import { gatewayPath } from "./routes.js";

/** A body that delivers `bytes` in the given chunk sizes. */
function chunked(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> & { canceled: boolean } {
  let offset = 0;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const size = Math.max(1, sizes[i++ % sizes.length]!);
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
    cancel() {
      (stream as { canceled?: boolean }).canceled = true;
    },
  });
  return Object.assign(stream, { canceled: false });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const line of readJsonLines(body)) out.push(line);
  return out;
}

describe("readJsonLines", () => {
  const lines = [
    { result: { header: { revision: "2" }, created: true } },
    { result: { events: [{ kv: { key: "Zm9v", value: "w6nDqOKCrPCfmoA=" } }], note: "é€🚀" } },
    { error: { grpc_code: 14, http_code: 503, message: "etcdserver: no leader", http_status: "Service Unavailable" } },
  ];
  const text = lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
  const bytes = new TextEncoder().encode(text);

  it("yields each object whatever the chunking, multi-byte characters split included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        expect(await collect(chunked(bytes, sizes))).toEqual(lines);
      }),
      { numRuns: 200 },
    );
  });

  it("reads a last line without its newline, and skips blank lines", async () => {
    const body = new TextEncoder().encode('\n{"a":1}\n\n{"b":2}');
    expect(await collect(chunked(body, [3]))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("cancels the body when the consumer stops early (the request is closed)", async () => {
    const body = chunked(bytes, [5]);
    for await (const line of readJsonLines(body)) {
      expect(line).toEqual(lines[0]);
      break;
    }
    expect(body.canceled).toBe(true);
  });

  it("a line that is not JSON throws", async () => {
    await expect(collect(chunked(new TextEncoder().encode('{"a":1}\nnot json\n'), [4]))).rejects.toThrow(/not JSON/);
  });

  it("one long line in many small chunks is read in linear time", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ result: { blob: "x".repeat(2_000_000) } }) + "\n");
    const [line] = await collect(chunked(big, [7]));
    expect((line as { result: { blob: string } }).result.blob.length).toBe(2_000_000);
  });
});

describe("gateway errors", () => {
  it("maps etcd 3.4/3.5 unary error bodies to the gRPC path's reasons", () => {
    const body = { error: "etcdserver: mvcc: required revision has been compacted", message: "etcdserver: mvcc: required revision has been compacted", code: 11 };
    const err = gatewayError(400, body, "etcdserverpb.KV/Range");
    expect([err.reason, err.code, err.rawMessage]).toEqual(["compacted", Code.OutOfRange, body.message]);
    expect(gatewayError(400, { error: "etcdserver: authentication failed, invalid user ID or password", message: "etcdserver: authentication failed, invalid user ID or password", code: 3 }, "x").reason).toBe("auth-failed");
  });

  it("maps etcd 3.6+ bodies ({code, message, details})", () => {
    const err = gatewayError(401, { code: 16, message: "etcdserver: invalid auth token", details: [] }, "x");
    expect([err.reason, err.code]).toEqual(["invalid-auth-token", Code.Unauthenticated]);
  });

  it("falls back to the HTTP status when the body is not a gateway error", () => {
    expect(gatewayError(404, "Not Found\n", "etcdserverpb.KV/RangeStream")).toMatchObject({ reason: "unimplemented", code: Code.Unimplemented });
    expect(gatewayError(503, undefined, "x")).toMatchObject({ reason: "unavailable", code: Code.Unavailable });
    expect(gatewayError(500, { code: "nope" }, "x")).toMatchObject({ reason: "unknown", code: Code.Unknown });
    expect([400, 401, 403, 404, 429, 502, 503, 504, 418].map(codeFromHttpStatus)).toEqual([
      Code.Internal, Code.Unauthenticated, Code.PermissionDenied, Code.Unimplemented, Code.Unavailable, Code.Unavailable, Code.Unavailable, Code.Unavailable, Code.Unknown,
    ]);
  });

  it("reads the error line that ends a stream, in both gateway versions", () => {
    expect(streamLineError({ error: { grpc_code: 14, http_code: 503, message: "etcdserver: no leader", http_status: "Service Unavailable" } })).toMatchObject({ reason: "no-leader", code: Code.Unavailable });
    expect(streamLineError({ error: { code: 11, message: "etcdserver: mvcc: required revision has been compacted", details: [] } })).toMatchObject({ reason: "compacted" });
    expect(streamLineError({ result: {} })).toBeUndefined();
    expect(streamLineError({ error: "boom" })).toMatchObject({ reason: "unknown", rawMessage: "boom" });
  });
});

describe("gateway routes", () => {
  it("come from the protos' google.api.http annotations, under /v3/", () => {
    expect(gatewayPath(KV.method.range)).toBe("/v3/kv/range");
    expect(gatewayPath(Watch.method.watch)).toBe("/v3/watch");
    expect(gatewayPath(Lease.method.leaseKeepAlive)).toBe("/v3/lease/keepalive");
    expect(gatewayPath(Lease.method.leaseTimeToLive)).toBe("/v3/lease/timetolive");
    expect(gatewayPath(Auth.method.authenticate)).toBe("/v3/auth/authenticate");
    expect(gatewayPath(Maintenance.method.snapshot)).toBe("/v3/maintenance/snapshot");
    for (const service of [KV, Watch, Lease, Cluster, Maintenance, Auth]) {
      for (const method of service.methods) expect(gatewayPath(method), method.toString()).toMatch(/^\/v3\/[a-z/-]+$/);
    }
  });
});
