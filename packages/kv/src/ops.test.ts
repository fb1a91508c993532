/**
 * Unit tests of ops, comparisons and their encoding, on a recording transport (no etcd, no I/O):
 * ops are frozen values, validation happens before any call, call options reach the transport.
 */
import { create } from "@bufbuild/protobuf";
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  RangeResponseSchema,
  type RangeRequest,
  type TxnRequest,
} from "@etcdkit/api/etcdserverpb/rpc_pb";
import { isEtcdError, toBytes } from "@etcdkit/transport";
import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { compare } from "./compare.js";
import { createKV } from "./create-kv.js";
import { createRecordingTransport } from "./kv-test-env.test-helpers.js";
import { op } from "./op-builders.js";
import { encodeCompare, encodeRange, encodeSort, encodeTxn } from "./request-encoding.js";

describe("ops are immutable values", () => {
  it("op.get/put/delete/txn return frozen values that can be built now and reused", () => {
    const put = op.put("k", "v", { prevKv: true });
    const txn = op.txn({ if: [compare.exists("k")], then: [put], else: [op.get("k")] });
    for (const value of [put, op.get("k"), op.delete("k"), txn, txn.success, txn.compares, txn.compares[0]]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => {
      (put as { key: Uint8Array }).key = toBytes("other");
    }).toThrow(TypeError);
    expect(put).toMatchObject({ type: "put", key: toBytes("k"), value: toBytes("v"), prevKv: true, lease: 0n });
  });

  it("ops own their bytes: reusing a buffer after building an op does not change the op", () => {
    // Built in a loop from one reused buffer, every op had the last key (a txn of them failed duplicate-key).
    const buffer = Buffer.alloc(4);
    const value = new Uint8Array([1]);
    const ops = [0, 1, 2].map((i) => {
      buffer.writeUInt32BE(i);
      value[0] = i;
      return op.put(buffer, value);
    });
    expect(ops.map((o) => [o.key[3], o.value[0]])).toEqual([[0, 0], [1, 1], [2, 2]]);
    const end = Buffer.from("b");
    const range = op.get(Buffer.from("a"), { end });
    const guard = compare.value(buffer, "=", value);
    end.write("z");
    buffer.writeUInt32BE(9);
    value[0] = 9;
    expect(range.rangeEnd).toEqual(toBytes("b"));
    expect([guard.key[3], (guard.operand as Uint8Array)[0]]).toEqual([2, 2]);
  });

  it("the txn builder's stages are immutable: one stage can start several txns", () => {
    const kv = createKV(createRecordingTransport());
    const guarded = kv.txn().if(compare.missing("k"));
    const a = guarded.then(op.put("k", "a")).toOp();
    const b = guarded.then(op.put("k", "b")).else(op.get("k")).toOp();
    expect(a.success[0]!.value).toEqual(toBytes("a"));
    expect(a.failure).toHaveLength(0);
    expect(b.success[0]!.value).toEqual(toBytes("b"));
    expect(b.failure).toHaveLength(1);
    expect(Object.keys(kv.txn().then(op.get("k")))).not.toContain("if");
  });

  it("rejects an empty key synchronously, with reason empty-key", () => {
    for (const fn of [() => op.get(""), () => op.put("", "v"), () => op.delete(""), () => compare.exists("")]) {
      expect(isEtcdError(thrownBy(fn), "empty-key")).toBe(true);
    }
    expect(isEtcdError(thrownBy(() => op.get(new Uint8Array(0))), "empty-key")).toBe(true);
  });

  it("an empty key with prefix or fromKey selects every key, as in Go", () => {
    expect(op.get("", { prefix: true })).toMatchObject({ key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) });
    expect(op.delete("", { fromKey: true })).toMatchObject({ key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) });
  });

  it("rejects malformed options with invalid-argument", () => {
    expect(isEtcdError(thrownBy(() => op.get("k", { prefix: true, limit: -1 })), "invalid-argument")).toBe(true);
    expect(isEtcdError(thrownBy(() => op.get("k", { prefix: true, limit: 1.5 })), "invalid-argument")).toBe(true);
    expect(isEtcdError(thrownBy(() => op.get("k", { revision: -1n })), "invalid-argument")).toBe(true);
    const contradictory = { lease: 5n, ignoreLease: true } as never;
    expect(isEtcdError(thrownBy(() => op.put("k", "v", contradictory)), "invalid-argument")).toBe(true);
  });
});

describe("encoding", () => {
  it("sort by key ascending is sent as no sort; other sorts are explicit, ascending by default", () => {
    expect(encodeSort({ target: "key" })).toEqual({ sortTarget: RangeRequest_SortTarget.KEY, sortOrder: RangeRequest_SortOrder.NONE });
    expect(encodeSort({ target: "key", order: "descend" })).toEqual({
      sortTarget: RangeRequest_SortTarget.KEY,
      sortOrder: RangeRequest_SortOrder.DESCEND,
    });
    expect(encodeSort({ target: "modRevision" })).toEqual({
      sortTarget: RangeRequest_SortTarget.MOD,
      sortOrder: RangeRequest_SortOrder.ASCEND,
    });
  });

  it("a range op carries every option", () => {
    const request = encodeRange(
      op.get("a", {
        end: "z",
        limit: 7,
        revision: 3n,
        sort: { target: "value", order: "descend" },
        serializable: true,
        keysOnly: true,
        countOnly: true,
        minModRevision: 1n,
        maxModRevision: 2n,
        minCreateRevision: 4n,
        maxCreateRevision: 5n,
      }),
    );
    expect(request).toMatchObject({
      key: toBytes("a"),
      rangeEnd: toBytes("z"),
      limit: 7n,
      revision: 3n,
      sortTarget: RangeRequest_SortTarget.VALUE,
      sortOrder: RangeRequest_SortOrder.DESCEND,
      serializable: true,
      keysOnly: true,
      countOnly: true,
      minModRevision: 1n,
      maxModRevision: 2n,
      minCreateRevision: 4n,
      maxCreateRevision: 5n,
    });
  });

  it("comparisons map operators and targets; range variants carry a range end", () => {
    expect(encodeCompare(compare.value("k", ">", "abc"))).toMatchObject({
      result: Compare_CompareResult.GREATER,
      target: Compare_CompareTarget.VALUE,
      targetUnion: { case: "value", value: toBytes("abc") },
    });
    expect(encodeCompare(compare.version("k", "!=", 2, { prefix: true }))).toMatchObject({
      result: Compare_CompareResult.NOT_EQUAL,
      target: Compare_CompareTarget.VERSION,
      rangeEnd: toBytes("l"),
      targetUnion: { case: "version", value: 2n },
    });
    expect(encodeCompare(compare.missing("k"))).toMatchObject({
      result: Compare_CompareResult.EQUAL,
      target: Compare_CompareTarget.CREATE,
      targetUnion: { case: "createRevision", value: 0n },
    });
    expect(encodeCompare(compare.lease("k", "<", 9n, { end: "m" }))).toMatchObject({
      result: Compare_CompareResult.LESS,
      target: Compare_CompareTarget.LEASE,
      rangeEnd: toBytes("m"),
    });
  });

  it("nested txns encode recursively", () => {
    const inner = op.txn({ if: [compare.exists("b")], then: [op.delete("b")] });
    const request = encodeTxn(op.txn({ then: [inner, op.put("a", { ignoreValue: true, ignoreLease: true })] }));
    expect(request.success?.[0]?.request?.case).toBe("requestTxn");
    const put = request.success?.[1]?.request;
    expect(put).toMatchObject({ case: "requestPut", value: { ignoreValue: true, ignoreLease: true, value: new Uint8Array(0) } });
  });
});

describe("createKV on a recording transport", () => {
  it("still sends the edge selectors etcd defines: end \"\\0\" is every key from the key on", async () => {
    const transport = createRecordingTransport(() => create(RangeResponseSchema, {}));
    await createKV(transport).range("k", { end: "\0" });
    expect((transport.calls[0]!.input as RangeRequest).rangeEnd).toEqual(new Uint8Array([0]));
  });

  it("passes signal and timeoutMs to the call, and only those", async () => {
    const transport = createRecordingTransport(() => create(RangeResponseSchema, {}));
    const kv = createKV(transport);
    const controller = new AbortController();
    await kv.get("k", { signal: controller.signal, timeoutMs: 1234, revision: 5n });
    const call = transport.calls[0]!;
    expect(call.method).toBe("Range");
    expect(call.signal).toBe(controller.signal);
    expect(call.timeoutMs).toBe(1234);
    expect((call.input as RangeRequest).revision).toBe(5n);
  });

  it("timeoutMs: Infinity is no deadline on any transport (Connect's timeoutMs 0), never the transport's default", async () => {
    const transport = createRecordingTransport(() => create(RangeResponseSchema, {}));
    const kv = createKV(transport);
    await kv.get("k", { timeoutMs: Infinity });
    await kv.put("k", "v", { timeoutMs: 2 ** 40 });
    await kv.get("k", {});
    expect(transport.calls.map((c) => c.timeoutMs)).toEqual([0, 0, undefined]);
  });

  it("timeoutMs <= 0 fails deadline-exceeded before any call, for every KV call", async () => {
    const transport = createRecordingTransport(() => create(RangeResponseSchema, {}));
    const kv = createKV(transport);
    const outcomes = await Promise.all([
      kv.get("k", { timeoutMs: 0 }).catch((e: unknown) => e),
      kv.put("k", "v", { timeoutMs: -1 }).catch((e: unknown) => e),
      kv.delete("k", { timeoutMs: 0 }).catch((e: unknown) => e),
      kv.txn().commit({ timeoutMs: 0 }).catch((e: unknown) => e),
      kv.compact(1n, { timeoutMs: 0 }).catch((e: unknown) => e),
    ]);
    for (const outcome of outcomes) expect(isEtcdError(outcome, "deadline-exceeded")).toBe(true);
    expect(transport.calls).toEqual([]);
  });

  it("turns transport failures into EtcdErrors", async () => {
    const kv = createKV(createRecordingTransport());
    const error = await kv.get("k").catch((e: unknown) => e);
    expect(isEtcdError(error, "unknown")).toBe(true);
  });

  it("sends a txn built by the staged builder as one Txn call", async () => {
    const transport = createRecordingTransport(() => ({ succeeded: true, responses: [] }));
    const kv = createKV(transport);
    await kv.txn().if(compare.value("key", ">", "abc")).then(op.put("key", "XYZ")).else(op.put("key", "ABC")).commit();
    const input = transport.calls[0]!.input as TxnRequest;
    expect(transport.calls.map((c) => c.method)).toEqual(["Txn"]);
    expect(input.compare).toHaveLength(1);
    expect(input.success).toHaveLength(1);
    expect(input.failure).toHaveLength(1);
  });
});
