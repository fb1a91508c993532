/**
 * Where ownership keys are (Go's layout, byte for byte) and which user ranges reach into them.
 */
import { op } from "@etcdkit/kv";
import { bytesToText, toBytes } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { isRevokeRequest, OwnershipLayout, REVOKE } from "./ownership-layout.js";

const layout = new OwnershipLayout(toBytes("pfx/"));
const text = (range: { key: Uint8Array; rangeEnd: Uint8Array }): [string, string] => [bytesToText(range.key), bytesToText(range.rangeEnd)];

describe("OwnershipLayout", () => {
  it("puts the ownership key of k at prefix + k and asks owners with the value REVOKE, as Go's leasing does", () => {
    expect(bytesToText(layout.ownershipKey(toBytes("abc")))).toBe("pfx/abc");
    expect(bytesToText(layout.userKey(toBytes("pfx/abc")))).toBe("abc");
    expect(REVOKE).toBe("REVOKE");
    expect(isRevokeRequest(toBytes("REVOKE"))).toBe(true);
    expect(isRevokeRequest(toBytes(""))).toBe(false);
  });

  it("maps user ranges to ownership ranges; a range to the end of the keyspace ends at the end of the prefix (Go: prefix + \\0, an empty range)", () => {
    expect(text(layout.ownershipRange(op.delete("a/", { prefix: true })))).toEqual(["pfx/a/", "pfx/a0"]);
    expect(text(layout.ownershipRange(op.delete("a", { end: "m" })))).toEqual(["pfx/a", "pfx/m"]);
    expect(text(layout.ownershipRange(op.delete("kd", { fromKey: true })))).toEqual(["pfx/kd", "pfx0"]);
    expect(text(layout.ownershipRange(op.delete("", { prefix: true })))).toEqual(["pfx/\0", "pfx0"]);
  });

  it.each([
    ["a single key before the prefix", op.delete("a"), false],
    ["a single key in the prefix", op.delete("pfx/a"), true],
    ["a range ending at the prefix", op.delete("a", { end: "pfx/" }), false],
    ["a range overlapping the prefix", op.delete("a", { end: "pfx0" }), true],
    ["a range starting in the prefix", op.delete("pfx/a", { end: "z" }), true],
    ["a range starting after the prefix", op.delete("pfx0", { end: "z" }), false],
    ["from a key before the prefix", op.delete("b", { fromKey: true }), true],
    ["from a key after the prefix", op.delete("pfx0", { fromKey: true }), false],
    ["the prefix itself", op.delete("pfx/", { prefix: true }), true],
    ["another prefix", op.delete("user/", { prefix: true }), false],
    ["every key", op.delete("", { prefix: true }), true],
  ] as const)("%s: reaches into the ownership prefix: %s", (_name, range, touches) => {
    expect(layout.touchesPrefix(range)).toBe(touches);
  });
});
