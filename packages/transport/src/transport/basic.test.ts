import { createClient, type CallOptions } from "@connectrpc/connect";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { KV, RangeRequestSchema, Watch, type WatchRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { createTransport, type EtcdTransport } from "./create-transport.js";

type WatchRequestInit = MessageInitShape<typeof WatchRequestSchema>;

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);

describe("createTransport against one etcd", () => {
  let cluster: EtcdCluster;
  let transport: EtcdTransport;

  beforeAll(async () => {
    cluster = await startEtcd();
    transport = createTransport({ endpoints: cluster.endpoints });
  });
  afterAll(async () => {
    await transport?.close();
    await cluster?.stop();
  });

  it("puts and reads back through createClient(KV, transport)", async () => {
    const kv = createClient(KV, transport);
    const put = await kv.put({ key: b("basic/a"), value: b("1") });
    expect(put.header?.revision).toBeGreaterThan(0n);
    const range = await kv.range({ key: b("basic/a") });
    expect(range.kvs).toHaveLength(1);
    expect(dec.decode(range.kvs[0]!.value)).toBe("1");
    expect(range.kvs[0]!.value).toBeInstanceOf(Uint8Array);
    expect(range.header?.revision).toBe(put.header?.revision);
  });

  it("accepts a message as input as well as an init object", async () => {
    const kv = createClient(KV, transport);
    await kv.put({ key: b("basic/msg"), value: b("v") });
    const range = await kv.range(create(RangeRequestSchema, { key: b("basic/msg") }));
    expect(range.count).toBe(1n);
  });

  it("reads large responses split over many DATA frames", async () => {
    const kv = createClient(KV, transport);
    const value = new Uint8Array(900_000).fill(7);
    for (let i = 0; i < 3; i++) await kv.put({ key: b(`big/${i}`), value });
    const range = await kv.range({ key: b("big/"), rangeEnd: b("big0") });
    expect(range.kvs).toHaveLength(3);
    expect(range.kvs.every((kv) => kv.value.length === 900_000 && kv.value[899_999] === 7)).toBe(true);
  });

  it("maps a server error to its typed reason (future revision)", async () => {
    const kv = createClient(KV, transport);
    const err = await kv.range({ key: b("basic/a"), revision: 1_000_000n }).catch((e: unknown) => e);
    expect(isEtcdError(err, "future-revision")).toBe(true);
  });

  it("passes caller headers and exposes response headers and trailers", async () => {
    const kv = createClient(KV, transport);
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const options: CallOptions = {
      headers: { hasleader: "true" },
      onHeader: (h) => (header = h),
      onTrailer: (t) => (trailer = t),
    };
    await kv.range({ key: b("basic/a") }, options);
    expect(header?.get("content-type")).toMatch(/^application\/grpc/);
    expect(trailer?.get("grpc-status")).toBe("0");
  });

  it("rejects a request over maxSendMessageBytes before any I/O", async () => {
    const small = createTransport({ endpoints: cluster.endpoints, maxSendMessageBytes: 1024 });
    try {
      const kv = createClient(KV, small);
      const err = await kv.put({ key: b("basic/big"), value: new Uint8Array(4096) }).catch((e: unknown) => e);
      expect(isEtcdError(err, "message-too-large")).toBe(true);
      expect(small.stats.streams).toBe(0);
    } finally {
      await small.close();
    }
  });

  it("rejects a response over maxReceiveMessageBytes", async () => {
    const small = createTransport({ endpoints: cluster.endpoints, maxReceiveMessageBytes: 64 });
    try {
      const kv = createClient(KV, small);
      await kv.put({ key: b("basic/large-value"), value: new Uint8Array(1000) });
      const err = await kv.range({ key: b("basic/large-value") }).catch((e: unknown) => e);
      expect(isEtcdError(err, "message-too-large")).toBe(true);
    } finally {
      await small.close();
    }
  });

  it("streams: a Watch receives a PUT event", async () => {
    const kv = createClient(KV, transport);
    const watch = createClient(Watch, transport);
    const controller = new AbortController();
    const requests = (async function* (): AsyncGenerator<WatchRequestInit> {
      yield { requestUnion: { case: "createRequest", value: { key: b("watched/k") } } };
      await new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
    })();
    const seen: string[] = [];
    let created = false;
    for await (const response of watch.watch(requests, { signal: controller.signal })) {
      if (response.created) {
        created = true;
        await kv.put({ key: b("watched/k"), value: b("hello") });
        continue;
      }
      for (const event of response.events) seen.push(dec.decode(event.kv!.value));
      if (seen.length > 0) break;
    }
    controller.abort();
    expect(created).toBe(true);
    expect(seen).toEqual(["hello"]);
  });

  it("streams: many responses are delivered in order with backpressure", async () => {
    const kv = createClient(KV, transport);
    const watch = createClient(Watch, transport);
    const requests = (async function* (): AsyncGenerator<WatchRequestInit> {
      yield { requestUnion: { case: "createRequest", value: { key: b("bp/"), rangeEnd: b("bp0") } } };
      await new Promise(() => {});
    })();
    const writes = (async () => {
      for (let i = 0; i < 200; i++) await kv.put({ key: b(`bp/${i}`), value: b(String(i)) });
    })();
    const values: number[] = [];
    for await (const response of watch.watch(requests)) {
      for (const event of response.events) values.push(Number(dec.decode(event.kv!.value)));
      if (values.length === 50) await new Promise((r) => setTimeout(r, 100)); // slow consumer
      if (values.length >= 200) break;
    }
    await writes;
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("server-streaming: Snapshot delivers the database", async () => {
    const { Maintenance } = await import("@etcdkit/api/etcdserverpb/rpc_pb");
    const maintenance = createClient(Maintenance, transport);
    let bytes = 0;
    let last = false;
    for await (const chunk of maintenance.snapshot({})) {
      bytes += chunk.blob.length;
      if (chunk.remainingBytes === 0n) last = true;
    }
    expect(bytes).toBeGreaterThan(1000);
    expect(last).toBe(true);
  });

  it("never sends a call whose signal is already aborted", async () => {
    const kv = createClient(KV, transport);
    const before = transport.stats.streams;
    const err = await kv.put({ key: b("basic/aborted"), value: b("v") }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(isEtcdError(err, "canceled")).toBe(true);
    expect(transport.stats.streams).toBe(before);
    expect((await kv.range({ key: b("basic/aborted") })).count).toBe(0n);
  });

  it("credentials for a cluster without auth are not an error (as Go's client)", async () => {
    const withAuth = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: "x" } });
    try {
      const range = await createClient(KV, withAuth).range({ key: b("basic/a") });
      expect(range.count).toBe(1n);
      expect(withAuth.stats.authentications).toBe(1);
    } finally {
      await withAuth.close();
    }
  });

  it("validates options before any I/O", () => {
    expect(() => createTransport({ endpoints: [] })).toThrow(/at least one/);
    for (const bad of ["unix:///tmp/etcd.sock", "127.0.0.1:2379", "grpc://x:1", "http://u:p@h:1"]) {
      let caught: unknown;
      try {
        createTransport({ endpoints: [bad] });
      } catch (err) {
        caught = err;
      }
      expect(isEtcdError(caught, "invalid-argument"), bad).toBe(true);
    }
  });
});
