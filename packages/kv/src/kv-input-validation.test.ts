/**
 * Bad input to @etcdkit/kv, on a recording transport (no etcd, no I/O): every case fails with a
 * typed EtcdError ("empty-key" or "invalid-argument") before any call reaches the transport, never
 * with a TypeError, a silent misreading or a promise that stays pending.
 */
import { runInNewContext } from "node:vm";
import { create } from "@bufbuild/protobuf";
import { RangeResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { isEtcdError } from "@etcdkit/transport";
import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { compare } from "./compare.js";
import { createKV } from "./create-kv.js";
import { buildKV } from "./kv.js";
import { createRecordingTransport } from "./kv-test-env.test-helpers.js";
import { withNamespace } from "./namespace.js";
import { op } from "./op-builders.js";
import { paginate } from "./paginate.js";

const bad = (value: unknown): never => value as never;
const int64Overflow = 2n ** 63n;

/**
 * Runs each named attempt and expects it to fail (thrown or rejected) with invalid-argument; the
 * name is in the assertion so that a failure says which attempt it was. Returns the errors.
 */
async function expectInvalidArgument(attempts: ReadonlyArray<[string, () => unknown]>): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const [name, attempt] of attempts) {
    const error = await Promise.resolve().then(attempt).catch((e: unknown) => e);
    expect([name, isEtcdError(error, "invalid-argument")]).toEqual([name, true]);
    errors.push(error);
  }
  return errors;
}

/** The first page of a walk, so that a generator's argument checks run. */
const firstPage = (walk: AsyncIterable<unknown>) => walk[Symbol.asyncIterator]().next();

describe("bad input fails before any I/O", () => {
  it("throws empty-key before any call reaches the transport", async () => {
    const transport = createRecordingTransport();
    const kv = createKV(transport);
    const attempts: Array<() => Promise<unknown>> = [
      () => kv.get(""),
      () => kv.range(""),
      () => kv.put("", "v"),
      () => kv.put("", { ignoreValue: true }),
      () => kv.delete(""),
      () => kv.txn().if(compare.exists("")).commit(),
      () => kv.do(op.put("", "v")),
    ];
    for (const attempt of attempts) {
      const error = await Promise.resolve().then(attempt).catch((e: unknown) => e);
      expect(isEtcdError(error, "empty-key")).toBe(true);
    }
    expect(transport.calls).toHaveLength(0);
  });

  it("rejects wrongly typed keys, values, operands, options and ops with invalid-argument", async () => {
    const transport = createRecordingTransport();
    const kv = createKV(transport);
    const attempts: Array<[string, () => unknown]> = [
      ["unknown operator", () => kv.txn().if(compare.value("k", bad("~"), "v")).commit()],
      ["prototype name as operator", () => kv.txn().if(compare.value("k", bad("toString"), "v")).commit()],
      ["fractional version", () => kv.txn().if(compare.version("k", ">", 1.5)).commit()],
      ["negative version", () => kv.txn().if(compare.version("k", ">", -1)).commit()],
      ["number as mod revision", () => kv.txn().if(compare.modRevision("k", "=", bad(5))).commit()],
      ["number as CAS revision", () => kv.txn().if(compare.modRevisionIs("k", bad(5))).commit()],
      ["number as lease", () => kv.txn().if(compare.lease("k", "=", bad(5))).commit()],
      ["number as compared value", () => kv.txn().if(compare.value("k", "=", bad(5))).commit()],
      ["number as value", () => kv.put("k", bad(5))],
      ["number as key", () => kv.put(bad(5), "v")],
      ["undefined key", () => kv.get(bad(undefined))],
      ["null key in a delete", () => kv.delete(bad(null))],
      ["object as range end", () => kv.range("a", { end: bad({}) })],
      ["non-op in a txn branch", () => kv.txn().then(bad({ type: "bogus" })).commit()],
      ["undefined in a txn branch", () => kv.txn().else(bad(undefined)).commit()],
      ["non-comparison as guard", () => kv.txn().if(bad({ target: "version" })).commit()],
      ["undefined as op", () => kv.do(bad(undefined))],
      ["string as prefix flag", () => kv.range("k", bad({ prefix: "true" }))],
      ["number as fromKey flag", () => kv.delete("k", bad({ fromKey: 1 }))],
      ["prefix and end together", () => kv.range("k", bad({ prefix: true, end: "z" }))],
      ["empty end", () => kv.range("k", { end: "" })],
      ["empty end in a compare", () => kv.txn().if(compare.version("k", ">", 0, { end: "" })).commit()],
      ["string as serializable", () => kv.get("k", bad({ serializable: "yes" }))],
      ["string as keysOnly", () => kv.range("k", bad({ prefix: true, keysOnly: "yes" }))],
      ["string as prevKv of a put", () => kv.put("k", "v", bad({ prevKv: "yes" }))],
      ["number as prevKv of a delete", () => kv.delete("k", bad({ prevKv: 1 }))],
      ["string as ignoreLease", () => kv.put("k", "v", bad({ ignoreLease: "yes" }))],
      ["options without ignoreValue in the value's place", () => kv.put("k", bad({ lease: 5n }))],
      ["string as timeoutMs", () => kv.get("k", bad({ timeoutMs: "100" }))],
      ["object as signal", () => kv.get("k", bad({ signal: {} }))],
      ["number as options", () => kv.get("k", bad(5))],
      // A sort that is not an object threw a TypeError.
      ["null as sort", () => kv.getPrefix("k", { sort: bad(null) })],
      ["string as sort", () => kv.getPrefix("k", { sort: bad("key") })],
      // A truthy non-boolean physical was sent as physical: false.
      ["string as physical", () => kv.compact(1n, { physical: bad("yes") })],
      ["number as compact revision", () => kv.compact(bad(5))],
      ["null as compact options", () => kv.compact(1n, bad(null))],
    ];
    await expectInvalidArgument(attempts);
    expect(transport.calls).toHaveLength(0);
  });

  it("rejects revisions, lease IDs and compare operands that are not int64s, naming what was given", async () => {
    // These reached the transport and failed there with protobuf's "cannot encode field ..." text.
    const transport = createRecordingTransport();
    const kv = createKV(transport);
    const attempts: Array<[string, () => unknown]> = [
      ["read revision", () => kv.get("k", { revision: int64Overflow })],
      ["minModRevision", () => kv.getPrefix("k", { minModRevision: int64Overflow })],
      ["maxCreateRevision", () => kv.getPrefix("k", { maxCreateRevision: int64Overflow })],
      ["put lease", () => kv.put("k", "v", { lease: int64Overflow })],
      ["put lease below int64", () => kv.put("k", "v", { lease: -int64Overflow - 1n })],
      ["compact revision", () => kv.compact(int64Overflow)],
      ["compare version", () => kv.txn().if(compare.version("k", "=", int64Overflow)).commit()],
      ["compare createRevision", () => kv.txn().if(compare.createRevision("k", "<", int64Overflow)).commit()],
      ["compare modRevision", () => kv.txn().if(compare.modRevision("k", "=", int64Overflow)).commit()],
      ["compare modRevisionIs", () => kv.txn().if(compare.modRevisionIs("k", int64Overflow)).commit()],
      ["compare lease", () => kv.txn().if(compare.lease("k", "=", int64Overflow)).commit()],
      ["paginate revision", () => firstPage(kv.paginate("k", { prefix: true, revision: int64Overflow }))],
    ];
    const errors = await expectInvalidArgument(attempts);
    errors.forEach((error, i) => {
      const name = attempts[i]![0];
      expect([name, (error as Error).message]).toEqual([name, expect.stringMatching(/must be a (bigint|non-negative integer).* 2\^63-1, got -?\d+n/)]);
    });
    expect(transport.calls).toHaveLength(0);
    // The edges themselves are accepted.
    expect(op.get("k", { revision: int64Overflow - 1n }).revision).toBe(int64Overflow - 1n);
    expect(compare.lease("k", "=", -int64Overflow).operand).toBe(-int64Overflow);
  });

  it("rejects options that would be dropped or misread, and null where a value belongs", async () => {
    const transport = createRecordingTransport();
    const kv = createKV(transport);
    const attempts: Array<[string, () => unknown]> = [
      // The value was written and ignoreValue dropped.
      ["a value with ignoreValue: true", () => kv.put("k", "v", bad({ ignoreValue: true }))],
      ["ignoreValue that is not a boolean", () => kv.put("k", "v", bad({ ignoreValue: "yes" }))],
      // The third argument (its prevKv and timeoutMs) was dropped.
      ["options after the keep-value form", () => kv.put("k", bad({ ignoreValue: true }), bad({ prevKv: true, timeoutMs: 5 }))],
      // kv.get sent them: countOnly made an existing key look missing, prefix read the first key of a range.
      ["countOnly on get", () => kv.get("k", bad({ countOnly: true }))],
      ["prefix on get", () => kv.get("k", bad({ prefix: true }))],
      ["fromKey on get", () => kv.get("k", bad({ fromKey: true }))],
      ["end on get", () => kv.get("k", bad({ end: "z" }))],
      ["limit on get", () => kv.get("k", bad({ limit: 5 }))],
      ["sort on get", () => kv.get("k", bad({ sort: { target: "key" } }))],
      // null counted as "absent" here and as an error elsewhere.
      ["null limit", () => kv.getPrefix("k", { limit: bad(null) })],
      ["null lease", () => kv.put("k", "v", { lease: bad(null) })],
      ["null pageSize", () => firstPage(kv.paginate("k", { prefix: true, pageSize: bad(null) }))],
      ["null paginate limit", () => firstPage(kv.paginate("k", { prefix: true, limit: bad(null) }))],
      ["null paginate revision", () => firstPage(kv.paginate("k", { prefix: true, revision: bad(null) }))],
      // An array's sort method was read as the sort option; getAll([]) was accepted.
      ["array as range options", () => kv.range("k", bad([]))],
      ["array as getAll options", () => kv.getAll(bad([]))],
      ["array as put options", () => kv.put("k", "v", bad([]))],
      // A signal-like { aborted: 1 } ended the walk as canceled.
      ["non-signal in paginate", () => firstPage(kv.paginate("k", { prefix: true, signal: bad({ aborted: 1 }) }))],
      ["typed array that is not a Uint8Array as value", () => kv.put("k", bad(new Uint16Array([1])))],
      ["ArrayBuffer as value", () => kv.put("k", bad(new ArrayBuffer(2)))],
    ];
    await expectInvalidArgument(attempts);
    expect(transport.calls).toHaveLength(0);
    const typedArray = await Promise.resolve(kv.put("k", bad(new Uint16Array([1])))).catch((e: unknown) => e);
    expect((typedArray as Error).message).toContain("got object (Uint16Array)");
  });

  it("kv.get takes range options whose values change nothing (a shared options object)", async () => {
    const transport = createRecordingTransport(() => create(RangeResponseSchema, {}));
    await createKV(transport).get("k", bad({ prefix: false, fromKey: false, countOnly: false, limit: 0 }));
    expect(transport.calls.map((call) => call.method)).toEqual(["Range"]);
  });

  it("hand-made ops and comparisons missing fields fail invalid-argument, also through a namespace", async () => {
    // They failed with TypeErrors (namespaced) or as reason "unknown" (plain).
    const transport = createRecordingTransport();
    const kv = createKV(transport);
    const ns = withNamespace(kv, "ns/");
    const attempts: Array<[string, () => unknown]> = [
      ["a get without its fields", () => kv.do(bad({ type: "get", key: "x" }))],
      ["a comparison without a range end", () => kv.txn().if(bad({ target: "version", operator: "=", key: new Uint8Array([1]) })).commit()],
      ["null op, namespaced", () => ns.do(bad(null))],
      ["null guard, namespaced", () => ns.txn().if(bad(null)).commit()],
      ["an array as guard, namespaced", () => ns.txn().if(bad([compare.exists("a")])).commit()],
      ["null in a nested txn, namespaced", () => ns.do(op.txn({ then: [bad(null)] }))],
      ["a get without its fields, namespaced", () => ns.do(bad({ type: "get" }))],
    ];
    await expectInvalidArgument(attempts);
    expect(transport.calls).toHaveLength(0);
  });

  it("buildKV rejects a core without do and compact at once", () => {
    for (const core of [undefined, null, {}, { do: async () => ({}) }]) {
      expect(isEtcdError(thrownBy(() => buildKV(bad(core))), "invalid-argument")).toBe(true);
    }
  });

  it("op.txn rejects a spec or parts of the wrong shape (they threw TypeErrors)", () => {
    const attempts: Array<[string, () => unknown]> = [
      ["null spec", () => op.txn(bad(null))],
      ["string spec", () => op.txn(bad("if"))],
      ["a single op as then", () => op.txn({ then: bad(op.put("a", "1")) })],
      ["a single comparison as if", () => op.txn({ if: bad(compare.exists("a")) })],
      ["an object as else", () => op.txn({ else: bad({}) })],
    ];
    for (const [name, attempt] of attempts) {
      expect([name, isEtcdError(thrownBy(attempt), "invalid-argument")]).toEqual([name, true]);
    }
  });

  it("paginate rejects missing options, a walk without a range, and a reader that is not a KV", async () => {
    const transport = createRecordingTransport();
    const kv = createKV(transport);
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["no options", () => firstPage(kv.paginate("k", bad(undefined)))],
      ["null options", () => firstPage(kv.paginate("k", bad(null)))],
      ["string options", () => firstPage(kv.paginate("k", bad("prefix")))],
      ["no range selector", () => firstPage(kv.paginate("k", bad({ pageSize: 10 })))],
      ["a reader without do", () => firstPage(paginate(bad({}), "k", { prefix: true }))],
      ["null reader", () => firstPage(paginate(bad(null), "k", { prefix: true }))],
    ];
    await expectInvalidArgument(attempts);
    expect(transport.calls).toHaveLength(0);
  });

  it("withNamespace rejects a non-KV at once, not at its first call", () => {
    for (const notKV of [undefined, null, {}, { do: () => undefined }, createRecordingTransport()]) {
      expect(isEtcdError(thrownBy(() => withNamespace(bad(notKV), "app/")), "invalid-argument")).toBe(true);
    }
    expect(isEtcdError(thrownBy(() => withNamespace(createKV(createRecordingTransport()), bad(5))), "invalid-argument")).toBe(true);
  });

  it("createKV rejects a missing or non-transport argument at once", () => {
    for (const transport of [undefined, null, {}, { unary: () => undefined }]) {
      expect(isEtcdError(thrownBy(() => createKV(transport as never)), "invalid-argument")).toBe(true);
    }
  });
});

describe("bytes from elsewhere", () => {
  it("takes a Uint8Array of another realm, and a detached buffer as empty, without TypeErrors", async () => {
    const transport = createRecordingTransport(() => ({}));
    const kv = createKV(transport);
    const foreign = runInNewContext("new Uint8Array([1, 2])") as Uint8Array;
    await kv.put(foreign, foreign);
    await kv.put("k", foreign);
    const detached = new Uint8Array([3]);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    await kv.put("d", detached);
    const inputs = transport.calls.map((call) => call.input as { key: Uint8Array; value: Uint8Array });
    expect(inputs.map((input) => [[...input.key], [...input.value]])).toEqual([
      [[1, 2], [1, 2]],
      [[0x6b], [1, 2]],
      [[0x64], []],
    ]);
  });
});

describe("a txn builder is not a promise", () => {
  it("awaiting a stage instead of its commit() rejects at once (it stayed pending forever)", async () => {
    const transport = createRecordingTransport();
    const kv = createKV(transport);
    const stages: unknown[] = [
      kv.txn(),
      kv.txn().if(compare.exists("a")),
      kv.txn().if(compare.exists("a")).then(op.put("a", "1")),
      kv.txn().if(compare.exists("a")).then(op.put("a", "1")).else(op.get("a")),
    ];
    for (const stage of stages) {
      const outcome = await Promise.race([
        (async () => await stage)().then(
          () => "resolved",
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(resolve, 1000, "still pending")),
      ]);
      expect(isEtcdError(outcome, "invalid-argument")).toBe(true);
      expect((outcome as Error).message).toContain(".commit()");
    }
    expect(transport.calls).toHaveLength(0);
  });
});
