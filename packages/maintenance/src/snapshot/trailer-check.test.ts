import * as crypto from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTrailerCheck } from "./trailer-check.js";

/** A stream as etcd sends it: the data, then sha256(data), split into arbitrary chunks. */
function withTrailer(data: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([data, crypto.createHash("sha256").update(data).digest()]));
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe("createTrailerCheck", () => {
  it("matches a stream with etcd's trailer however it is chunked", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), (data, cuts) => {
        const check = createTrailerCheck(crypto);
        for (const chunk of split(withTrailer(data), cuts)) check.update(chunk);
        expect(check.matches()).toBe(true);
      }),
    );
  });

  it("does not match a truncated or altered stream", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), (data, n) => {
        const full = withTrailer(data);
        const truncated = createTrailerCheck(crypto);
        truncated.update(full.subarray(0, n % full.length));
        expect(truncated.matches()).toBe(false);

        const altered = full.slice();
        altered[n % altered.length]! ^= 0x01;
        const check = createTrailerCheck(crypto);
        check.update(altered);
        expect(check.matches()).toBe(false);
      }),
    );
  });
});
