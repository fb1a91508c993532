import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame, FrameReader } from "./grpc-framing.js";

const frameOf = (...bytes: number[]): Buffer => encodeFrame(new Uint8Array(bytes));

describe("encodeFrame", () => {
  it("prefixes flags 0 and the big-endian length", () => {
    expect([...encodeFrame(new Uint8Array([7, 8, 9]))]).toEqual([0, 0, 0, 0, 3, 7, 8, 9]);
    expect([...encodeFrame(new Uint8Array(0))]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("FrameReader", () => {
  it("reads one frame in one chunk without copying", () => {
    const chunk = frameOf(1, 2, 3);
    const out = new FrameReader(100).push(chunk) as Uint8Array[];
    expect(out.map((b) => [...b])).toEqual([[1, 2, 3]]);
    expect(out[0]!.buffer).toBe(chunk.buffer);
    expect(Buffer.isBuffer(out[0])).toBe(false);
  });

  it("reads several frames packed into one chunk, including empty messages", () => {
    const chunk = Buffer.concat([frameOf(1), frameOf(), frameOf(2, 3)]);
    const out = new FrameReader(100).push(chunk) as Uint8Array[];
    expect(out.map((b) => [...b])).toEqual([[1], [], [2, 3]]);
  });

  it("reassembles frames split at every possible position", () => {
    const all = Buffer.concat([frameOf(1, 2, 3, 4), frameOf(5, 6)]);
    for (let cut = 1; cut < all.length; cut++) {
      for (let cut2 = cut; cut2 < all.length; cut2++) {
        const reader = new FrameReader(100);
        const got: number[][] = [];
        for (const part of [all.subarray(0, cut), all.subarray(cut, cut2), all.subarray(cut2)]) {
          const out = reader.push(part);
          if (!Array.isArray(out)) throw new Error("unexpected problem");
          got.push(...out.map((b) => [...b]));
        }
        expect(got, `cuts ${cut}/${cut2}`).toEqual([[1, 2, 3, 4], [5, 6]]);
        expect(reader.hasPartial).toBe(false);
      }
    }
  });

  it("reads a large message arriving in many chunks", () => {
    const body = new Uint8Array(100_000).map((_, i) => i % 251);
    const frame = encodeFrame(body);
    const reader = new FrameReader(1_000_000);
    const got: Uint8Array[] = [];
    for (let i = 0; i < frame.length; i += 16_384) {
      const out = reader.push(frame.subarray(i, i + 16_384));
      if (!Array.isArray(out)) throw new Error("unexpected problem");
      got.push(...out);
    }
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(body))).toBe(true);
  });

  it("reports a partial frame", () => {
    const reader = new FrameReader(100);
    reader.push(frameOf(1, 2, 3).subarray(0, 6));
    expect(reader.hasPartial).toBe(true);
  });

  it("rejects a frame over the limit as soon as its length is known", () => {
    const reader = new FrameReader(10);
    expect(reader.push(encodeFrame(new Uint8Array(11)).subarray(0, 5))).toEqual({ kind: "too-large", length: 11, limit: 10 });
    const split = new FrameReader(10);
    expect(split.push(Buffer.from([0, 0]))).toEqual([]);
    expect(split.push(Buffer.from([0, 0, 20]))).toEqual({ kind: "too-large", length: 20, limit: 10 });
  });

  it("rejects compressed frames (no compression is negotiated)", () => {
    const frame = frameOf(1);
    frame[0] = 1;
    expect(new FrameReader(100).push(frame)).toEqual({ kind: "compressed" });
  });

  it("copies each byte of a message split across chunks once, also when its prefix is split", () => {
    // 32 MiB in 16 KiB chunks, the 5-byte prefix split after 2 bytes: re-joining every pending
    // chunk on each push copied ~2,048 × 16 MiB here and blocked the event loop for many seconds.
    const body = new Uint8Array(32 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body[i] = (i >>> 12) & 0xff;
    const frame = encodeFrame(body);
    const reader = new FrameReader(64 * 1024 * 1024);
    const got: Uint8Array[] = [];
    const feed = (part: Buffer) => {
      const out = reader.push(part);
      if (!Array.isArray(out)) throw new Error(`unexpected problem ${out.kind}`);
      got.push(...out);
    };
    feed(frame.subarray(0, 2));
    let mostCopiedMidway = 0;
    for (let i = 2; i < frame.length; i += 16 * 1024) {
      const end = Math.min(i + 16 * 1024, frame.length);
      feed(frame.subarray(i, end));
      if (end < frame.length) mostCopiedMidway = Math.max(mostCopiedMidway, reader.bytesCopied);
    }
    // While the message arrives only the 5 prefix bytes are copied; its body once, at the end.
    expect(mostCopiedMidway).toBeLessThanOrEqual(5);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!.buffer, got[0]!.byteOffset, got[0]!.length).equals(body)).toBe(true);
    expect(reader.bytesCopied).toBeLessThanOrEqual(frame.length);
    expect(reader.hasPartial).toBe(false);
  });

  it("copies nothing for messages that sit inside one chunk", () => {
    const reader = new FrameReader(100);
    const chunk = Buffer.concat([frameOf(1, 2), frameOf(3), frameOf()]);
    const out = reader.push(chunk) as Uint8Array[];
    expect(out.map((b) => [...b])).toEqual([[1, 2], [3], []]);
    expect(out.every((b) => b.buffer === chunk.buffer)).toBe(true);
    expect(reader.bytesCopied).toBe(0);
  });

  it("gives back the same bodies, each byte copied at most once, for any messages in any chunking", () => {
    const messages = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });
    fc.assert(
      fc.property(messages, fc.array(fc.nat(), { maxLength: 40 }), (bodies, cuts) => {
        const stream = Buffer.concat(bodies.map((b) => encodeFrame(b)));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const parts: Buffer[] = [];
        let from = 0;
        for (const at of [...points, stream.length]) {
          parts.push(stream.subarray(from, at));
          from = at;
        }
        const reader = new FrameReader(1000);
        const got: number[][] = [];
        for (const part of parts) {
          const out = reader.push(part);
          if (!Array.isArray(out)) throw new Error(`unexpected problem ${out.kind}`);
          got.push(...out.map((b) => [...b]));
        }
        expect(got).toEqual(bodies.map((b) => [...b]));
        expect(reader.hasPartial).toBe(false);
        expect(reader.bytesCopied).toBeLessThanOrEqual(stream.length);
      }),
      { numRuns: 500 },
    );
  });
});
