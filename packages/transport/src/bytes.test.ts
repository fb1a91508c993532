import fc from "fast-check";
import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { isEtcdError } from "./errors/etcd-error.js";
import { runInNewContext } from "node:vm";
import { bytesEqual, bytesToText, compareBytes, fromKeyRangeEnd, isBytes, prefixRangeEnd, toBytes, toOwnedBytes } from "./bytes.js";

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe("toBytes / bytesToText", () => {
  it("round-trips UTF-8 text, including multi-byte characters", () => {
    for (const text of ["", "sample_key", "héllo", "日本語", "emoji 🚀", "nul\u0000inside"]) {
      expect(bytesToText(toBytes(text))).toBe(text);
    }
    expect(toBytes("é")).toEqual(bytes(0xc3, 0xa9));
  });

  it("encodes any string, short or long, ASCII or not, exactly as TextEncoder does", () => {
    const encoder = new TextEncoder();
    const texts = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: "grapheme", maxLength: 80 }),
      fc.string({ unit: "binary", maxLength: 80 }), // includes lone surrogates
      fc.string({ minLength: 60, maxLength: 70 }).map((ascii) => `${ascii}é`),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const wellFormed = !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
        if (wellFormed) expect(toBytes(text)).toEqual(encoder.encode(text));
        else expect(isEtcdError(thrownBy(() => toBytes(text)), "invalid-argument")).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects a lone surrogate instead of writing U+FFFD (which made different strings one key)", () => {
    for (const text of ["\uD800", "\uDC00", "a\uD800b", `${"x".repeat(100)}\uDBFF`, "\uDC00\uD800"]) {
      const error = thrownBy(() => toBytes(text));
      expect(isEtcdError(error, "invalid-argument")).toBe(true);
      expect((error as Error).message).toContain("lone surrogate");
    }
    expect(toBytes("\uD83D\uDE80")).toEqual(bytes(0xf0, 0x9f, 0x9a, 0x80)); // a pair is fine
  });

  it("takes a Uint8Array of another realm (a vm context or test environment), and says what else it got", () => {
    const foreign = runInNewContext("new Uint8Array([1, 2, 3]).subarray(1)") as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(isBytes(foreign)).toBe(true);
    const local = toBytes(foreign);
    expect(local instanceof Uint8Array).toBe(true);
    expect([...local]).toEqual([2, 3]);
    expect(isBytes(new Uint16Array(1))).toBe(false);
    expect((thrownBy(() => toBytes(new Uint16Array(1) as never)) as Error).message).toContain("got object (Uint16Array)");
  });

  it("passes byte arrays through without copying", () => {
    const value = bytes(1, 2, 3);
    expect(toBytes(value)).toBe(value);
  });

  it("decodes invalid UTF-8 with replacement characters instead of throwing", () => {
    expect(bytesToText(bytes(0x61, 0xff, 0x62))).toBe("a\uFFFDb");
  });
});

describe("toOwnedBytes", () => {
  it("copies byte arrays (a Buffer into a plain Uint8Array) and encodes strings", () => {
    const buffer = Buffer.from("job-1");
    const owned = toOwnedBytes(buffer);
    buffer.write("job-2");
    expect(bytesToText(owned)).toBe("job-1");
    expect(Buffer.isBuffer(owned)).toBe(false);
    const view = new Uint8Array([9, 1, 2, 9]).subarray(1, 3);
    expect(toOwnedBytes(view)).toEqual(bytes(1, 2));
    const first = toOwnedBytes(view);
    const second = toOwnedBytes(view);
    first[0] = 99;
    expect([second[0], view[0]]).toEqual([1, 1]); // copies share no bytes with each other or the source
    const large = new Uint8Array(5000).fill(3);
    const largeCopy = toOwnedBytes(large);
    large[4999] = 4;
    expect([largeCopy.length, largeCopy[4999]]).toEqual([5000, 3]);
    expect(toOwnedBytes("é")).toEqual(bytes(0xc3, 0xa9));
  });

  it("gives every copy an ArrayBuffer of its own: writing through or transferring one copy's .buffer leaves the others", () => {
    const copies = [1, 2, 3].map((n) => toOwnedBytes(new Uint8Array(16).fill(n)));
    for (const copy of copies) expect([copy.byteOffset, copy.buffer.byteLength]).toEqual([0, 16]);
    new Uint8Array(copies[0]!.buffer).fill(0xee);
    structuredClone(copies[1]!.buffer, { transfer: [copies[1]!.buffer] });
    expect([copies[1]!.length, [...copies[2]!]]).toEqual([0, new Array(16).fill(3)]);
    const empty = [toOwnedBytes(new Uint8Array(0)), toOwnedBytes(""), toOwnedBytes(Buffer.alloc(0))];
    expect(new Set(empty.map((e) => e.buffer)).size).toBe(3);
  });

  it("copies a view of a detached buffer as empty, without a TypeError", () => {
    const value = new Uint8Array([1, 2]);
    structuredClone(value.buffer, { transfer: [value.buffer] });
    expect(toOwnedBytes(value)).toEqual(new Uint8Array(0));
  });

  it("rejects anything but text and bytes with invalid-argument", () => {
    for (const bad of [5, null, new Uint16Array(2), new ArrayBuffer(2)]) {
      expect(isEtcdError(thrownBy(() => toOwnedBytes(bad as never)), "invalid-argument")).toBe(true);
    }
  });
});

describe("prefixRangeEnd", () => {
  it("leaves a Buffer prefix as it was and returns a plain copy (Buffer's slice is a view)", () => {
    const prefix = Buffer.from("abc");
    const end = prefixRangeEnd(prefix);
    expect(prefix.toString()).toBe("abc");
    expect(bytesToText(end)).toBe("abd");
    expect(Buffer.isBuffer(end)).toBe(false);
  });

  it.each([
    ["abc", toBytes("abc"), toBytes("abd")],
    ["a\\xff", bytes(0x61, 0xff), toBytes("b")],
    ["a\\xff\\xff", bytes(0x61, 0xff, 0xff), toBytes("b")],
    ["\\x00", bytes(0x00), bytes(0x01)],
    ["\\xfe", bytes(0xfe), bytes(0xff)],
    ["[0xff, 0xff] (all 0xff)", bytes(0xff, 0xff), bytes(0)],
    ["[] (empty)", bytes(), bytes(0)],
  ])("%s", (_name, prefix, expected) => {
    expect(prefixRangeEnd(prefix)).toEqual(expected);
  });

  it("does not modify its argument and returns a fresh array", () => {
    const prefix = bytes(0x61, 0xff);
    const end = prefixRangeEnd(prefix);
    expect(prefix).toEqual(bytes(0x61, 0xff));
    expect(end).not.toBe(fromKeyRangeEnd);
    expect(prefixRangeEnd(bytes())).not.toBe(fromKeyRangeEnd);
  });

  it("bounds exactly the keys that start with the prefix", () => {
    const prefix = toBytes("key");
    const end = prefixRangeEnd(prefix);
    const inRange = (key: Uint8Array) => compareBytes(key, prefix) >= 0 && compareBytes(key, end) < 0;
    expect(inRange(toBytes("key"))).toBe(true);
    expect(inRange(toBytes("key/\u00ff"))).toBe(true);
    expect(inRange(bytes(0x6b, 0x65, 0x79, 0xff, 0xff))).toBe(true);
    expect(inRange(toBytes("kez"))).toBe(false);
    expect(inRange(toBytes("ke"))).toBe(false);
  });
});

describe("fromKeyRangeEnd", () => {
  it("is [0]", () => {
    expect(fromKeyRangeEnd).toEqual(bytes(0));
  });
});

describe("bytesEqual", () => {
  it("compares contents", () => {
    expect(bytesEqual(toBytes("abc"), bytes(0x61, 0x62, 0x63))).toBe(true);
    expect(bytesEqual(bytes(), bytes())).toBe(true);
    expect(bytesEqual(toBytes("abc"), toBytes("abd"))).toBe(false);
    expect(bytesEqual(toBytes("ab"), toBytes("abc"))).toBe(false);
  });
});

describe("compareBytes", () => {
  it("orders as etcd orders keys: unsigned bytes, prefix first", () => {
    expect(compareBytes(toBytes("a"), toBytes("b"))).toBeLessThan(0);
    expect(compareBytes(toBytes("b"), toBytes("a"))).toBeGreaterThan(0);
    expect(compareBytes(toBytes("a"), toBytes("ab"))).toBeLessThan(0);
    expect(compareBytes(toBytes("ab"), toBytes("a"))).toBeGreaterThan(0);
    expect(compareBytes(toBytes("abc"), toBytes("abc"))).toBe(0);
    expect(compareBytes(bytes(), bytes())).toBe(0);
    expect(compareBytes(bytes(0x7f), bytes(0x80))).toBeLessThan(0); // unsigned, not signed
    expect(compareBytes(bytes(0x00), bytes(0xff))).toBeLessThan(0);
  });

  it("sorts like etcd's key order", () => {
    const keys = ["b", "a/", "a", "\u00e9", "a0", ""].map(toBytes);
    const sorted = [...keys].sort(compareBytes).map(bytesToText);
    expect(sorted).toEqual(["", "a", "a/", "a0", "b", "\u00e9"]);
  });
});
