/**
 * What a KeyValue kept from a real etcd response keeps alive: its key and value are views into
 * the response message (one HTTP/2 DATA chunk, or a message assembled from several), so without a
 * copy a small kv kept in a cache holds its whole message: ~5× its bytes for a single small kv,
 * the whole page for one kv kept out of a range.
 */
import { createClient } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { KV, Watch, type WatchRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyValueFromMessage, type KeyValue } from "./key-value.js";
import { bytes, text } from "./test-support.test-helpers.js";
import { createTransport, type EtcdTransport } from "./transport/create-transport.js";

/** Bytes of the ArrayBuffers a kv's key and value keep reachable. */
function reachableBytes(kv: KeyValue): number {
  const { key, value } = kv;
  return key.buffer === value.buffer ? key.buffer.byteLength : key.buffer.byteLength + value.buffer.byteLength;
}

/** The documented bound: twice the kv's own bytes. */
const bound = (kv: KeyValue): number => 2 * (kv.key.length + kv.value.length);

describe("KeyValue from real responses keeps alive about its own bytes", () => {
  let cluster: EtcdCluster;
  let transport: EtcdTransport;

  beforeAll(async () => {
    cluster = await startEtcd({ members: 1 });
    transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createClient(KV, transport);
    await kv.txn({
      success: Array.from({ length: 100 }, (_, i) => ({
        request: { case: "requestPut" as const, value: { key: bytes(`small/${String(i).padStart(3, "0")}`), value: bytes(`v${i}`) } },
      })),
    });
    await kv.put({ key: bytes("large"), value: new Uint8Array(64 * 1024).fill(7) });
  });
  afterAll(async () => {
    await transport?.close();
    await cluster?.stop();
  });

  it("a small kv read on its own does not keep its response message alive", async () => {
    const kv = createClient(KV, transport);
    const kept: KeyValue[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await kv.range({ key: bytes(`small/${String(i).padStart(3, "0")}`) });
      kept.push(keyValueFromMessage(response.kvs[0]!));
    }
    for (const item of kept) {
      expect([item.keyText(), reachableBytes(item) <= bound(item)]).toEqual([item.keyText(), true]);
      expect(item.text()).toBe(`v${Number(item.keyText().slice(6))}`);
    }
  });

  it("one kv kept out of a range does not keep the whole page alive", async () => {
    const response = await createClient(KV, transport).range({ key: bytes("small/"), rangeEnd: bytes("small0") });
    expect(response.kvs).toHaveLength(100);
    const one = keyValueFromMessage(response.kvs[50]!);
    expect([one.keyText(), one.text()]).toEqual(["small/050", "v50"]);
    expect(reachableBytes(one)).toBeLessThanOrEqual(bound(one));
  });

  it("a value that is most of its message is not copied", async () => {
    const response = await createClient(KV, transport).range({ key: bytes("large") });
    const item = keyValueFromMessage(response.kvs[0]!);
    expect(item.value.length).toBe(64 * 1024);
    expect(item.value.buffer).toBe(response.kvs[0]!.value.buffer);
    expect(reachableBytes(item)).toBeLessThanOrEqual(bound(item));
  });

  it("kvs of watch events do not keep their response messages alive", async () => {
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    async function* requests(): AsyncGenerator<MessageInitShape<typeof WatchRequestSchema>> {
      yield { requestUnion: { case: "createRequest", value: { key: bytes("watched/"), rangeEnd: bytes("watched0"), prevKv: true } } };
      await finished;
    }
    const stream = createClient(Watch, transport).watch(requests(), { timeoutMs: 30_000 });
    const kept: KeyValue[] = [];
    const iterator = stream[Symbol.asyncIterator]();
    const created = await iterator.next();
    expect(created.done !== true && created.value.created).toBe(true);
    const kv = createClient(KV, transport);
    for (let i = 0; i < 10; i++) await kv.put({ key: bytes(`watched/${i}`), value: bytes(`w${i}`) });
    await kv.put({ key: bytes("watched/0"), value: bytes("again") });
    // 11 events (10 puts, 1 overwrite), the overwrite with its prevKv.
    while (kept.length < 12) {
      const next = await iterator.next();
      if (next.done) break;
      for (const event of next.value.events) {
        kept.push(keyValueFromMessage(event.kv!));
        if (event.prevKv !== undefined) kept.push(keyValueFromMessage(event.prevKv));
      }
    }
    finish();
    await iterator.return?.();
    expect(kept.map((item) => text(item.key))).toContain("watched/9");
    for (const item of kept) {
      expect([item.keyText(), item.text(), reachableBytes(item) <= bound(item)]).toEqual([item.keyText(), item.text(), true]);
    }
  });
});
