/**
 * Property tests of the namespace mapping: for arbitrary byte keys (0x00 and 0xff bytes
 * included), a key is in a range inside the namespace exactly when the prefixed key is in the
 * prefixed range, no key outside the namespace is ever in a prefixed range, and stripping undoes
 * prefixing. Plus the edge cases Go's namespace package defines.
 */
import { bytesEqual, isEtcdError, KeyValue, toBytes } from "@etcdkit/transport";
import { toResponseHeader } from "@etcdkit/transport/internal";
import { thrownBy } from "@etcdkit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compare } from "./compare.js";
import { inWireRange, resolveRange, type WireRange } from "./key-range.js";
import { prefixComparison, prefixOp, prefixRange, stripResult } from "./namespace-mapping.js";
import { op } from "./op-builders.js";
import type { TxnResult } from "./results.js";

const byte = fc.oneof(fc.constantFrom(0x00, 0x01, 0x2f, 0x61, 0x62, 0xfe, 0xff), fc.integer({ min: 0, max: 255 }));
const bytes = (minLength: number, maxLength: number) =>
  fc.array(byte, { minLength, maxLength }).map((values) => Uint8Array.from(values));
const namespaceArb = bytes(1, 4);
const keyArb = bytes(1, 5);

/** Every way to select keys: a single key, a prefix, from a key, [key, end), everything. */
const userRangeArb: fc.Arbitrary<WireRange> = fc.oneof(
  keyArb.map((key) => resolveRange(key, undefined)),
  bytes(0, 4).map((key) => resolveRange(key, { prefix: true })),
  bytes(0, 4).map((key) => resolveRange(key, { fromKey: true })),
  fc.tuple(bytes(0, 4), bytes(1, 4)).map(([key, end]) => resolveRange(key, { end })),
  fc.constant(resolveRange("", { prefix: true })),
);

const concat = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);
const startsWith = (key: Uint8Array, prefix: Uint8Array) =>
  key.length >= prefix.length && prefix.every((value, i) => key[i] === value);
const kv = (key: Uint8Array) =>
  new KeyValue({ key, value: toBytes("v"), createRevision: 2n, modRevision: 2n, version: 1, lease: 0n });

describe("namespace mapping (properties)", () => {
  it("a key is in a range exactly when the prefixed key is in the prefixed range (empty namespace too)", () => {
    fc.assert(
      fc.property(bytes(0, 4), userRangeArb, keyArb, (namespace, range, key) => {
        const prefixed = prefixRange(namespace, range);
        return inWireRange(concat(namespace, key), prefixed) === inWireRange(key, range);
      }),
      { numRuns: 2000 },
    );
  });

  it("no key outside the namespace is in a prefixed range (from-key and all-keys included)", () => {
    fc.assert(
      fc.property(namespaceArb, userRangeArb, bytes(1, 6), (namespace, range, outside) => {
        fc.pre(!startsWith(outside, namespace));
        return !inWireRange(outside, prefixRange(namespace, range));
      }),
      { numRuns: 2000 },
    );
  });

  it("stripping undoes prefixing for arbitrary keys, in range, put, delete and nested txn results", () => {
    fc.assert(
      fc.property(namespaceArb, fc.array(keyArb, { minLength: 1, maxLength: 4 }), (namespace, keys) => {
        const outside = keys.map((key) => kv(concat(namespace, key)));
        const header = toResponseHeader({ clusterId: 1n, memberId: 2n, revision: 9n, raftTerm: 3n } as never);
        const result: TxnResult = {
          succeeded: true,
          revision: 9n,
          header,
          responses: [
            { revision: 9n, header, kvs: outside, count: outside.length, more: false },
            { revision: 9n, header, prevKv: outside[0] },
            { revision: 9n, header, deleted: outside.length, prevKvs: outside },
            { succeeded: false, revision: 9n, header, responses: [{ revision: 9n, header, kvs: outside, count: 1, more: false }] },
          ],
        };
        const stripped = stripResult(namespace, result);
        const [range, put, del, nested] = stripped.responses as never as [
          { kvs: KeyValue[] },
          { prevKv: KeyValue },
          { prevKvs: KeyValue[] },
          { responses: [{ kvs: KeyValue[] }] },
        ];
        const same = (items: readonly KeyValue[]) => items.every((item, i) => bytesEqual(item.key, keys[i]!));
        expect(same(range.kvs)).toBe(true);
        expect(bytesEqual(put.prevKv.key, keys[0]!)).toBe(true);
        expect(same(del.prevKvs)).toBe(true);
        expect(same(nested.responses[0].kvs)).toBe(true);
        expect(range.kvs[0]!.value).toEqual(toBytes("v"));
        expect((stripped.responses[0] as { header: unknown }).header).toBe(header); // who answered is kept
        expect(() => JSON.stringify(stripped)).not.toThrow(); // stripped results are results too
      }),
      { numRuns: 500 },
    );
  });
});

describe("namespace mapping (Go's edge cases)", () => {
  const ns = toBytes("app/");

  it("a from-key range ends at the end of the namespace", () => {
    expect(prefixRange(ns, resolveRange("b", { fromKey: true }))).toEqual({ key: toBytes("app/b"), rangeEnd: toBytes("app0") });
  });

  it("all keys (empty prefix, empty from-key) starts right after the namespace key itself, as in Go", () => {
    // It started at the namespace key, which came back as the empty key: a namespaced walk with
    // pageSize 1 then restarted from "\0" (the whole keyspace again) for ever.
    for (const range of [resolveRange("", { prefix: true }), resolveRange("", { fromKey: true })]) {
      expect(prefixRange(ns, range)).toEqual({ key: toBytes("app/\0"), rangeEnd: toBytes("app0") });
    }
    expect(inWireRange(ns, prefixRange(ns, resolveRange("", { prefix: true })))).toBe(false);
  });

  it("copies its inputs: a Buffer namespace is not changed, and a string namespace is encoded", () => {
    const buffer = Buffer.from("app/");
    const range = prefixRange(buffer, resolveRange("", { prefix: true }));
    expect(buffer.toString()).toBe("app/");
    expect(range.key).not.toBe(buffer);
    expect(prefixRange("app/", resolveRange("b", { fromKey: true }))).toEqual({ key: toBytes("app/b"), rangeEnd: toBytes("app0") });
    expect(isEtcdError(thrownBy(() => prefixRange(ns, undefined as never)), "invalid-argument")).toBe(true);
    expect(isEtcdError(thrownBy(() => prefixRange(5 as never, resolveRange("a", undefined))), "invalid-argument")).toBe(true);
  });

  it("a namespace ending in 0xff ends at the next byte string; an all-0xff namespace runs to the end", () => {
    const ff = new Uint8Array([0x61, 0xff]);
    expect(prefixRange(ff, resolveRange("", { prefix: true })).rangeEnd).toEqual(toBytes("b"));
    const allFf = new Uint8Array([0xff, 0xff]);
    expect(prefixRange(allFf, resolveRange("x", { fromKey: true })).rangeEnd).toEqual(new Uint8Array([0]));
  });

  it("an empty namespace leaves every range as it is", () => {
    const empty = new Uint8Array(0);
    for (const range of [resolveRange("", { prefix: true }), resolveRange("a", { fromKey: true }), resolveRange("a", undefined)]) {
      expect(prefixRange(empty, range)).toEqual(range);
    }
  });

  it("a single key stays a single key; an explicit end is prefixed", () => {
    expect(prefixRange(ns, resolveRange("k", undefined))).toEqual({ key: toBytes("app/k"), rangeEnd: new Uint8Array(0) });
    expect(prefixRange(ns, resolveRange("a", { end: "m" }))).toEqual({ key: toBytes("app/a"), rangeEnd: toBytes("app/m") });
  });

  it("prefixes comparisons and every op of nested txns, leaving the originals untouched", () => {
    const original = op.txn({
      if: [compare.value("a", "=", "1"), compare.version("jobs/", ">", 0, { prefix: true })],
      then: [op.put("a", "2"), op.txn({ if: [compare.exists("b")], then: [op.delete("c", { fromKey: true })] })],
      else: [op.get("a")],
    });
    const prefixed = prefixOp(ns, original);
    expect(prefixed.compares[0]!.key).toEqual(toBytes("app/a"));
    expect(prefixed.compares[1]!.rangeEnd).toEqual(toBytes("app/jobs0"));
    expect(prefixed.success[0].key).toEqual(toBytes("app/a"));
    const inner = prefixed.success[1];
    expect(inner.compares[0]!.key).toEqual(toBytes("app/b"));
    expect(inner.success[0]!.key).toEqual(toBytes("app/c"));
    expect(inner.success[0]!.rangeEnd).toEqual(toBytes("app0"));
    expect(prefixed.failure[0].key).toEqual(toBytes("app/a"));
    expect(original.success[0].key).toEqual(toBytes("a"));
    expect(Object.isFrozen(prefixed)).toBe(true);
    expect(prefixComparison(ns, compare.missing("z")).key).toEqual(toBytes("app/z"));
  });
});
