import { create } from "@bufbuild/protobuf";
import { createClient, createContextValues, type CallOptions, type StreamResponse, type Transport, type UnaryResponse } from "@connectrpc/connect";
import { KV, Maintenance, PutResponseSchema, SnapshotResponseSchema, Watch, WatchResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { describe, expect, it } from "vitest";
import { createRpcClient } from "./rpc-client.js";

/**
 * A transport that records what each call was given (a stream's requests read to the end) and
 * answers with fixed messages: a PutResponse, or two stream responses.
 */
function recordingTransport(calls: unknown[][]): Transport {
  const header = new Headers({ h: "1" });
  const trailer = new Headers({ t: "2" });
  return {
    unary: (method, signal, timeoutMs, headers, input, contextValues) => {
      calls.push([method, signal, timeoutMs, headers, input, contextValues]);
      const message = create(PutResponseSchema, { header: { revision: 7n } });
      return Promise.resolve({ stream: false, service: method.parent, method, message, header, trailer } as unknown as UnaryResponse<never, never>);
    },
    stream: async (method, signal, timeoutMs, headers, input, contextValues) => {
      const requests: unknown[] = [];
      for await (const request of input) requests.push(request);
      calls.push([method, signal, timeoutMs, headers, requests, contextValues]);
      const schema = method.output.typeName === SnapshotResponseSchema.typeName ? SnapshotResponseSchema : WatchResponseSchema;
      const message = (async function* () {
        yield create(schema as typeof WatchResponseSchema, { watchId: 1n });
        yield create(schema as typeof WatchResponseSchema, { watchId: 2n });
      })();
      return { stream: true, service: method.parent, method, message, header, trailer } as unknown as StreamResponse<never, never>;
    },
  };
}

const signal = new AbortController().signal;
const contextValues = createContextValues();
const callOptions = (seen: string[]): CallOptions => ({
  signal,
  timeoutMs: 250,
  headers: { a: "b" },
  contextValues,
  onHeader: (h: Headers) => seen.push(`header ${h.get("h")}`),
  onTrailer: (t: Headers) => seen.push(`trailer ${t.get("t")}`),
});

describe("createRpcClient", () => {
  it("a unary call: the transport gets what Connect's createClient gives it, header and trailer are reported alike", async () => {
    const outcomes = [];
    for (const make of [createClient, createRpcClient]) {
      const calls: unknown[][] = [];
      const seen: string[] = [];
      const response = await make(KV, recordingTransport(calls)).put({ key: new Uint8Array([1]) }, callOptions(seen));
      outcomes.push({ calls, seen, revision: response.header?.revision });
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[1]!.calls[0]![0]).toBe(KV.method.put);
    expect(outcomes[1]!.seen).toEqual(["header 1", "trailer 2"]);
    expect(outcomes[1]!.revision).toBe(7n);
  });

  it.each([
    ["server streaming (Snapshot)", (client: ReturnType<typeof createClient<typeof Maintenance>>, options: CallOptions) => client.snapshot({}, options), Maintenance],
    [
      "bidi streaming (Watch)",
      (client: ReturnType<typeof createClient<typeof Watch>>, options: CallOptions) =>
        client.watch(
          (async function* () {
            yield { requestUnion: { case: "progressRequest" as const, value: {} } };
          })(),
          options,
        ),
      Watch,
    ],
  ] as const)("%s: the same requests reach the transport, the same responses, header first and trailer last", async (_, open, service) => {
    const outcomes = [];
    for (const make of [createClient, createRpcClient]) {
      const calls: unknown[][] = [];
      const seen: string[] = [];
      const client = make(service as never, recordingTransport(calls));
      const stream = (open as (client: unknown, options: CallOptions) => AsyncIterable<{ watchId?: bigint }>)(client, callOptions(seen));
      const iterator = stream[Symbol.asyncIterator]();
      expect(Object.keys(iterator)).toEqual(["next"]);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(`message ${next.value.watchId ?? ""}`);
      outcomes.push({ calls: calls.map(([method, ...rest]) => [String(method), ...rest]), seen });
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[1]!.calls).toHaveLength(1);
    expect(outcomes[1]!.seen.at(0)).toBe("header 1");
    expect(outcomes[1]!.seen.at(-1)).toBe("trailer 2");
  });

  it("a stream whose opening fails rejects on the first next, as Connect's does", async () => {
    const failing: Transport = { ...recordingTransport([]), stream: () => Promise.reject(new Error("refused")) };
    const iterator = createRpcClient(Watch, failing).watch((async function* () {})())[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow("refused");
  });

  it("leaves out a client-streaming RPC (etcd has none; a newer etcd's protos might) and keeps the others", () => {
    const [range, ...others] = KV.methods;
    const withClientStreaming = { ...KV, methods: [{ ...range!, methodKind: "client_streaming" as const }, ...others] } as unknown as typeof KV;
    const kv = createRpcClient(withClientStreaming, recordingTransport([]));
    expect(Object.keys(kv).sort()).toEqual(["compact", "deleteRange", "put", "txn"]);
  });

  it("has every method of the service, and no option is required", async () => {
    const calls: unknown[][] = [];
    const kv = createRpcClient(KV, recordingTransport(calls));
    expect(Object.keys(kv).sort()).toEqual(["compact", "deleteRange", "put", "range", "txn"]);
    await kv.range({});
    expect(calls[0]!.slice(1)).toEqual([undefined, undefined, undefined, {}, undefined]);
  });
});
