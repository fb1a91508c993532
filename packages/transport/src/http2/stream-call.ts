import * as http2 from "node:http2";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { decodeMessage } from "../grpc/decode-message.js";
import type { CallContext } from "../call/call-context.js";
import {
  AttemptFailure,
  canceledError,
  errorText,
  httpStatusError,
  messageTooLargeError,
  protocolError,
  statusError,
  unavailableError,
} from "../call/call-errors.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { FrameReader } from "../grpc/grpc-framing.js";
import { fillHeaders } from "../grpc/headers.js";
import type { LiveSession } from "./live-session.js";
import { releaseStream } from "./release-stream.js";

const { NGHTTP2_REFUSED_STREAM } = http2.constants;

/** Received messages buffered before the stream is paused (HTTP/2 flow control then holds the server back). */
const HIGH_WATER_MESSAGES = 32;

/**
 * A streaming call in progress. `header` and `trailer` are filled in place when the response
 * headers and trailers arrive. `messages` can be iterated once.
 *
 * @example
 * ```ts
 * const call: StreamCall<typeof WatchResponseSchema> = openStreamCall(live, headers, input, encode, WatchResponseSchema, maxBytes, ctx, onEnd);
 * call.header.get("content-type"); // once the response headers arrived
 * ```
 */
export interface StreamCall<O extends DescMessage> {
  readonly header: Headers;
  readonly trailer: Headers;
  readonly messages: AsyncIterable<MessageShape<O>>;
}

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
 * Opens a server-streaming or bidi gRPC call on `live`: input messages are written as the input
 * iterable yields them (respecting HTTP/2 backpressure), the request side is closed when it
 * ends; output messages are decoded lazily as the consumer pulls them, and the HTTP/2 stream is
 * paused while too many wait unread. The call ends with the trailers; a non-OK status, a lost
 * connection, the deadline or the signal make the iteration throw an EtcdError after the
 * messages received before it. Breaking out of the iteration cancels the call. Iterating
 * `messages` twice, or calling `next()` before the previous `next()` settled, fails with EtcdError
 * "invalid-argument".
 *
 * Throws an AttemptFailure (request not sent) when the stream cannot be opened. `onEnd` runs
 * once when the call is over, with the error if it failed.
 *
 * @example
 * ```ts
 * const call = openStreamCall(live, headers, requests, encode, WatchResponseSchema, maxBytes, ctx, onEnd);
 * for await (const response of call.messages) console.log(response.events);
 * ```
 */
export function openStreamCall<I, O extends DescMessage>(
  live: LiveSession,
  headers: http2.OutgoingHttpHeaders,
  input: AsyncIterable<I>,
  encode: FrameEncoder<I>,
  output: O,
  maxReceiveBytes: number,
  ctx: CallContext,
  onEnd: (error: EtcdError | undefined) => void,
): StreamCall<O> {
  let stream: http2.ClientHttp2Stream;
  try {
    stream = live.request(headers);
  } catch (err) {
    const error = unavailableError(`cannot start a call on ${live.url}: ${errorText(err)}`, err);
    live.retire(error);
    throw new AttemptFailure(error, false, false);
  }

  const header = new Headers();
  const trailer = new Headers();
  const reader = new FrameReader(maxReceiveBytes);
  const queue: Uint8Array[] = [];
  let status: string | undefined;
  let statusMessage: string | undefined;
  let httpStatus: number | undefined;
  let streamError: unknown;
  /** An error raised on our side (bad frame, input failure); wins over what the close reports. */
  let localError: EtcdError | undefined;
  let finished = false;
  let finalError: EtcdError | undefined;
  let errorDelivered = false;
  let consumerDone = false;
  let paused = false;
  let waiting: { resolve: (r: IteratorResult<MessageShape<O>>) => void; reject: (e: unknown) => void } | undefined;
  let inputIterator: AsyncIterator<I> | undefined;

  const cancelStream = (error: EtcdError): void => {
    localError ??= error;
    releaseStream(stream);
  };

  ctx.waitingOn = {
    abort: () => releaseStream(stream),
  };

  const decode = (body: Uint8Array): MessageShape<O> => {
    try {
      return decodeMessage(output, body);
    } catch (err) {
      const error = protocolError(`cannot decode ${output.typeName}: ${errorText(err)}`, err);
      cancelStream(error);
      throw error;
    }
  };

  const deliver = (): void => {
    const w = waiting;
    if (w === undefined) return;
    if (queue.length > 0) {
      waiting = undefined;
      try {
        w.resolve({ value: decode(queue.shift()!), done: false });
      } catch (err) {
        w.reject(err);
      }
      resumeIfDrained();
      return;
    }
    if (finished) {
      waiting = undefined;
      if (finalError !== undefined && !errorDelivered) {
        errorDelivered = true;
        w.reject(finalError);
      } else {
        w.resolve({ value: undefined, done: true });
      }
    }
  };

  const resumeIfDrained = (): void => {
    if (paused && queue.length < HIGH_WATER_MESSAGES / 2 && !finished) {
      paused = false;
      stream.resume();
    }
  };

  const finalize = (): void => {
    if (finished) return;
    finished = true;
    ctx.waitingOn = undefined;
    finalError = outcome();
    stopInput();
    onEnd(finalError);
    deliver();
  };

  const outcome = (): EtcdError | undefined => {
    if (consumerDone) return undefined;
    if (localError !== undefined) return localError;
    if (ctx.error !== undefined) return ctx.error;
    if (status !== undefined) {
      if (status !== "0") return statusError(status, statusMessage, undefined);
      if (reader.hasPartial) return protocolError("stream ended inside a message");
      return undefined;
    }
    if (httpStatus !== undefined && httpStatus !== 200) return httpStatusError(httpStatus, undefined);
    if (stream.rstCode === NGHTTP2_REFUSED_STREAM) return unavailableError(`${live.url} refused the stream (REFUSED_STREAM)`);
    if (isEtcdError(streamError)) return streamError;
    return unavailableError(
      `connection to ${live.url} lost during the stream: ${
        streamError === undefined ? `stream closed (HTTP/2 code ${stream.rstCode ?? "none"})` : errorText(streamError)
      }`,
      streamError,
    );
  };

  const readStatus = (h: http2.IncomingHttpHeaders): void => {
    const s = h["grpc-status"];
    if (s === undefined) return;
    status = String(s);
    const m = h["grpc-message"];
    statusMessage = m === undefined ? undefined : String(m);
  };

  stream.on("response", (h: http2.IncomingHttpHeaders) => {
    live.activity = true;
    live.headersReceived();
    httpStatus = Number(h[":status"]);
    fillHeaders(header, h);
    readStatus(h);
  });
  stream.on("data", (chunk: Buffer) => {
    live.activity = true;
    if (localError !== undefined) return;
    const out = reader.push(chunk);
    if (!Array.isArray(out)) {
      cancelStream(
        out.kind === "too-large"
          ? messageTooLargeError("response", out.length, out.limit)
          : protocolError("compressed response frame, but no compression was negotiated"),
      );
      return;
    }
    for (const body of out) queue.push(body);
    if (queue.length >= HIGH_WATER_MESSAGES && !paused) {
      paused = true;
      stream.pause();
    }
    deliver();
  });
  stream.on("trailers", (t: http2.IncomingHttpHeaders) => {
    fillHeaders(trailer, t);
    readStatus(t);
  });
  stream.on("end", () => {
    // The response side is over (trailers, or etcd reset the stream): so is the call. A request
    // side still waiting to be flushed would keep node:http2 from ever closing the stream.
    if (!stream.writableFinished) releaseStream(stream);
  });
  stream.on("error", (err: unknown) => {
    streamError = err;
  });
  stream.on("close", () => {
    live.streamClosed();
    finalize();
  });

  void pumpInput();

  async function pumpInput(): Promise<void> {
    try {
      const it = input[Symbol.asyncIterator]();
      inputIterator = it;
      for (;;) {
        const next = await it.next();
        if (finished) return;
        if (next.done === true) break;
        if (!stream.write(encode(next.value))) await drained();
        if (finished) return;
      }
      if (!stream.closed) stream.end();
    } catch (err) {
      if (!finished) cancelStream(toEtcdError(err));
    }
  }

  /** Tells the input iterable that no more messages will be read (lets a generator clean up). */
  function stopInput(): void {
    try {
      void inputIterator?.return?.()?.catch(() => {});
    } catch {
      // a throwing return() changes nothing for the call
    }
  }

  function drained(): Promise<void> {
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

  const iterator: AsyncIterator<MessageShape<O>> = {
    next() {
      if (waiting !== undefined) {
        return Promise.reject(invalidArgumentError("stream response: next() called before the previous next() settled"));
      }
      return new Promise<IteratorResult<MessageShape<O>>>((resolve, reject) => {
        waiting = { resolve, reject };
        deliver();
      });
    },
    return() {
      consumerDone = true;
      queue.length = 0;
      if (!finished) cancelStream(canceledError("stream closed by its consumer"));
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  let iterated = false;
  const messages: AsyncIterable<MessageShape<O>> = {
    [Symbol.asyncIterator]() {
      if (iterated) throw invalidArgumentError("stream response: the response stream can only be iterated once");
      iterated = true;
      return iterator;
    },
  };
  return { header, trailer, messages };
}
