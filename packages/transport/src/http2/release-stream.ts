import * as http2 from "node:http2";

const { NGHTTP2_CANCEL } = http2.constants;

/**
 * Resets a stream (RST_STREAM CANCEL) and releases it at once. `close()` alone is not enough:
 * node:http2 destroys a stream only after its request side is flushed, and a request still
 * waiting for flow-control window (a request larger than the window, cut by its deadline) is never
 * flushed once the stream is reset, by either side. The stream would stay open, its call pending
 * and the connection referenced and PINGed, until the connection died: etcd sees no stream on it
 * and answers the PINGs with GOAWAY ENHANCE_YOUR_CALM "too_many_pings", killing every other call
 * on the connection (about 80 s later with the default keepalive). Destroying the stream also
 * drops its unsent bytes; the RST_STREAM still goes out. Idempotent; the stream's 'close' event
 * follows on the next tick.
 *
 * @example
 * ```ts
 * ctx.waitingOn = { abort: () => releaseStream(stream) };
 * ```
 */
export function releaseStream(stream: http2.ClientHttp2Stream): void {
  if (!stream.closed) stream.close(NGHTTP2_CANCEL);
  if (!stream.destroyed) stream.destroy();
}
