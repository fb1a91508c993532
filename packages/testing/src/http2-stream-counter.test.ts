import { describe, expect, it } from "vitest";
import { createHttp2StreamCounter } from "./http2-stream-counter.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

function frame(type: number, streamId: number, payloadLength: number, flags = 0): Buffer {
  const header = Buffer.alloc(9 + payloadLength, 0xab);
  header.writeUIntBE(payloadLength, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return header;
}

const SETTINGS = 0x4;
const HEADERS = 0x1;
const DATA = 0x0;
const CONTINUATION = 0x9;
const WINDOW_UPDATE = 0x8;

/** A client connection: preface, settings, three unary calls (HEADERS + DATA), trailers-like HEADERS reuse. */
const connection = Buffer.concat([
  PREFACE,
  frame(SETTINGS, 0, 12),
  frame(WINDOW_UPDATE, 0, 4),
  frame(HEADERS, 1, 40, 0x4),
  frame(DATA, 1, 5, 0x1),
  frame(HEADERS, 3, 300),
  frame(CONTINUATION, 3, 20, 0x4),
  frame(DATA, 3, 17000, 0x1),
  frame(HEADERS, 3, 10, 0x5), // a second HEADERS on stream 3 (trailers): not a new stream
  frame(HEADERS, 2, 10), // even ids are server-initiated: ignored
  frame(HEADERS, 5, 0, 0x5),
]);

describe("createHttp2StreamCounter", () => {
  it("counts HEADERS frames that open new client streams", () => {
    const counter = createHttp2StreamCounter();
    expect(counter.push(connection)).toBe(3);
    expect(counter.streams).toBe(3);
    expect(counter.http2).toBe(true);
  });

  it("gives the same count however the bytes are split", () => {
    for (const size of [1, 2, 7, 9, 10, 23, 24, 25, 100, 4096]) {
      const counter = createHttp2StreamCounter();
      let total = 0;
      for (let i = 0; i < connection.length; i += size) total += counter.push(connection.subarray(i, i + size));
      expect({ size, total }).toEqual({ size, total: 3 });
    }
  });

  it("splits at random points", () => {
    for (let round = 0; round < 50; round++) {
      const counter = createHttp2StreamCounter();
      let i = 0;
      while (i < connection.length) {
        const n = 1 + Math.floor(Math.random() * 64);
        counter.push(connection.subarray(i, i + n));
        i += n;
      }
      expect(counter.streams).toBe(3);
    }
  });

  it("ignores connections that are not cleartext HTTP/2", () => {
    const counter = createHttp2StreamCounter();
    expect(counter.push(Buffer.from("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))).toBe(0);
    expect(counter.http2).toBe(false);
    expect(counter.push(connection)).toBe(0);
  });
});
