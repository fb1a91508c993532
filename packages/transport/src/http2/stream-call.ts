import type * as http2 from "node:http2";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { decodeMessage } from "../grpc/decode-message.js";
import type { CallContext } from "../call/call-context.js";
import { AttemptFailure, errorText, messageTooLargeError, protocolError, unavailableError } from "../call/call-errors.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import type { EtcdError } from "../errors/etcd-error.js";
import { FrameReader } from "../grpc/grpc-framing.js";
import { fillHeaders } from "../grpc/headers.js";
import type { LiveSession } from "./live-session.js";
import { releaseStream } from "./release-stream.js";
import { StreamInput, type FrameEncoder } from "./stream-input.js";
import { StreamMessages } from "./stream-messages.js";
import { StreamOutcome } from "./stream-outcome.js";

export type { FrameEncoder } from "./stream-input.js";

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
  return new Http2StreamCall(live, stream, input, encode, output, maxReceiveBytes, ctx, onEnd);
}

/**
 * One streaming call on an HTTP/2 stream: the stream's events feed the outcome (status, errors),
 * the consumer side (`StreamMessages`) and the request side (`StreamInput`); the call is over
 * when the stream closes.
 */
class Http2StreamCall<I, O extends DescMessage> implements StreamCall<O> {
  readonly header = new Headers();
  readonly trailer = new Headers();
  readonly messages: AsyncIterable<MessageShape<O>>;
  /** The stream closed: the call is over (set first thing, so the input stops writing). */
  private finished = false;
  private readonly outcome = new StreamOutcome();
  private readonly reader: FrameReader;
  private readonly consumer: StreamMessages<O>;
  private readonly input: StreamInput<I>;
  private readonly live: LiveSession;
  private readonly stream: http2.ClientHttp2Stream;
  private readonly output: O;
  private readonly ctx: CallContext;
  private readonly onEnd: (error: EtcdError | undefined) => void;

  constructor(
    live: LiveSession,
    stream: http2.ClientHttp2Stream,
    input: AsyncIterable<I>,
    encode: FrameEncoder<I>,
    output: O,
    maxReceiveBytes: number,
    ctx: CallContext,
    onEnd: (error: EtcdError | undefined) => void,
  ) {
    this.live = live;
    this.stream = stream;
    this.output = output;
    this.ctx = ctx;
    this.onEnd = onEnd;
    this.reader = new FrameReader(maxReceiveBytes);
    this.consumer = new StreamMessages<O>({
      decode: (body) => this.decode(body),
      pause: () => stream.pause(),
      resume: () => stream.resume(),
      cancel: (error) => this.cancel(error),
    });
    this.input = new StreamInput(stream, input, encode, () => this.finished, (error) => this.cancel(error));
    this.messages = iterableOnce(this.consumer);
    ctx.waitingOn = { abort: () => releaseStream(stream) };

    stream.on("response", (h: http2.IncomingHttpHeaders) => {
      live.activity = true;
      live.headersReceived();
      this.outcome.httpStatus = Number(h[":status"]);
      fillHeaders(this.header, h);
      this.outcome.readStatus(h);
    });
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("trailers", (t: http2.IncomingHttpHeaders) => {
      fillHeaders(this.trailer, t);
      this.outcome.readStatus(t);
    });
    stream.on("end", () => {
      // The response side is over (trailers, or etcd reset the stream): so is the call. A request
      // side still waiting to be flushed would keep node:http2 from ever closing the stream.
      if (!stream.writableFinished) releaseStream(stream);
    });
    stream.on("error", (err: unknown) => {
      this.outcome.streamError = err;
    });
    stream.on("close", () => {
      live.streamClosed();
      this.finalize();
    });
    this.input.start();
  }

  /** Fails the call with `error` (ours wins over what the close reports) and resets the stream. */
  private cancel(error: EtcdError): void {
    this.outcome.localError ??= error;
    releaseStream(this.stream);
  }

  private onData(chunk: Buffer): void {
    this.live.activity = true;
    if (this.outcome.localError !== undefined) return;
    const out = this.reader.push(chunk);
    if (!Array.isArray(out)) {
      this.cancel(
        out.kind === "too-large"
          ? messageTooLargeError("response", out.length, out.limit)
          : protocolError("compressed response frame, but no compression was negotiated"),
      );
      return;
    }
    this.consumer.received(out);
  }

  private decode(body: Uint8Array): MessageShape<O> {
    try {
      return decodeMessage(this.output, body);
    } catch (err) {
      const error = protocolError(`cannot decode ${this.output.typeName}: ${errorText(err)}`, err);
      this.cancel(error);
      throw error;
    }
  }

  /** The stream closed: settle the outcome, stop the input, tell the transport, then the consumer. */
  private finalize(): void {
    if (this.finished) return;
    this.finished = true;
    this.ctx.waitingOn = undefined;
    const error = this.consumer.consumerDone
      ? undefined
      : this.outcome.error(this.ctx, this.reader.hasPartial, this.stream.rstCode, this.live.url);
    this.input.stop();
    this.onEnd(error);
    this.consumer.finish(error);
  }
}

/** An async iterable over `iterator` that can be iterated once; a second iteration is invalid-argument. */
function iterableOnce<T>(iterator: AsyncIterator<T>): AsyncIterable<T> {
  let iterated = false;
  return {
    [Symbol.asyncIterator]() {
      if (iterated) throw invalidArgumentError("stream response: the response stream can only be iterated once");
      iterated = true;
      return iterator;
    },
  };
}
