import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesEqual, bytesToText, compareBytes, fromKeyRangeEnd, prefixRangeEnd, toBytes } from "./bytes.js";

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
        expect(toBytes(text)).toEqual(encoder.encode(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("passes byte arrays through without copying", () => {
    const value = bytes(1, 2, 3);
    expect(toBytes(value)).toBe(value);
  });

  it("decodes invalid UTF-8 with replacement characters instead of throwing", () => {
    expect(bytesToText(bytes(0x61, 0xff, 0x62))).toBe("a\uFFFDb");
  });
});

describe("prefixRangeEnd", () => {
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
