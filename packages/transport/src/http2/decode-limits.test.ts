import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { KV, RangeResponseSchema, Watch, WatchResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { startHostileServer, unknownFieldsBody } from "../hostile-server.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";
import { transportDefaults } from "../transport/transport-options.js";

const MiB = 2 ** 20;

/** Runs decode-heap.test-helpers.ts against `url` with a heap of `heapMiB`; its exit code and output. */
async function rangeInChild(url: string, heapMiB: number): Promise<{ code: number | null; signal: string | null; output: string }> {
  const script = fileURLToPath(new URL("./decode-heap.test-helpers.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    ["--expose-gc", `--max-old-space-size=${heapMiB}`, "--import", "tsx", "--conditions=@etcdkit/source", script, url],
    { cwd: fileURLToPath(new URL("../../../..", import.meta.url)), stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return await new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("exit", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, output });
    });
  });
}

describe("responses from a hostile server", () => {
  it("unknown fields cost no heap: 15 MiB of them decode in a 256 MiB heap, within a small multiple of the body", async () => {
    const body = unknownFieldsBody(15 * MiB);
    await using server = await startHostileServer(() => [body]);
    const { code, signal, output } = await rangeInChild(server.url, 256);
    expect({ code, signal }, output.slice(-2000)).toEqual({ code: 0, signal: null });
    const result = JSON.parse(output.trim().split("\n").at(-1)!) as { outcome: string; heapMiB: number };
    expect(result.outcome).toBe("answered");
    expect(result.heapMiB).toBeLessThan(4 * 15);
  });

  it("decoded responses keep no unknown fields, unary and streaming", async () => {
    const known = toBinary(RangeResponseSchema, create(RangeResponseSchema, { count: 3n }));
    const withUnknown = new Uint8Array([...known, ...unknownFieldsBody(64)]);
    const watchBody = new Uint8Array([...toBinary(WatchResponseSchema, create(WatchResponseSchema, { created: true })), ...unknownFieldsBody(64)]);
    await using server = await startHostileServer((path) => (path.includes("Watch") ? [watchBody, watchBody] : [withUnknown]));
    await using transport = createTransport({ endpoints: [server.url] });
    const range = await createClient(KV, transport).range({ key: new Uint8Array([1]) }, { timeoutMs: 5000 });
    expect(range.count).toBe(3n);
    expect(range.$unknown).toBeUndefined();
    const seen: unknown[] = [];
    for await (const response of createClient(Watch, transport).watch((async function* () {})(), { timeoutMs: 5000 })) {
      expect(response.created).toBe(true);
      seen.push(response.$unknown);
    }
    expect(seen).toEqual([undefined, undefined]);
  });

  it("the default receive limit refuses a response above it with message-too-large; a raised limit takes it", async () => {
    const limit = transportDefaults.maxReceiveMessageBytes;
    expect(limit).toBeLessThanOrEqual(16 * MiB);
    const big = toBinary(RangeResponseSchema, create(RangeResponseSchema, { kvs: [{ key: new Uint8Array([1]), value: new Uint8Array(limit + 1) }] }));
    await using server = await startHostileServer(() => [big]);
    {
      await using transport = createTransport({ endpoints: [server.url] });
      const error = await createClient(KV, transport).range({ key: new Uint8Array([1]) }, { timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect(isEtcdError(error, "message-too-large")).toBe(true);
      expect((error as Error).message).toMatch(/maxReceiveMessageBytes/);
    }
    await using raised = createTransport({ endpoints: [server.url], maxReceiveMessageBytes: 2 * limit });
    const range = await createClient(KV, raised).range({ key: new Uint8Array([1]) }, { timeoutMs: 10_000 });
    expect(range.kvs[0]!.value.length).toBe(limit + 1);
  });
});
