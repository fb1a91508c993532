/**
 * namespaceTransport with the KV API against a real etcd: a namespaced KV reads, writes,
 * compares and deletes only keys under its prefix (neighbours that sort right before and after
 * it included), and every key coming back is stripped (range results, prevKv, prevKvs, txn and
 * nested txn responses). Empty keys fail before any I/O.
 */
import { createClient } from "@connectrpc/connect";
import { KV as KVService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { compare, createKV, op, type KV, type RangeResult } from "@etcdkit/kv";
import { createRecordingTransport, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaceTransport } from "./namespace-transport.js";

describe("namespaceTransport with KV, against a real etcd", () => {
  let cluster: EtcdCluster;
  let transport: EtcdTransport;
  let root: KV;
  beforeAll(async () => {
    cluster = await startEtcd();
    transport = createTransport({ endpoints: cluster.endpoints });
    root = createKV(transport);
  });
  afterAll(async () => {
    await transport?.close();
    await cluster?.stop();
  });

  const keys = (result: RangeResult) => result.kvs.map((item) => item.keyText());
  const neighbours = ["ns1", "ns1.", "ns10", "ns2", "zzz", "\u0001"];

  it("reads and writes only under its prefix, keys stripped", async () => {
    for (const key of neighbours) await root.put(key, "outside");
    const kv = createKV(namespaceTransport(transport, "ns1/"));
    await kv.put("a", "1");
    await kv.put("b/1", "2");
    await kv.put("c", "3");
    expect((await root.get("ns1/a"))?.text()).toBe("1");
    expect((await kv.get("a"))?.keyText()).toBe("a");
    expect(keys(await kv.getAll())).toEqual(["a", "b/1", "c"]);
    expect(keys(await kv.getFromKey("b"))).toEqual(["b/1", "c"]);
    expect(keys(await kv.getPrefix("b/"))).toEqual(["b/1"]);
    expect(keys(await kv.range("a", { end: "c" }))).toEqual(["a", "b/1"]);
    expect((await kv.getAll({ countOnly: true })).count).toBe(3);
    const { prevKv } = await kv.put("a", "1b", { prevKv: true });
    expect(prevKv?.keyText()).toBe("a");
  });

  it("txn comparisons, ops and nested txns stay inside; responses are stripped", async () => {
    const kv = createKV(namespaceTransport(transport, "ns2/"));
    await root.put("x", "outside"); // same short key outside the namespace
    const result = await kv
      .txn()
      .if(compare.missing("x"))
      .then(
        op.put("x", "inside", { prevKv: true }),
        op.get("", { prefix: true }),
        op.txn({ if: [compare.missing("x")], then: [op.get("x")], else: [] }), // compares see the state before the txn
      )
      .commit();
    expect(result.succeeded).toBe(true);
    if (!result.succeeded) return;
    const [put, all, nested] = result.responses;
    expect(put.prevKv).toBeUndefined();
    expect(keys(all)).toEqual(["x"]);
    expect(nested.succeeded).toBe(true);
    expect(keys(nested.responses[0] as RangeResult)).toEqual(["x"]);
    expect((await root.get("ns2/x"))?.text()).toBe("inside");
    expect((await root.get("x"))?.text()).toBe("outside");
  });

  it("a delete to the end of the namespace leaves its neighbours alone", async () => {
    for (const key of ["ns3", "ns30", "ns3a"]) await root.put(key, "outside");
    const kv = createKV(namespaceTransport(transport, "ns3/"));
    await kv.put("p", "1");
    await kv.put("q", "2");
    const removed = await kv.delete("", { fromKey: true, prevKv: true });
    expect(removed.deleted).toBe(2);
    expect(removed.prevKvs.map((item) => item.keyText())).toEqual(["p", "q"]);
    for (const key of ["ns3", "ns30", "ns3a"]) expect((await root.get(key))?.text()).toBe("outside");
  });

  it("namespaces nest, and the same transport and prefix give the same object", async () => {
    const outer = namespaceTransport(transport, "ns4/");
    expect(namespaceTransport(transport, "ns4/")).toBe(outer);
    expect(namespaceTransport(transport, new TextEncoder().encode("ns4/"))).toBe(outer);
    const inner = namespaceTransport(outer, "deep/");
    expect(new TextDecoder().decode(inner.namespace)).toBe("ns4/deep/");
    await createKV(inner).put("k", "v");
    expect(keys(await root.getPrefix("ns4/"))).toEqual(["ns4/deep/k"]);
    expect(keys(await createKV(outer).getAll())).toEqual(["deep/k"]);
    expect(keys(await createKV(inner).getAll())).toEqual(["k"]);
  });

  it("an empty single key fails empty-key before any I/O (it would name the namespace key)", async () => {
    const recording = createRecordingTransport();
    const raw = createClient(KVService, namespaceTransport(recording, "ns5/"));
    const errors = await Promise.all([
      raw.put({ key: new Uint8Array(0), value: new Uint8Array([1]) }).catch((e: unknown) => e),
      raw.range({ key: new Uint8Array(0) }).catch((e: unknown) => e),
      raw.txn({ compare: [{ key: new Uint8Array(0) }] }).catch((e: unknown) => e),
    ]);
    for (const error of errors) expect(isEtcdError(error, "empty-key")).toBe(true);
    expect(recording.calls).toEqual([]);
  });

  it("bad arguments fail invalid-argument at once", () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(isEtcdError(thrown(() => namespaceTransport({} as never, "a/")), "invalid-argument")).toBe(true);
    expect(isEtcdError(thrown(() => namespaceTransport(transport, 5 as never)), "invalid-argument")).toBe(true);
  });
});
