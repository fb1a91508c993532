import type * as http2 from "node:http2";
import type { EtcdError } from "../errors/etcd-error.js";
import { toEtcdError } from "../errors/to-etcd-error.js";

/**
 * How to turn one input message into a gRPC frame (encoding and size check happen in the caller).
 *
 * @example
 * ```ts
 * const encode: FrameEncoder<WatchRequest> = (m) => encodeRequest(WatchRequestSchema, m, 2 * 1024 * 1024);
 * ```
 */
export type FrameEncoder<I> = (message: I) => Buffer;

/**
 * The request side of a streaming call: writes the input iterable's messages to the HTTP/2
 * stream as it yields them, waiting for 'drain' when the stream's buffer is full, and ends the
 * request side when the input ends. An input (or encoding) that throws fails the call through
 * `fail`. `stop()` tells the input that no more messages will be read (lets a generator clean up).
 *
 * @example
 * ```ts
 * const input = new StreamInput(stream, requests, encode, () => finished, (error) => cancel(error));
 * input.start();
 * // when the call is over:
 * input.stop();
 * ```
 */
export class StreamInput<I> {
  private iterator: AsyncIterator<I> | undefined = undefined;
  private readonly stream: http2.ClientHttp2Stream;
  private readonly input: AsyncIterable<I>;
  private readonly encode: FrameEncoder<I>;
  private readonly over: () => boolean;
  private readonly fail: (error: EtcdError) => void;

  constructor(stream: http2.ClientHttp2Stream, input: AsyncIterable<I>, encode: FrameEncoder<I>, over: () => boolean, fail: (error: EtcdError) => void) {
    this.stream = stream;
    this.input = input;
    this.encode = encode;
    this.over = over;
    this.fail = fail;
  }

  /** Starts writing (in the background). */
  start(): void {
    void this.pump();
  }

  /** No more messages will be read: calls the input iterator's `return()` (errors ignored). */
  stop(): void {
    try {
      void this.iterator?.return?.()?.catch(() => {});
    } catch {
      // a throwing return() changes nothing for the call
    }
  }

  private async pump(): Promise<void> {
    const stream = this.stream;
    try {
      const it = this.input[Symbol.asyncIterator]();
      this.iterator = it;
      for (;;) {
        const next = await it.next();
        if (this.over()) return;
        if (next.done === true) break;
        if (!stream.write(this.encode(next.value))) await drained(stream);
        if (this.over()) return;
      }
      if (!stream.closed) stream.end();
    } catch (err) {
      if (!this.over()) this.fail(toEtcdError(err));
    }
  }
}

/** Resolves when the stream can take more data again, or has closed. */
function drained(stream: http2.ClientHttp2Stream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}
