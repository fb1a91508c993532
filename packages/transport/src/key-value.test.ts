import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { toBytes } from "./bytes.js";
import { isEtcdError } from "./errors/etcd-error.js";
import { KeyValue } from "./key-value.js";

const withValue = (value: string) =>
  new KeyValue({ key: toBytes("k"), value: toBytes(value), createRevision: 2n, modRevision: 3n, version: 2, lease: 0n });

describe("KeyValue", () => {
  it("decodes text, key text and JSON", () => {
    const item = withValue('{"replicas":3}');
    expect(item.keyText()).toBe("k");
    expect(item.text()).toBe('{"replicas":3}');
    expect(item.json<{ replicas: number }>().replicas).toBe(3);
    expect(Object.isFrozen(item)).toBe(true);
  });

  it("number() reads decimal notation, with surrounding whitespace", () => {
    const cases: Array<[string, number]> = [["42", 42], [" -12 ", -12], ["42.5", 42.5], [".5", 0.5], ["1e3", 1000], ["+7", 7], ["3.", 3]];
    for (const [text, expected] of cases) expect([text, withValue(text).number()]).toEqual([text, expected]);
  });

  it("number() rejects what is not a finite decimal number (hex, binary and octal were read as numbers)", () => {
    for (const text of ["", " ", "0x10", "0b11", "0o7", "Infinity", "-Infinity", "NaN", "1e400", "12abc", "1,5", "--1"]) {
      const error = thrownBy(() => withValue(text).number());
      expect([text, isEtcdError(error, "invalid-argument")]).toEqual([text, true]);
    }
  });
});
