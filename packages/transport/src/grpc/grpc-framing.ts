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
 * Incremental reader of gRPC frames from HTTP/2 DATA chunks, in time and copies linear in the
 * bytes received however the chunks cut the frames.
 *
 * `push()` returns the complete message bodies found so far as plain Uint8Array views, or a
 * {@link FrameProblem}. A message inside one chunk is a view into that chunk (no copy); a message
 * whose body spans chunks is copied once, into an array of its own, when its last byte arrives.
 * A prefix split across chunks is gathered in a 5-byte scratch buffer. `bytesCopied` counts what
 * was copied.
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
  /** The prefix of the current frame while it is incomplete (`prefixFilled` < 5 bytes of it). */
  private readonly prefix = new Uint8Array(FRAME_PREFIX_BYTES);
  private prefixFilled = 0;
  /** Body length of the current frame once its prefix is known; -1: no body being gathered. */
  private bodyLength = -1;
  /** Parts of the current body (views into the chunks they came in) and their total length. */
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  private copied = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** True when a partial frame is buffered (a stream that ends now ended mid-message). */
  get hasPartial(): boolean {
    return this.prefixFilled > 0 || this.bodyLength >= 0;
  }

  /** Bytes copied so far: split prefixes and bodies that spanned chunks (each byte at most once). */
  get bytesCopied(): number {
    return this.copied;
  }

  /** Feeds one chunk; returns the message bodies it completed (often zero or one). */
  push(chunk: Uint8Array): Uint8Array[] | FrameProblem {
    const out: Uint8Array[] = [];
    let offset = 0;
    if (this.hasPartial) {
      const used = this.continueFrame(chunk, out);
      if (typeof used !== "number") return used;
      offset = used;
    }
    const length = chunk.length;
    while (offset < length) {
      const left = length - offset;
      if (left < FRAME_PREFIX_BYTES) {
        this.prefix.set(chunk.subarray(offset), 0);
        this.prefixFilled = left;
        this.copied += left;
        return out;
      }
      const bodyLength = readLength(chunk, offset + 1);
      const problem = this.checkPrefix(chunk[offset]!, bodyLength);
      if (problem !== undefined) return problem;
      const start = offset + FRAME_PREFIX_BYTES;
      if (left < FRAME_PREFIX_BYTES + bodyLength) {
        this.bodyLength = bodyLength;
        this.addPart(chunk.subarray(start));
        return out;
      }
      out.push(new Uint8Array(chunk.buffer, chunk.byteOffset + start, bodyLength));
      offset = start + bodyLength;
    }
    return out;
  }

  /**
   * Continues the partial frame with the start of `chunk`; pushes the body to `out` when it
   * completes. Returns how many bytes of `chunk` it used, or the problem with the prefix.
   */
  private continueFrame(chunk: Uint8Array, out: Uint8Array[]): number | FrameProblem {
    let offset = 0;
    if (this.bodyLength < 0) {
      const take = Math.min(FRAME_PREFIX_BYTES - this.prefixFilled, chunk.length);
      this.prefix.set(chunk.subarray(0, take), this.prefixFilled);
      this.prefixFilled += take;
      this.copied += take;
      offset = take;
      if (this.prefixFilled < FRAME_PREFIX_BYTES) return offset;
      const bodyLength = readLength(this.prefix, 1);
      const problem = this.checkPrefix(this.prefix[0]!, bodyLength);
      if (problem !== undefined) return problem;
      this.prefixFilled = 0;
      this.bodyLength = bodyLength;
    }
    const take = Math.min(this.bodyLength - this.partsBytes, chunk.length - offset);
    this.addPart(chunk.subarray(offset, offset + take));
    offset += take;
    if (this.partsBytes === this.bodyLength) out.push(this.takeBody());
    return offset;
  }

  private checkPrefix(flags: number, bodyLength: number): FrameProblem | undefined {
    if ((flags & 1) !== 0) return { kind: "compressed" };
    if (bodyLength > this.maxMessageBytes) return { kind: "too-large", length: bodyLength, limit: this.maxMessageBytes };
    return undefined;
  }

  private addPart(part: Uint8Array): void {
    if (part.length === 0) return;
    this.parts.push(part);
    this.partsBytes += part.length;
  }

  /** The gathered body (a view when it came in one part, else one copy) and a reset. */
  private takeBody(): Uint8Array {
    const { parts, bodyLength } = this;
    let body: Uint8Array;
    if (parts.length === 1) {
      const only = parts[0]!;
      body = new Uint8Array(only.buffer, only.byteOffset, only.length);
    } else {
      body = new Uint8Array(bodyLength);
      let at = 0;
      for (const part of parts) {
        body.set(part, at);
        at += part.length;
      }
      this.copied += bodyLength;
    }
    this.parts = [];
    this.partsBytes = 0;
    this.bodyLength = -1;
    return body;
  }
}

/** The big-endian uint32 at `at` (a gRPC frame's length field). */
function readLength(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
