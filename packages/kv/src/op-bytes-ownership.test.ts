/**
 * Ops own their bytes: every non-empty byte array an op or comparison holds is a Uint8Array over
 * an ArrayBuffer of its own, shared with no other op, no caller's array and no module constant;
 * empty ones are one frozen empty array, which holds no bytes. Each test writes into (or
 * transfers away) one op's bytes and checks another op.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { RangeRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { bytesToText, fromKeyRangeEnd, toBytes } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { compare } from "./compare.js";
import { resolveRange } from "./key-range.js";
import { op } from "./op-builders.js";
import { encodeRange } from "./request-encoding.js";

/** Every byte array of an op or comparison, by field name. */
function arraysOf(value: object): Array<[string, Uint8Array]> {
  return Object.entries(value).filter((entry): entry is [string, Uint8Array] => entry[1] instanceof Uint8Array);
}

/** Overwrites every byte of the ArrayBuffer behind `bytes`, not only the bytes it views. */
function scribbleOverBuffer(bytes: Uint8Array): void {
  new Uint8Array(bytes.buffer).fill(0x5a);
}

/** Transfers the ArrayBuffer behind `bytes` away (as postMessage to a worker does), detaching it. */
function transferAway(bytes: Uint8Array): void {
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
}

const text = (bytes: Uint8Array): string => bytesToText(bytes);

describe("an op's bytes share no memory with another op's", () => {
  it("small byte keys and values of different ops: writing through one op's .buffer changes no other op", () => {
    const first = op.put(Buffer.from("key-1"), new Uint8Array(256).fill(1));
    const second = op.put(Buffer.from("key-2"), new Uint8Array(256).fill(2));
    scribbleOverBuffer(first.value);
    scribbleOverBuffer(first.key);
    expect([text(second.key), second.value.every((b) => b === 2), second.value.length]).toEqual(["key-2", true, 256]);
  });

  it("small byte keys and values of different ops: transferring one op's .buffer leaves the other whole", () => {
    const first = op.put(new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]));
    const second = op.put(new Uint8Array([6, 7, 8]), new Uint8Array([9]));
    transferAway(first.key);
    expect([[...second.key], [...second.value]]).toEqual([[6, 7, 8], [9]]);
  });

  it("a put's key and value are not one buffer: writing through the key's .buffer leaves the value", () => {
    const put = op.put(Buffer.from("k"), Buffer.from("v"));
    scribbleOverBuffer(put.key);
    expect(text(put.value)).toBe("v");
  });

  it("compare.value operands and keys: writing through one comparison's .buffer changes no other", () => {
    const first = compare.value(Buffer.from("a"), "=", Buffer.from("x"));
    const second = compare.value(Buffer.from("b"), "=", Buffer.from("y"));
    scribbleOverBuffer(first.operand as Uint8Array);
    scribbleOverBuffer(first.key);
    expect([text(second.key), text(second.operand as Uint8Array)]).toEqual(["b", "y"]);
  });

  it("a range end of every key from the key on ([0]): writing into one op's changes no other op nor fromKeyRangeEnd", () => {
    const fromKey = op.get("m", { fromKey: true });
    fromKey.rangeEnd[0] = 0x7a;
    const everything = op.get("", { prefix: true });
    const deleteFrom = op.delete("n", { fromKey: true });
    const guard = compare.version("o", ">", 0, { fromKey: true });
    expect([...everything.rangeEnd, ...deleteFrom.rangeEnd, ...guard.rangeEnd, ...fromKeyRangeEnd]).toEqual([0, 0, 0, 0]);
  });

  it("fromKeyRangeEnd itself: writing into the shared export changes no op built afterwards", () => {
    const saved = fromKeyRangeEnd[0]!;
    try {
      fromKeyRangeEnd[0] = 0x7a;
      expect([...op.get("m", { fromKey: true }).rangeEnd, ...op.get("", { prefix: true }).rangeEnd]).toEqual([0, 0]);
    } finally {
      fromKeyRangeEnd[0] = saved;
    }
  });

  it("a range end of every key from the key on: transferring one op's .buffer leaves later ops a [0] end", () => {
    transferAway(op.get("", { fromKey: true }).rangeEnd);
    const later = op.get("m", { fromKey: true });
    expect([...later.rangeEnd]).toEqual([0]);
    // Detached, the end would have been empty: a single-key read of "m" instead of every key >= "m".
    expect(toBinary(RangeRequestSchema, create(RangeRequestSchema, encodeRange(later))).length).toBeGreaterThan(3);
  });

  it("the key of an empty-key range (\\0): writing into one op's changes no other op", () => {
    const all = op.get("", { prefix: true });
    all.key[0] = 0x41;
    const fromStart = op.get("", { fromKey: true });
    const untilM = op.delete("", { end: "m" });
    const guard = compare.version("", ">", 0, { prefix: true });
    expect([...fromStart.key, ...untilM.key, ...guard.key]).toEqual([0, 0, 0]);
  });

  it("a prefix range's end is the op's own (not a view of its key or of another op's end)", () => {
    const first = op.get(Buffer.from("app/"), { prefix: true });
    const second = op.get(Buffer.from("app/"), { prefix: true });
    scribbleOverBuffer(first.rangeEnd);
    expect([text(first.key), text(second.key), text(second.rangeEnd)]).toEqual(["app/", "app/", "app0"]);
  });

  it("resolveRange hands out fresh arrays on every call", () => {
    const first = resolveRange("", { fromKey: true });
    const second = resolveRange("", { fromKey: true });
    first.key[0] = 1;
    first.rangeEnd[0] = 1;
    expect([...second.key, ...second.rangeEnd]).toEqual([0, 0]);
  });

  it("every non-empty byte array of every kind of op owns its whole ArrayBuffer", () => {
    const built = [
      op.put(Buffer.from("k"), Buffer.from("v")),
      op.put("k", { ignoreValue: true }),
      op.put(new Uint8Array(600), "v"),
      op.get(Buffer.from("k")),
      op.get("", { prefix: true }),
      op.get(Buffer.from("a"), { end: Buffer.from("b") }),
      op.get("a", { fromKey: true }),
      op.delete(Buffer.from("k"), { prefix: true }),
      compare.value(Buffer.from("k"), ">", Buffer.from("v")),
      compare.exists(Buffer.from("k")),
      compare.lease("", "=", 0n, { fromKey: true }),
    ];
    for (const item of built) {
      const kind = "type" in item ? item.type : `compare.${item.target}`;
      for (const [field, bytes] of arraysOf(item)) {
        if (bytes.length === 0) continue;
        expect([kind, field, bytes.byteOffset, bytes.buffer.byteLength]).toEqual([kind, field, 0, bytes.length]);
      }
    }
    const buffers = built.flatMap((item) => arraysOf(item).flatMap(([, bytes]) => (bytes.length > 0 ? [bytes.buffer] : [])));
    expect(new Set(buffers).size).toBe(buffers.length);
  });

  it("empty arrays (a single key's range end, a kept value) are frozen and nothing done to one reaches another op", () => {
    const single = op.get("k");
    const keep = op.put("k", { ignoreValue: true });
    for (const empty of [single.rangeEnd, keep.value]) {
      expect([empty.length, Object.isFrozen(empty)]).toEqual([0, true]);
      expect(() => Object.assign(empty, { extra: 1 })).toThrow(TypeError);
    }
    transferAway(single.rangeEnd);
    const later = op.get("k2");
    expect([later.rangeEnd.length, later.rangeEnd.byteLength]).toEqual([0, 0]);
    const request = create(RangeRequestSchema, encodeRange(later));
    expect([text(request.key), request.rangeEnd.length]).toEqual(["k2", 0]);
  });

  it("a string key's bytes are the op's own too", () => {
    const first = op.put("same", "value");
    const second = op.put("same", "value");
    scribbleOverBuffer(first.key);
    scribbleOverBuffer(first.value);
    expect([text(second.key), text(second.value), toBytes("same").length]).toEqual(["same", "value", 4]);
  });
});
