import { Permission_Type } from "@etcdkit/api/authpb/auth_pb";
import { toBytes } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { keyRangeBytes, permissionTypeOf, toPermission, type KeyRange } from "./permission.js";

const text = (b: Uint8Array) => [...b];

describe("keyRangeBytes (as etcdctl role grant-permission)", () => {
  it.each<[string, KeyRange, number[], number[]]>([
    ["one key", { key: "k" }, [...toBytes("k")], []],
    ["a range", { key: "foo", rangeEnd: "zoo" }, [...toBytes("foo")], [...toBytes("zoo")]],
    ["a prefix", { prefix: "app/" }, [...toBytes("app/")], [...toBytes("app0")]],
    ["a prefix ending in 0xff", { prefix: new Uint8Array([0x61, 0xff]) }, [0x61, 0xff], [0x62]],
    ["from a key", { fromKey: "m" }, [...toBytes("m")], [0]],
    ["the whole key space (empty prefix)", { prefix: "" }, [0], [0]],
    ["the whole key space (empty fromKey)", { fromKey: "" }, [0], [0]],
  ])("%s", (_name, range, key, rangeEnd) => {
    const bytes = keyRangeBytes(range);
    expect(text(bytes.key)).toEqual(key);
    expect(text(bytes.rangeEnd)).toEqual(rangeEnd);
  });

  it("rejects an empty single key (empty-key) and mixed shapes (invalid-argument)", () => {
    expect(() => keyRangeBytes({ key: "" })).toThrow(expect.objectContaining({ reason: "empty-key" }));
    expect(() => keyRangeBytes({ key: "a", prefix: "b" } as never)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    expect(() => keyRangeBytes({} as never)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    expect(() => keyRangeBytes({ key: 5 } as never)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
  });

  it("does not alias the shared fromKey range end", () => {
    const a = keyRangeBytes({ fromKey: "x" });
    a.rangeEnd[0] = 9;
    expect(text(keyRangeBytes({ fromKey: "y" }).rangeEnd)).toEqual([0]);
  });
});

describe("permission types", () => {
  it("map both ways", () => {
    expect(permissionTypeOf("read")).toBe(Permission_Type.READ);
    expect(permissionTypeOf("write")).toBe(Permission_Type.WRITE);
    expect(permissionTypeOf("readwrite")).toBe(Permission_Type.READWRITE);
    expect(toPermission({ permType: Permission_Type.READWRITE, key: toBytes("a"), rangeEnd: toBytes("b") } as never).type).toBe(
      "readwrite",
    );
    expect(() => permissionTypeOf("toString" as never)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
  });
});
