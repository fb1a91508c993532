import * as http2 from "node:http2";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { decodeMessage } from "../grpc/decode-message.js";
import type { Abortable, CallContext } from "../call/call-context.js";
import {
  AttemptFailure,
  errorText,
  httpStatusError,
  messageTooLargeError,
  protocolError,
  statusError,
  unavailableError,
} from "../call/call-errors.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { FRAME_PREFIX_BYTES, FrameReader, type FrameProblem } from "../grpc/grpc-framing.js";
import type { LiveSession } from "./live-session.js";
import { releaseStream } from "./release-stream.js";

/**
 * The successful result of one unary attempt: the decoded message and the raw response
 * headers/trailers (turned into `Headers` only if someone asks).
 *
 * @example
 * ```ts
 * const { message, trailer }: UnaryResult<typeof RangeResponseSchema> = await unaryCall(live, headers, frame, RangeResponseSchema, maxBytes, ctx);
 * ```
 */
export interface UnaryResult<O extends DescMessage> {
  readonly message: MessageShape<O>;
  readonly header: http2.IncomingHttpHeaders;
  readonly trailer: http2.IncomingHttpHeaders | undefined;
  /** The endpoint that answered. */
  readonly url: string;
}

const { NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;

/** Where a stream keeps its UnaryAttempt, so that one set of handler functions serves every call. */
const ATTEMPT = Symbol("etcdkit.unaryAttempt");
type AttemptStream = http2.ClientHttp2Stream & { [ATTEMPT]: UnaryAttempt<DescMessage> };

/**
 * One gRPC unary call on an HTTP/2 session, the transport's hot path: opens a stream, writes the
 * pre-framed request with END_STREAM, collects DATA (frames may be split or packed), reads
 * `grpc-status` from the trailers or from the headers of a trailers-only response, and decodes
 * the single response message. No Connect machinery, no async iterables, no timers, and no
 * closures per call: the stream's event handlers are shared functions that find the call's
 * state on the stream. The deadline and AbortSignal live in `ctx`, which resets the stream.
 *
 * Rejects with an AttemptFailure telling the retry loop whether the request may have been sent:
 * a stream that could not be opened, or that the server refused (REFUSED_STREAM, also used for
 * streams above a GOAWAY's last stream id), never reached etcd.
 *
 * @example
 * ```ts
 * const { message } = await unaryCall(live, headers, encodeFrame(bytes), RangeResponseSchema, maxBytes, ctx);
 * ```
 */
export function unaryCall<O extends DescMessage>(
  live: LiveSession,
  headers: http2.OutgoingHttpHeaders,
  frame: Buffer,
  output: O,
  maxReceiveBytes: number,
  ctx: CallContext,
): Promise<UnaryResult<O>> {
  let stream: AttemptStream;
  try {
    stream = live.request(headers) as AttemptStream;
  } catch (err) {
    // The session was closing or destroyed: nothing was sent.
    const error = unavailableError(`cannot start a call on ${live.url}: ${errorText(err)}`, err);
    live.retire(error);
    return Promise.reject(new AttemptFailure(error, false, false));
  }
  const attempt = new UnaryAttempt(live, stream, output, maxReceiveBytes, ctx);
  stream[ATTEMPT] = attempt as unknown as UnaryAttempt<DescMessage>;
  stream.on("response", onResponse);
  stream.on("data", onData);
  stream.on("trailers", onTrailers);
  stream.on("end", onEnd);
  stream.on("error", onError);
  stream.on("close", onClose);
  ctx.waitingOn = attempt;
  stream.end(frame);
  if (ctx.error !== undefined) attempt.abort();
  return attempt.promise;
}

/** The state of one unary attempt. */
class UnaryAttempt<O extends DescMessage> implements Abortable {
  readonly promise: Promise<UnaryResult<O>>;
  header: http2.IncomingHttpHeaders | undefined = undefined;
  trailer: http2.IncomingHttpHeaders | undefined = undefined;
  status: string | undefined = undefined;
  /** The response's HTTP status. */
  httpStatus: number | undefined = undefined;
  body: Uint8Array | undefined = undefined;
  messages = 0;
  reader: FrameReader | undefined = undefined;
  problem: FrameProblem | undefined = undefined;
  streamError: unknown = undefined;
  settled = false;
  private resolve!: (result: UnaryResult<O>) => void;
  private reject!: (failure: AttemptFailure) => void;

  constructor(
    readonly live: LiveSession,
    readonly stream: http2.ClientHttp2Stream,
    readonly output: O,
    readonly maxReceiveBytes: number,
    readonly ctx: CallContext,
  ) {
    this.promise = new Promise<UnaryResult<O>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /**
   * Ends the attempt now (deadline, abort, transport closed, a bad response frame) and settles it:
   * with ctx.error, or with the frame problem.
   */
  abort(): void {
    releaseStream(this.stream);
    this.finish();
  }

  data(chunk: Buffer): void {
    // Not a gRPC answer (a proxy's 502/503 page): its status says it all, its body is no frame.
    // Data before the response headers is kept: Deno's node:http2 emits "data" before "response".
    if (this.problem !== undefined || (this.httpStatus !== undefined && this.httpStatus !== 200)) return;
    if (this.reader === undefined) {
      // Fast path: exactly one whole message in one chunk.
      const length = chunk.length - FRAME_PREFIX_BYTES;
      if (
        this.messages === 0 &&
        length >= 0 &&
        chunk[0] === 0 &&
        length <= this.maxReceiveBytes &&
        chunk.readUInt32BE(1) === length
      ) {
        this.body = new Uint8Array(chunk.buffer, chunk.byteOffset + FRAME_PREFIX_BYTES, length);
        this.messages = 1;
        return;
      }
      this.reader = new FrameReader(this.maxReceiveBytes);
    }
    const out = this.reader.push(chunk);
    if (!Array.isArray(out)) {
      this.problem = out;
      this.abort();
      return;
    }
    for (const body of out) {
      this.body = body;
      this.messages++;
    }
  }

  finish(): void {
    if (this.settled) return;
    this.settled = true;
    // etcd may answer (or reset the stream) before it read the whole request: the rest of the
    // request can never be sent, and node:http2 would keep the stream open for it.
    if (!this.stream.writableFinished) releaseStream(this.stream);
    const ctx = this.ctx;
    if (ctx.waitingOn === this) ctx.waitingOn = undefined;
    if (this.status === undefined) ctx.expireIfDue(); // a reset at the deadline is the deadline
    if (ctx.error !== undefined) return this.reject(new AttemptFailure(ctx.error, true, false));
    // Below, a response this client cannot use is not an answer from etcd (fromServer false):
    // etcd may well have applied the request.
    if (this.problem !== undefined) {
      const error =
        this.problem.kind === "too-large"
          ? messageTooLargeError("response", this.problem.length, this.problem.limit)
          : protocolError("compressed response frame, but no compression was negotiated");
      return this.reject(new AttemptFailure(error, true, false));
    }
    const status = this.status;
    if (status !== undefined) {
      const meta = this.trailer ?? this.header;
      if (status !== "0") {
        const answer = statusError(status, text(meta, "grpc-message"), meta);
        // An error read after the deadline passed is the deadline (the retry loop reports ctx.error);
        // the attempt still fails with etcd's answer, which says whether a write may have applied.
        ctx.expireIfDue(answer);
        return this.reject(new AttemptFailure(answer, true, true));
      }
      if (this.messages !== 1 || this.body === undefined || this.reader?.hasPartial === true) {
        return this.reject(new AttemptFailure(protocolError(`expected one response message, got ${this.messages}`), true, false));
      }
      let message: MessageShape<O>;
      try {
        message = decodeMessage(this.output, this.body);
      } catch (err) {
        const error = protocolError(`cannot decode ${this.output.typeName}: ${errorText(err)}`, err);
        return this.reject(new AttemptFailure(error, true, false));
      }
      return this.resolve({ message, header: this.header!, trailer: this.trailer, url: this.live.url });
    }
    this.reject(this.transportFailure());
  }

  /**
   * No gRPC status: the server (or a proxy) answered something else, refused the stream, or the
   * connection failed. A refused stream, and a stream above the last-stream-id of a GOAWAY, was
   * never processed (RFC 9113 6.8): not sent, as far as retrying goes.
   */
  private transportFailure(): AttemptFailure {
    const header = this.header;
    const httpStatus = this.httpStatus;
    if (httpStatus !== undefined && httpStatus !== 200) {
      return new AttemptFailure(httpStatusError(httpStatus, header), true, true);
    }
    const url = this.live.url;
    const rstCode = this.stream.rstCode;
    if (rstCode === NGHTTP2_REFUSED_STREAM) {
      return new AttemptFailure(unavailableError(`${url} refused the stream (REFUSED_STREAM)`), false, false);
    }
    const lastProcessed = this.live.goawayLastStreamId;
    const id = this.stream.id;
    if (lastProcessed !== undefined && id !== undefined && id > lastProcessed) {
      const error = unavailableError(`${url} sent GOAWAY before processing the call (last stream ${lastProcessed}, the call's ${id})`);
      return new AttemptFailure(error, false, false);
    }
    const cause = this.streamError;
    let error: EtcdError;
    if (isEtcdError(cause)) {
      error = cause; // e.g. the keepalive's "did not answer a PING", or "transport-closed"
    } else if (cause !== undefined) {
      error = unavailableError(`connection to ${url} lost during the call: ${errorText(cause)}`, cause);
    } else if (header !== undefined && rstCode === NGHTTP2_NO_ERROR) {
      error = unavailableError(`${url} ended the call without a gRPC status`);
    } else {
      error = unavailableError(`connection to ${url} lost during the call (HTTP/2 code ${rstCode ?? "none"})`);
    }
    return new AttemptFailure(error, true, false);
  }
}

function onResponse(this: AttemptStream, headers: http2.IncomingHttpHeaders): void {
  const attempt = this[ATTEMPT];
  attempt.header = headers;
  attempt.httpStatus = Number(headers[":status"]);
  attempt.live.activity = true;
  attempt.live.pingsSinceHeaders = 0; // headersReceived(), inlined on the hot path
  const status = headers["grpc-status"];
  if (status !== undefined) attempt.status = status as string;
}

function onData(this: AttemptStream, chunk: Buffer): void {
  this[ATTEMPT].data(chunk);
}

function onTrailers(this: AttemptStream, trailers: http2.IncomingHttpHeaders): void {
  const attempt = this[ATTEMPT];
  attempt.trailer = trailers;
  const status = trailers["grpc-status"];
  if (status !== undefined) attempt.status = status as string;
}

function onEnd(this: AttemptStream): void {
  const attempt = this[ATTEMPT];
  if (attempt.status !== undefined) attempt.finish();
}

function onError(this: AttemptStream, error: unknown): void {
  this[ATTEMPT].streamError = error;
}

function onClose(this: AttemptStream): void {
  const attempt = this[ATTEMPT];
  attempt.live.streamClosed();
  attempt.finish();
}

function text(h: http2.IncomingHttpHeaders | undefined, name: string): string | undefined {
  const v = h?.[name];
  return v === undefined ? undefined : Array.isArray(v) ? v.join(", ") : String(v);
}
