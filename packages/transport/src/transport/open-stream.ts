import type { DescMessage, DescMethodStreaming, MessageInitShape } from "@bufbuild/protobuf";
import type { StreamResponse } from "@connectrpc/connect";
import { isStaleTokenError } from "../auth/token-source.js";
import { CallContext, untilCanceled } from "../call/call-context.js";
import { monotonicNow } from "../clock.js";
import { AttemptFailure } from "../call/call-errors.js";
import { encodeRequest } from "../call/encode-request.js";
import { methodInfo } from "../call/method-info.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { callerHeaders, requestHeaders } from "../grpc/headers.js";
import { openStreamCall } from "../http2/stream-call.js";
import type { CallEnv } from "../retry/call-with-retry.js";
import type { ResolvedOptions } from "./transport-options.js";
import type { CallReport } from "../observe/call-report.js";

/** Attempts to open a stream when the chosen session turns out to be closing (nothing was sent). */
const MAX_OPEN_ATTEMPTS = 3;

/**
 * Opens a streaming call (server-streaming or bidi: Watch, LeaseKeepAlive, Snapshot...) for
 * `Transport.stream()`. Streams are not retried once open; the watch and lease packages re-open
 * them. Before opening, the stream gets the current auth token (authenticating if needed) and
 * a healthy endpoint (waiting up to the dial timeout). If the stream fails because the token
 * went stale, the token is dropped so that the re-opened stream authenticates again (unless
 * another member issued it a moment ago and this one may not have applied it yet).
 *
 * Resolves as soon as the HTTP/2 stream is open, without waiting for response headers (etcd
 * sends them with the first response message, which for a bidi stream may only come after the
 * caller's first request); `header` and `trailer` fill in as they arrive.
 *
 * For an observer of the stream: `report` receives its endpoint and opening attempts, and `onEnd`
 * runs once it is over (after it opened; a stream that fails to open rejects instead).
 *
 * @example
 * ```ts
 * const response = await openStream(env, calls, options, Watch.method.watch, signal, undefined, undefined, requests);
 * for await (const message of response.message) handle(message);
 * ```
 */
export async function openStream<I extends DescMessage, O extends DescMessage>(
  env: CallEnv,
  calls: Set<CallContext>,
  options: ResolvedOptions,
  method: DescMethodStreaming<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: AsyncIterable<MessageInitShape<I>>,
  report?: CallReport,
  onEnd?: () => void,
): Promise<StreamResponse<I, O>> {
  const info = methodInfo(method);
  let extra: Array<[string, string]> | undefined;
  try {
    extra = callerHeaders(header);
  } catch (err) {
    throw toEtcdError(err);
  }
  const ctx = new CallContext(calls, signal, timeoutMs);
  const encode = (message: MessageInitShape<I>): Buffer => encodeRequest(method.input, message, options.maxSendMessageBytes);
  try {
    for (let attempt = 1; ; attempt++) {
      if (ctx.error !== undefined) throw ctx.error; // over before an attempt: no token request, no dial
      const token = env.tokens === undefined ? undefined : await untilCanceled(ctx, env.tokens.token());
      const live = env.pool.pick() ?? (await env.pool.acquire(ctx, Math.min(ctx.deadline, monotonicNow() + env.dialTimeoutMs)));
      if (ctx.error !== undefined) throw ctx.error;
      if (report !== undefined) {
        report.attempts = attempt;
        report.endpoint = live.url;
      }
      const remaining = ctx.deadline === Infinity ? undefined : ctx.deadline - monotonicNow();
      const headers = requestHeaders(info.path, remaining, token || undefined, env.requireLeader, extra);
      try {
        const call = openStreamCall(live, headers, input, encode, method.output, env.maxReceiveMessageBytes, ctx, (error) => {
          ctx.dispose();
          // A fresh token that this member may not have applied yet is kept (see mayBeUnapplied).
          if (token !== undefined && error !== undefined && isStaleTokenError(error) && !env.tokens!.mayBeUnapplied(token, live.url)) {
            env.tokens!.invalidate(token);
            env.emit?.({ type: "token-refresh", endpoint: live.url, error });
          }
          onEnd?.();
        });
        return {
          stream: true,
          service: method.parent,
          method,
          header: call.header,
          trailer: call.trailer,
          message: call.messages,
        };
      } catch (failure) {
        if (failure instanceof AttemptFailure && !failure.sent && attempt < MAX_OPEN_ATTEMPTS) continue;
        throw failure instanceof AttemptFailure ? failure.error : failure;
      }
    }
  } catch (err) {
    ctx.dispose();
    throw toEtcdError(err);
  }
}
