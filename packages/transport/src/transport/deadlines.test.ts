import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, createClient, type ConnectError, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { KV, Lease, Maintenance, Watch, type LeaseKeepAliveRequestSchema, type WatchRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectCallOptions } from "../call-options.js";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep, timed } from "../test-support.test-helpers.js";
import { createTransport } from "./create-transport.js";

type WatchRequestInit = MessageInitShape<typeof WatchRequestSchema>;
type KeepAliveInit = MessageInitShape<typeof LeaseKeepAliveRequestSchema>;

/** The transport-wide default deadline of these tests: short, so that a stream bounded by it ends early. */
const DEFAULT_MS = 300;

/** An async iterable of requests fed by `push`, open until `end()`. */
function requestQueue<T>(): { push(value: T): void; end(): void; iterable: AsyncIterable<T> } {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    push(value) {
      items.push(value);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    iterable: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (items.length > 0) yield items.shift()!;
          if (ended) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
    },
  };
}

describe("deadlines: a transport's timeoutMs bounds unary calls only", () => {
  let cluster: EtcdCluster;
  let proxy: TcpProxy;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
  });
  afterEach(() => proxy.setMode("pass"));
  afterAll(async () => {
    await cluster?.stop();
  });

  it("a Watch stream stays open well past the transport's timeoutMs and still delivers events", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, timeoutMs: DEFAULT_MS });
    const requests = requestQueue<WatchRequestInit>();
    requests.push({ requestUnion: { case: "createRequest", value: { key: bytes("deadline/watch") } } });
    const seen: string[] = [];
    const outcome = await timed(async () => {
      for await (const response of createClient(Watch, transport).watch(requests.iterable)) {
        if (response.created) {
          await sleep(DEFAULT_MS * 4);
          await createClient(KV, transport).put({ key: bytes("deadline/watch"), value: bytes("late") });
        }
        for (const event of response.events) seen.push(new TextDecoder().decode(event.kv!.value));
        if (seen.length > 0) break;
      }
    });
    requests.end();
    expect(outcome.error).toBeUndefined();
    expect(seen).toEqual(["late"]);
    expect(transport.stats.calls).toBe(2); // the one Watch stream and the Put: nothing was re-opened
  });

  it("a LeaseKeepAlive stream stays open well past the transport's timeoutMs", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, timeoutMs: DEFAULT_MS });
    const { ID: id } = await createClient(Lease, transport).leaseGrant({ TTL: 30n });
    const requests = requestQueue<KeepAliveInit>();
    const answers: bigint[] = [];
    const outcome = await timed(async () => {
      requests.push({ ID: id });
      for await (const response of createClient(Lease, transport).leaseKeepAlive(requests.iterable)) {
        answers.push(response.TTL);
        if (answers.length === 2) break;
        await sleep(DEFAULT_MS * 4);
        requests.push({ ID: id });
      }
    });
    requests.end();
    expect(outcome.error).toBeUndefined();
    expect(answers).toEqual([30n, 30n]);
    expect(transport.stats.calls).toBe(2); // LeaseGrant and one keepalive stream
  });

  it("a Snapshot stream that lasts longer than the transport's timeoutMs completes", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, timeoutMs: DEFAULT_MS });
    const kv = createClient(KV, transport);
    // A database larger than what flow control lets etcd send ahead (1 MiB stream window plus
    // the chunks buffered before the stream pauses), so the stream is still open while we wait.
    const value = new Uint8Array(100_000).map((_, i) => i % 251);
    for (let i = 0; i < 40; i++) await kv.put({ key: bytes(`deadline/snapshot/${i}`), value });
    let received = 0;
    let last = false;
    const outcome = await timed(async () => {
      for await (const chunk of createClient(Maintenance, transport).snapshot({})) {
        if (received === 0) await sleep(DEFAULT_MS * 4);
        received += chunk.blob.length;
        if (chunk.remainingBytes === 0n) last = true;
      }
    });
    expect(outcome.error).toBeUndefined();
    expect(last).toBe(true);
    expect(received).toBeGreaterThan(4_000_000);
  });

  it("a unary call without its own timeoutMs still gets the transport's default", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, timeoutMs: DEFAULT_MS });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    proxy.setMode("blackhole");
    const result = await timed(() => kv.range({ key: bytes("deadline/unary") }));
    expect(isEtcdError(result.error, "deadline-exceeded")).toBe(true);
    expect(result.ms).toBeLessThan(DEFAULT_MS + 5000); // settled at the default deadline, with slack for a busy machine
  });

  describe("timeoutMs: Infinity through connectCallOptions is no deadline, overriding a transport default", () => {
    const slowRange = async (transport: Transport, timeoutMs: number): Promise<unknown> => {
      const kv = createClient(KV, transport);
      await kv.range({ key: bytes("warm") }, { timeoutMs: 10_000 });
      proxy.setMode("delay", { delayMs: DEFAULT_MS * 2 }); // every call now takes more than the default
      return kv.range({ key: bytes("deadline/slow") }, connectCallOptions({ timeoutMs })).then(
        (response) => response.header?.revision,
        (error: unknown) => error,
      );
    };

    it("on etcdkit's transport", async () => {
      await using transport = createTransport({ endpoints: cluster.endpoints, timeoutMs: DEFAULT_MS });
      expect(typeof (await slowRange(transport, Infinity))).toBe("bigint");
      proxy.setMode("pass");
      expect(typeof (await slowRange(transport, 2 ** 40))).toBe("bigint"); // beyond setTimeout's range: the same
    });

    it("on Connect's createGrpcTransport with a defaultTimeoutMs", async () => {
      const transport = createGrpcTransport({ baseUrl: proxy.url, defaultTimeoutMs: DEFAULT_MS });
      expect(typeof (await slowRange(transport, Infinity))).toBe("bigint");
      proxy.setMode("pass");
      // and a finite timeout is still a deadline there
      const bounded = await slowRange(transport, DEFAULT_MS);
      expect((bounded as ConnectError).code).toBe(Code.DeadlineExceeded);
    });
  });

  it("on etcdkit's transport, a transport-level timeoutMs <= 0 or Infinity is no deadline (Connect's contract)", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, timeoutMs: DEFAULT_MS });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    proxy.setMode("delay", { delayMs: DEFAULT_MS * 2 });
    for (const timeoutMs of [0, -1, Infinity]) {
      const result = await timed(() => kv.range({ key: bytes("deadline/raw") }, { timeoutMs }));
      expect(result.error, String(timeoutMs)).toBeUndefined();
    }
  });

  it("package-level timeoutMs <= 0 fails deadline-exceeded before any I/O", () => {
    for (const timeoutMs of [0, -5, -Infinity]) {
      let caught: unknown;
      try {
        connectCallOptions({ timeoutMs });
      } catch (err) {
        caught = err;
      }
      expect(isEtcdError(caught, "deadline-exceeded"), String(timeoutMs)).toBe(true);
    }
  });
});
