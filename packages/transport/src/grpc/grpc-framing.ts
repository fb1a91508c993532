/**
 * gRPC length-prefixed message framing over HTTP/2 DATA frames.
 *
 * Every message is sent as a 5-byte prefix (1 byte flags, 4 bytes big-endian length) followed by
 * the protobuf bytes. HTTP/2 may split a message across DATA frames or pack several into one,
 * so the reader keeps state across chunks. Compression (flag bit 0) is never negotiated by this
 * transport, so a compressed frame is a protocol error.
 */

/**
 * Size of the gRPC message prefix: 1 flag byte + 4 length bytes.
 *
 * @example
 * ```ts
 * const body = chunk.subarray(FRAME_PREFIX_BYTES);
 * ```
 */
export const FRAME_PREFIX_BYTES = 5;

/**
 * Wraps protobuf bytes in a gRPC frame (uncompressed), in one buffer ready for `stream.write`.
 *
 * @example
 * ```ts
 * const frame = encodeFrame(toBinary(RangeRequestSchema, request));
 * stream.end(frame);
 * ```
 */
export function encodeFrame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + body.length);
  out[0] = 0;
  out.writeUInt32BE(body.length, 1);
  out.set(body, FRAME_PREFIX_BYTES);
  return out;
}

/**
 * Why a {@link FrameReader} gave up: the caller turns this into an EtcdError.
 *
 * @example
 * ```ts
 * const problem: FrameProblem = { kind: "too-large", length: 5_000_000, limit: 4_194_304 };
 * ```
 */
export type FrameProblem =
  | { kind: "too-large"; length: number; limit: number }
  | { kind: "compressed" };

/**
 * Incremental reader of gRPC frames from HTTP/2 DATA chunks.
 *
 * `push()` returns the complete message bodies found so far as plain Uint8Array views (into the
 * chunk when a message sits inside one chunk, so the common case copies nothing), or a
 * {@link FrameProblem}.
 *
 * @example
 * ```ts
 * const reader = new FrameReader(4 * 1024 * 1024);
 * stream.on("data", (chunk: Buffer) => {
 *   const out = reader.push(chunk);
 *   if (!Array.isArray(out)) return fail(out);
 *   for (const body of out) handle(fromBinary(RangeResponseSchema, body));
 * });
 * ```
 */
export class FrameReader {
  /** Bytes of an incomplete frame (prefix and/or body) carried over from earlier chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** True when a partial frame is buffered (a stream that ends now ended mid-message). */
  get hasPartial(): boolean {
    return this.pendingBytes > 0;
  }

  /** Feeds one chunk; returns the message bodies it completed (often zero or one). */
  push(chunk: Buffer): Uint8Array[] | FrameProblem {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < FRAME_PREFIX_BYTES) return [];
      const length = this.pendingLength();
      if (length > this.maxMessageBytes) return { kind: "too-large", length, limit: this.maxMessageBytes };
      if (this.pendingBytes < FRAME_PREFIX_BYTES + length) return [];
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const out: Uint8Array[] = [];
    let offset = 0;
    while (offset < buf.length) {
      const left = buf.length - offset;
      if (left < FRAME_PREFIX_BYTES) break;
      const flags = buf[offset]!;
      const length = buf.readUInt32BE(offset + 1);
      if ((flags & 1) !== 0) return { kind: "compressed" };
      if (length > this.maxMessageBytes) return { kind: "too-large", length, limit: this.maxMessageBytes };
      if (left < FRAME_PREFIX_BYTES + length) break;
      const start = offset + FRAME_PREFIX_BYTES;
      out.push(new Uint8Array(buf.buffer, buf.byteOffset + start, length));
      offset = start + length;
    }
    if (offset < buf.length) {
      const rest = buf.subarray(offset);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
    }
    return out;
  }

  /** Reads the length field of the buffered partial frame (needs >= 5 buffered bytes). */
  private pendingLength(): number {
    const first = this.pending[0]!;
    if (first.length >= FRAME_PREFIX_BYTES) return first.readUInt32BE(1);
    const head = Buffer.concat(this.pending, this.pendingBytes).subarray(0, FRAME_PREFIX_BYTES);
    return head.readUInt32BE(1);
  }
}
