import { create, isMessage, type DescMessage, type DescMethodStreaming, type DescMethodUnary, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import {
  createContextValues,
  type ContextValues,
  type Interceptor,
  type StreamRequest,
  type StreamResponse,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { isAbortSignal } from "../argument-checks.js";
import { MAX_TIMER_MS } from "../call-options.js";
import { deadlineError, errorText } from "../call/call-errors.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { callReportKey, type CallReport } from "./call-report.js";

/**
 * One call as interceptors see it, before it starts.
 *
 * @example
 * ```ts
 * const call: InterceptedCall = { url: "/etcdserverpb.KV/Range", signal, timeoutMs: 5000, header: undefined, contextValues: undefined };
 * ```
 */
export interface InterceptedCall {
  /** The URL in `req.url`: the method's path, or the full URL on a transport bound to one member. */
  readonly url: string;
  /** The caller's signal. */
  readonly signal: AbortSignal | undefined;
  /** The call's deadline as the transport applies it (the default included), for `req.signal`. */
  readonly timeoutMs: number | undefined;
  readonly header: HeadersInit | undefined;
  readonly contextValues: ContextValues | undefined;
}

/**
 * The call itself, inside the interceptors: sends `req` (its message as the interceptors left
 * it) with `header` (theirs, or the caller's when no interceptor looked at it). `signal` is the
 * caller's own signal when the interceptors kept the one they were given, else theirs; `report`
 * the call's report, if any; `onEnd` ends the signal the interceptors were given, and a stream
 * must call it once it is over.
 *
 * @example
 * ```ts
 * const send: Send<UnaryRequest, UnaryResponse> = (req, signal, header, report) => runUnary(req.message, signal, header, report);
 * ```
 */
export type Send<Req, Res> = (
  req: Req,
  signal: AbortSignal | undefined,
  header: HeadersInit | undefined,
  report: CallReport | undefined,
  onEnd: () => void,
) => Promise<Res>;

/**
 * Runs a unary call through `interceptors` as Connect's transports do (`runUnaryCall`): the
 * request reaches them with its message normalized to a full message, its header as a `Headers`
 * they may change, a `signal` that aborts with the caller's signal, at the deadline and once the
 * call is over, and the call's `contextValues` (a fresh set when the caller gave none). The first
 * interceptor is the outermost. Rejects with an EtcdError (what an interceptor throws is
 * converted); a request that cannot be encoded fails "invalid-argument" before any interceptor.
 *
 * @example
 * ```ts
 * return interceptUnary(interceptors, method, call, input, (req, signal, report) => runUnary(req, signal, report));
 * ```
 */
export function interceptUnary<I extends DescMessage, O extends DescMessage>(
  interceptors: readonly Interceptor[],
  method: DescMethodUnary<I, O>,
  call: InterceptedCall,
  input: MessageInitShape<I>,
  send: Send<UnaryRequest<I, O>, UnaryResponse<I, O>>,
): Promise<UnaryResponse<I, O>> {
  return intercept<UnaryRequest<I, O>, UnaryResponse<I, O>>(interceptors, method, call, () => toMessage(method.input, input), (req, signal, header, report, onEnd) =>
    send(req, signal, header, report, onEnd).then((res) => {
      onEnd();
      return plainUnaryResponse(res);
    }),
  );
}

/**
 * Runs a streaming call through `interceptors` as Connect's transports do (`runStreamingCall`):
 * as {@link interceptUnary}, with the input messages normalized as they are sent; `req.signal`
 * aborts once the stream is over (`send` calls `onEnd`).
 *
 * @example
 * ```ts
 * return interceptStream(interceptors, method, call, input, (req, signal, report, onEnd) => openStream(req, signal, report, onEnd));
 * ```
 */
export function interceptStream<I extends DescMessage, O extends DescMessage>(
  interceptors: readonly Interceptor[],
  method: DescMethodStreaming<I, O>,
  call: InterceptedCall,
  input: AsyncIterable<MessageInitShape<I>>,
  send: Send<StreamRequest<I, O>, StreamResponse<I, O>>,
): Promise<StreamResponse<I, O>> {
  return intercept(interceptors, method, call, () => normalizeInput(method.input, input), send);
}

/**
 * The request interceptors get. Its `signal`, `header` and `contextValues` are made when an
 * interceptor first reads them: one that only looks at the method and the answer costs no
 * AbortController, timer or Headers.
 */
function intercept<Req extends { readonly signal: AbortSignal; readonly header: Headers; readonly contextValues: ContextValues }, Res>(
  interceptors: readonly Interceptor[],
  method: DescMethodUnary | DescMethodStreaming,
  call: InterceptedCall,
  message: () => unknown,
  send: Send<Req, Res>,
): Promise<Res> {
  // A bad signal or timeoutMs is the call's to reject (with "invalid-argument"), not ours.
  const caller = call.signal !== undefined && isAbortSignal(call.signal) ? call.signal : undefined;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;
  let endReason: unknown;
  let header: Headers | undefined;
  let values = call.contextValues;
  const onAbort = (): void => controller!.abort(caller!.reason);
  const signal = (): AbortSignal => {
    if (controller === undefined) {
      controller = new AbortController();
      const timeoutMs = call.timeoutMs;
      if (ended) controller.abort(endReason);
      else if (caller?.aborted) onAbort();
      else {
        caller?.addEventListener("abort", onAbort, { once: true });
        if (typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS) {
          timer = setTimeout(() => controller!.abort(deadlineError(timeoutMs)), timeoutMs);
        }
      }
    }
    return controller.signal;
  };
  /** The call is over (with its error, if it failed): aborts the interceptors' signal, releases timer and listener. */
  const end = (reason?: unknown): void => {
    if (ended) return;
    ended = true;
    endReason = reason;
    if (controller === undefined) return;
    clearTimeout(timer);
    caller?.removeEventListener("abort", onAbort);
    if (!controller.signal.aborted) controller.abort(reason);
  };
  let next: (req: Req) => Promise<Res>;
  let req: Req;
  try {
    req = {
      stream: method.methodKind !== "unary",
      service: method.parent,
      method,
      requestMethod: "POST",
      url: call.url,
      get signal() {
        return signal();
      },
      get header() {
        return (header ??= new Headers(call.header));
      },
      get contextValues() {
        return (values ??= createContextValues());
      },
      message: message(),
    } as unknown as Req;
    next = (r) => {
      // The request as the interceptors pass it on: ours (untouched parts still unmade), or a copy.
      if (r === req) return send(r, call.signal, header ?? call.header, values?.get(callReportKey), end);
      const theirs = r.signal;
      return send(r, theirs === controller?.signal ? call.signal : theirs, r.header, r.contextValues.get(callReportKey), end);
    };
    // Connect's applyInterceptors: the first of the list is the outermost.
    for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next as never) as never;
  } catch (err) {
    end(err);
    return Promise.reject(toEtcdError(err));
  }
  let result: Promise<Res>;
  try {
    result = next(req);
  } catch (err) {
    result = Promise.reject(err); // an interceptor that throws instead of rejecting
  }
  return result.then(undefined, (err: unknown) => {
    const error = toEtcdError(err);
    end(error);
    throw error;
  });
}

/**
 * The transport's unary response as a plain object whose `header` and `trailer` are own getters:
 * an interceptor that copies it (`{ ...res, message }`, as Connect's own examples do) keeps them.
 */
function plainUnaryResponse<I extends DescMessage, O extends DescMessage>(res: UnaryResponse<I, O>): UnaryResponse<I, O> {
  return {
    stream: false,
    service: res.service,
    method: res.method,
    message: res.message,
    get header() {
      return res.header;
    },
    get trailer() {
      return res.trailer;
    },
    url: (res as { readonly url?: string }).url,
  } as UnaryResponse<I, O>;
}

/** A full message of `schema` (as Connect's `normalize`); EtcdError "invalid-argument" when the input does not fit. */
function toMessage<I extends DescMessage>(schema: I, input: MessageInitShape<I>): MessageShape<I> {
  if (isMessage(input, schema)) return input as MessageShape<I>;
  try {
    return create(schema, input);
  } catch (err) {
    throw invalidArgumentError(`cannot encode ${schema.typeName}: ${errorText(err)}`);
  }
}

/**
 * The input messages normalized one by one as they are read (Connect's `normalizeIterable`);
 * `return()` and `throw()` reach the caller's iterator directly, so closing the stream still
 * tells the caller's generator or queue at once.
 */
function normalizeInput<I extends DescMessage>(schema: I, input: AsyncIterable<MessageInitShape<I>>): AsyncIterable<MessageShape<I>> {
  return {
    [Symbol.asyncIterator]() {
      const it = input[Symbol.asyncIterator]();
      const map = (r: IteratorResult<MessageInitShape<I>>): IteratorResult<MessageShape<I>> =>
        r.done === true ? r : { done: false, value: toMessage(schema, r.value) };
      return {
        next: () => it.next().then(map),
        return: it.return && ((value?: unknown) => it.return!(value).then(map)),
        throw: it.throw && ((error?: unknown) => it.throw!(error).then(map)),
      } as AsyncIterator<MessageShape<I>>;
    },
  };
}
