import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { ContextValues, Interceptor, StreamResponse, UnaryResponse } from "@connectrpc/connect";
import { callReportKey, type CallReport } from "./call-report.js";
import { interceptStream, interceptUnary } from "./intercept.js";

/**
 * What a transport does for one call once its interceptors, if any, have had their turn: the
 * gRPC transport sends it over HTTP/2 with its retry rules, the gateway transport over fetch.
 * `Env` is the transport's call environment (its endpoints, or one member's).
 *
 * @example
 * ```ts
 * const runners: CallRunners<CallEnv> = { interceptors, unaryTimeoutMs: 5000, path: (m) => methodInfo(m).path, runUnary, runStream };
 * ```
 */
export interface CallRunners<Env> {
  readonly interceptors: readonly Interceptor[];
  /** The transport's default deadline of unary calls, for the call interceptors see. */
  readonly unaryTimeoutMs: number | undefined;
  /** The path of the URL interceptors see in `req.url`. */
  path(method: DescMethodUnary | DescMethodStreaming): string;
  readonly runUnary: UnaryRunner<Env>;
  readonly runStream: StreamRunner<Env>;
}

/**
 * A transport's unary call inside the interceptors: `on` the call environment, `useToken` false
 * for its own Authenticate, `report` the call's report (from the interceptors or `contextValues`).
 *
 * @example
 * ```ts
 * const runUnary: UnaryRunner<CallEnv> = (on, method, signal, timeoutMs, header, input, useToken, report) => callWithRetry(…);
 * ```
 */
export type UnaryRunner<Env> = <I extends DescMessage, O extends DescMessage>(
  on: Env,
  method: DescMethodUnary<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: MessageInitShape<I>,
  useToken: boolean,
  report: CallReport | undefined,
) => Promise<UnaryResponse<I, O>>;

/**
 * A transport's stream inside the interceptors: `onEnd` (from the interceptors) is called once the
 * stream is over.
 *
 * @example
 * ```ts
 * const runStream: StreamRunner<CallEnv> = (on, method, signal, timeoutMs, header, input, report, onEnd) => openStream(…);
 * ```
 */
export type StreamRunner<Env> = <I extends DescMessage, O extends DescMessage>(
  on: Env,
  method: DescMethodStreaming<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: AsyncIterable<MessageInitShape<I>>,
  report: CallReport | undefined,
  onEnd: (() => void) | undefined,
) => Promise<StreamResponse<I, O>>;

/**
 * Where a transport's calls enter: straight to the runner when the transport has no interceptor
 * (decided once, when the entries are made: no check, closure or request object per call), else
 * through the interceptors first.
 *
 * - `unary(on, base, …, contextValues, useToken, shown)`: `base` is prefixed to the path in the
 *   URL interceptors see (a member transport's URL, or ""); `useToken: false` for the
 *   transport's own Authenticate, whose interceptors see `shown` (the password blanked) while
 *   `input` is sent.
 * - `stream(on, base, …, contextValues)`: the same for streams.
 *
 * @example
 * ```ts
 * const entries = createCallEntries(runners);
 * const transport = { unary: (m, s, t, h, i, c) => entries.unary(env, "", m, s, t, h, i, c), … };
 * ```
 */
export interface CallEntries<Env> {
  unary<I extends DescMessage, O extends DescMessage>(
    on: Env,
    base: string,
    method: DescMethodUnary<I, O>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    header: HeadersInit | undefined,
    input: MessageInitShape<I>,
    contextValues: ContextValues | undefined,
    useToken?: boolean,
    shown?: MessageInitShape<I>,
  ): Promise<UnaryResponse<I, O>>;
  stream<I extends DescMessage, O extends DescMessage>(
    on: Env,
    base: string,
    method: DescMethodStreaming<I, O>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    header: HeadersInit | undefined,
    input: AsyncIterable<MessageInitShape<I>>,
    contextValues: ContextValues | undefined,
  ): Promise<StreamResponse<I, O>>;
}

/**
 * The call entries of a transport over its runners: one implementation of "interceptors first,
 * if any" for the gRPC, gateway and member transports.
 *
 * @example
 * ```ts
 * const entries = createCallEntries({ interceptors, unaryTimeoutMs, path: (m) => methodInfo(m).path, runUnary, runStream });
 * await entries.unary(env, "", KV.method.range, undefined, 1000, undefined, { key }, undefined);
 * ```
 */
export function createCallEntries<Env>(runners: CallRunners<Env>): CallEntries<Env> {
  const { interceptors, runUnary, runStream } = runners;
  if (interceptors.length === 0) {
    // Chosen once: without interceptors a call goes straight to its runner (the hot path), its
    // report, if any, taken from the caller's contextValues.
    return {
      unary: (on, _base, method, signal, timeoutMs, header, input, contextValues, useToken = true) =>
        runUnary(on, method, signal, timeoutMs, header, input, useToken, contextValues?.get(callReportKey)),
      stream: (on, _base, method, signal, timeoutMs, header, input, contextValues) =>
        runStream(on, method, signal, timeoutMs, header, input, contextValues?.get(callReportKey), undefined),
    };
  }
  return {
    unary(on, base, method, signal, timeoutMs, header, input, contextValues, useToken = true, shown) {
      const call = { url: base + runners.path(method), signal, timeoutMs: timeoutMs ?? runners.unaryTimeoutMs, header, contextValues };
      return interceptUnary(interceptors, method, call, shown ?? input, (req, callSignal, callHeader, report) =>
        runUnary(on, method, callSignal, timeoutMs, callHeader, shown === undefined ? req.message : input, useToken, report),
      );
    },
    stream(on, base, method, signal, timeoutMs, header, input, contextValues) {
      const call = { url: base + runners.path(method), signal, timeoutMs, header, contextValues };
      return interceptStream(interceptors, method, call, input, (req, callSignal, callHeader, report, onEnd) =>
        runStream(on, method, callSignal, timeoutMs, callHeader, req.message, report, onEnd),
      );
    },
  };
}
