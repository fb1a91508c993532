import { createClient } from "@connectrpc/connect";
import { KV, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { withPollutedPrototype } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { transportDefaults } from "../transport/transport-options.js";
import { createGatewayTransport } from "./create-gateway-transport.js";

const MiB = 2 ** 20;

/** A fetch standing in for a hostile gateway: every answer is `body` (200, JSON), sent in 64 KiB chunks. */
function answering(body: string, headers: Record<string, string> = {}): { fetch: typeof fetch; sent: () => number } {
  const bytes = new TextEncoder().encode(body);
  let sent = 0;
  const fetchFn = (async () => {
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        const chunk = bytes.subarray(offset, offset + 64 * 1024);
        offset += chunk.length;
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(stream, { status: 200, headers: { "content-type": "application/json", ...headers } });
  }) as typeof fetch;
  return { fetch: fetchFn, sent: () => sent };
}

/** A Range answer of `bytes` bytes: one key whose base64 value fills it. */
function bigRange(bytes: number): string {
  const head = '{"header":{"revision":"2"},"kvs":[{"key":"YQ==","value":"';
  const tail = '"}],"count":"1"}';
  return head + "A".repeat(Math.floor((bytes - head.length - tail.length) / 4) * 4) + tail;
}

describe("gateway receive limit", () => {
  it("a unary answer above maxReceiveMessageBytes (default 16 MiB) fails message-too-large without reading it all", async () => {
    const hostile = answering(bigRange(64 * MiB));
    const transport = createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"], fetch: hostile.fetch });
    const error = await createClient(KV, transport).range({ key: new Uint8Array([97]) }, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(isEtcdError(error, "message-too-large")).toBe(true);
    expect((error as Error).message).toMatch(/maxReceiveMessageBytes/);
    expect(hostile.sent()).toBeLessThan(transportDefaults.maxReceiveMessageBytes + 256 * 1024);
  });

  it("an announced Content-Length above the limit fails before reading the body", async () => {
    const hostile = answering(bigRange(2 * MiB), { "content-length": String(2 * MiB) });
    const transport = createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"], fetch: hostile.fetch, maxReceiveMessageBytes: MiB });
    const error = await createClient(KV, transport).range({ key: new Uint8Array([97]) }).catch((e: unknown) => e);
    expect(isEtcdError(error, "message-too-large")).toBe(true);
    expect(hostile.sent()).toBeLessThanOrEqual(64 * 1024);
  });

  it("a raised limit takes the same answer", async () => {
    const body = bigRange(2 * MiB);
    const transport = createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"], fetch: answering(body).fetch, maxReceiveMessageBytes: 4 * MiB });
    const range = await createClient(KV, transport).range({ key: new Uint8Array([97]) });
    expect(range.kvs[0]!.value.length).toBeGreaterThan(MiB);
  });

  it("a stream line above the limit fails message-too-large", async () => {
    const line = `{"result":${bigRange(2 * MiB)}}`;
    const transport = createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"], fetch: answering(line).fetch, maxReceiveMessageBytes: MiB });
    const requests = (async function* () {
      yield { requestUnion: { case: "createRequest" as const, value: { key: new Uint8Array([97]) } } };
    })();
    const error = await (async () => {
      for await (const _ of createClient(Watch, transport).watch(requests, { timeoutMs: 30_000 })) {
        // no message fits
      }
    })().catch((e: unknown) => e);
    expect(isEtcdError(error, "message-too-large")).toBe(true);
  });

  it("options are read from own properties only", async () => {
    const error = await withPollutedPrototype({ timeoutMs: -1, maxReceiveMessageBytes: 1 }, () =>
      createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"], fetch: answering('{"header":{"revision":"2"}}').fetch }),
    ).then(
      (transport) => createClient(KV, transport).range({ key: new Uint8Array([97]) }),
      (e: unknown) => e,
    );
    expect(isEtcdError(error)).toBe(false);
  });
});
