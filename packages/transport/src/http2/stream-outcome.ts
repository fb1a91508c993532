import * as http2 from "node:http2";
import type { CallContext } from "../call/call-context.js";
import { errorText, httpStatusError, protocolError, statusError, unavailableError } from "../call/call-errors.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";

const { NGHTTP2_REFUSED_STREAM } = http2.constants;

/**
 * What is known about how a streaming call ends, gathered while it runs: the gRPC status and
 * message (from the response headers or the trailers), the HTTP status, the stream's own error,
 * and an error raised on our side (a bad frame, a failed input). `error()` turns it into the
 * call's final error once the HTTP/2 stream has closed.
 *
 * @example
 * ```ts
 * const outcome = new StreamOutcome();
 * stream.on("trailers", (t) => outcome.readStatus(t));
 * stream.on("close", () => finish(outcome.error(ctx, reader.hasPartial, stream.rstCode, live.url)));
 * ```
 */
export class StreamOutcome {
  /** The gRPC status code ("0": OK), once a header or trailer carried it. */
  status: string | undefined = undefined;
  /** The gRPC status message. */
  statusMessage: string | undefined = undefined;
  /** The HTTP status of the response headers. */
  httpStatus: number | undefined = undefined;
  /** What the HTTP/2 stream's 'error' event reported. */
  streamError: unknown = undefined;
  /** An error raised on our side; the first one wins over anything the stream reports. */
  localError: EtcdError | undefined = undefined;

  /** Reads `grpc-status` and `grpc-message` from response headers or trailers. */
  readStatus(headers: http2.IncomingHttpHeaders): void {
    const status = headers["grpc-status"];
    if (status === undefined) return;
    this.status = String(status);
    const message = headers["grpc-message"];
    this.statusMessage = message === undefined ? undefined : String(message);
  }

  /**
   * The call's final error, or undefined when it ended with status OK. In order: our own error,
   * the call's (deadline, also one that passed before its timer could run; signal, transport
   * closed), a non-OK gRPC status, a message cut short, a non-200 HTTP status, a refused stream,
   * the stream's error, else a lost connection.
   */
  error(ctx: CallContext, partialMessage: boolean, rstCode: number | undefined, url: string): EtcdError | undefined {
    if (this.localError !== undefined) return this.localError;
    const answer = this.status !== undefined && this.status !== "0" ? statusError(this.status, this.statusMessage, undefined) : undefined;
    if (this.status !== "0") ctx.expireIfDue(answer); // as for unary calls: a failure read after the deadline is the deadline
    if (ctx.error !== undefined) return ctx.error;
    if (this.status !== undefined) {
      if (answer !== undefined) return answer;
      if (partialMessage) return protocolError("stream ended inside a message");
      return undefined;
    }
    if (this.httpStatus !== undefined && this.httpStatus !== 200) return httpStatusError(this.httpStatus, undefined);
    if (rstCode === NGHTTP2_REFUSED_STREAM) return unavailableError(`${url} refused the stream (REFUSED_STREAM)`);
    if (isEtcdError(this.streamError)) return this.streamError;
    return unavailableError(
      `connection to ${url} lost during the stream: ${
        this.streamError === undefined ? `stream closed (HTTP/2 code ${rstCode ?? "none"})` : errorText(this.streamError)
      }`,
      this.streamError,
    );
  }
}
