const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const FRAME_HEADER_LENGTH = 9;
const FRAME_TYPE_HEADERS = 0x1;

/**
 * Incremental parser of the client->server half of an HTTP/2 connection.
 *
 * @example
 * ```ts
 * const counter: Http2StreamCounter = createHttp2StreamCounter();
 * counter.push(chunk);
 * console.log(counter.streams, counter.http2);
 * ```
 */
export interface Http2StreamCounter {
  /** Feeds the next client->server chunk; returns how many new streams it opened. */
  push(chunk: Uint8Array): number;
  /** Streams opened so far on this connection. */
  readonly streams: number;
  /** False once the bytes turned out not to be cleartext HTTP/2 (e.g. HTTP/1.1 or TLS). */
  readonly http2: boolean;
}

/**
 * Counts HTTP/2 streams opened by a client, from raw client->server bytes that may be split
 * anywhere: after the 24-byte connection preface it reads 9-byte frame headers
 * (length:24, type:8, flags:8, R:1, streamId:31) and counts HEADERS frames on odd stream ids
 * above any seen before (stream ids only grow, so trailers and CONTINUATIONs are not counted).
 *
 * @example
 * ```ts
 * const counter = createHttp2StreamCounter();
 * socket.on("data", (chunk) => { total += counter.push(chunk); });
 * ```
 */
export function createHttp2StreamCounter(): Http2StreamCounter {
  let prefaceMatched = 0;
  let http2 = true;
  const header = Buffer.alloc(FRAME_HEADER_LENGTH);
  let headerFilled = 0;
  let skip = 0;
  let maxStreamId = 0;
  let streams = 0;

  return {
    get streams() {
      return streams;
    },
    get http2() {
      return http2;
    },
    push(chunk) {
      if (!http2) return 0;
      let opened = 0;
      let i = 0;
      while (i < chunk.length) {
        if (prefaceMatched < PREFACE.length) {
          if (chunk[i] !== PREFACE[prefaceMatched]) {
            http2 = false;
            return opened;
          }
          prefaceMatched++;
          i++;
          continue;
        }
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
          continue;
        }
        const n = Math.min(FRAME_HEADER_LENGTH - headerFilled, chunk.length - i);
        header.set(chunk.subarray(i, i + n), headerFilled);
        headerFilled += n;
        i += n;
        if (headerFilled < FRAME_HEADER_LENGTH) continue;
        headerFilled = 0;
        skip = header.readUIntBE(0, 3);
        const type = header[3];
        const streamId = header.readUInt32BE(5) & 0x7fffffff;
        if (type === FRAME_TYPE_HEADERS && streamId % 2 === 1 && streamId > maxStreamId) {
          maxStreamId = streamId;
          streams++;
          opened++;
        }
      }
      return opened;
    },
  };
}
