import { inspect } from "node:util";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KeyValue } from "./key-value.js";
import { bytesToJSON, readableRecord, toJSONValue } from "./readable.js";
import { toResponseHeader } from "./response-header.js";
import { toBytes } from "./bytes.js";

const item = new KeyValue({
  key: toBytes("config"),
  value: toBytes('{"replicas":3}'),
  createRevision: 2n,
  modRevision: 5n,
  version: 3,
  lease: 0x1234n,
});

describe("results serialize and print readably", () => {
  it("JSON.stringify of a KeyValue: bigints as decimal strings, valid UTF-8 bytes as text", () => {
    expect(JSON.parse(JSON.stringify(item))).toEqual({
      key: "config",
      value: '{"replicas":3}',
      createRevision: "2",
      modRevision: "5",
      version: 3,
      lease: String(0x1234),
    });
  });

  it("bytes that are not valid UTF-8 become { base64 }, which cannot be mistaken for text", () => {
    const binary = new KeyValue({ key: new Uint8Array([0xff, 0x00, 0x61]), value: new Uint8Array(0), createRevision: 1n, modRevision: 1n, version: 1, lease: 0n });
    const json = JSON.parse(JSON.stringify(binary)) as { key: unknown; value: unknown };
    expect(json.key).toEqual({ base64: "/wBh" });
    expect(json.value).toBe("");
    expect(bytesToJSON(new Uint8Array([0xc3]))).toEqual({ base64: "ww==" }); // a truncated sequence
    expect(bytesToJSON(toBytes("héllo ✓"))).toBe("héllo ✓");
  });

  it("a response header serializes its IDs and revision as decimal strings", () => {
    const header = toResponseHeader({ clusterId: 2n ** 63n + 5n, memberId: 7n, revision: 42n, raftTerm: 3n } as never);
    expect(JSON.parse(JSON.stringify({ header }))).toEqual({
      header: { clusterId: (2n ** 63n + 5n).toString(), memberId: "7", revision: "42", raftTerm: "3" },
    });
    expect(Object.isFrozen(header)).toBe(true);
    expect(toResponseHeader(header, 50n).revision).toBe(50n);
  });

  it("toJSONValue converts nested plain objects, arrays and errors", () => {
    expect(toJSONValue({ ids: [1n, 2n], nested: { at: 3n, item }, fn: () => 1 })).toEqual({
      ids: ["1", "2"],
      nested: { at: "3", item: item.toJSON() },
      fn: undefined,
    });
    const error = Object.assign(new Error("boom"), { revision: 9n });
    expect(toJSONValue(error)).toEqual({ name: "Error", message: "boom", revision: "9" });
  });

  it("util.inspect shows keys and values as text and keeps bigints", () => {
    const text = inspect(item);
    expect(text).toContain("KeyValue {");
    expect(text).toContain("key: 'config'");
    expect(text).toContain(`value: '{"replicas":3}'`);
    expect(text).toContain("modRevision: 5n");
    expect(inspect({ nested: [item] }, { depth: 4 })).toContain("key: 'config'");
    expect(inspect(toResponseHeader(undefined))).toMatch(/^ResponseHeader \{/);
  });

  it("a plain result made readable prints without a class name and serializes", () => {
    const result = readableRecord({ id: 5n, keys: [toBytes("a"), new Uint8Array([0xff])] });
    expect(JSON.stringify(result)).toBe('{"id":"5","keys":["a",{"base64":"/w=="}]}');
    expect(inspect(result)).toMatch(/^\{ id: 5n, keys: \[ 'a', Uint8Array\(1\) \[ 255 \] \] \}$/);
  });

  it("imports no node: module (the browser and edge bundles include it)", () => {
    const source = readFileSync(new URL("./readable.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/from "node:/);
  });
});
