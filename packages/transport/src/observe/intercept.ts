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
 * The inner call of an intercepted unary call: sends `req` (its message, header and signal, as
 * the interceptors left them). `signal` is the caller's own signal when the interceptors kept the
 * one they were given, else theirs; `report` the call's report, if any.
 *
 * @example
 * ```ts
 * const send: SendUnary<I, O> = (req, signal, report) => runUnary(req.method, signal, timeoutMs, req.header, req.message, report);
 * ```
 */
export type SendUnary<I extends DescMessage, O extends DescMessage> = (
  req: UnaryRequest<I, O>,
  signal: AbortSignal | undefined,
  report: CallReport | undefined,
) => Promise<UnaryResponse<I, O>>;

/**
 * The inner call of an intercepted stream; `onEnd` must run once the stream is over (it ends the
 * signal the interceptors were given).
 *
 * @example
 * ```ts
 * const open: OpenStream<I, O> = (req, signal, report, onEnd) => openStream(..., { report, onEnd });
 * ```
 */
export type OpenStream<I extends DescMessage, O extends DescMessage> = (
  req: StreamRequest<I, O>,
  signal: AbortSignal | undefined,
  report: CallReport | undefined,
  onEnd: () => void,
) => Promise<StreamResponse<I, O>>;

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
 * Runs a unary call through `interceptors` as Connect's transports do (`runUnaryCall`): the
 * request reaches them with its message normalized to a full message, its header as a `Headers`
 * they may change, a `signal` that aborts with the caller's signal, at the deadline and once the
 * call is over, and the call's `contextValues` (a fresh set when the caller gave none). The first
 * interceptor is the outermost. `send` runs the call itself. Rejects with an EtcdError (what an
 * interceptor throws is converted), a request that cannot be encoded with "invalid-argument"
 * before any interceptor runs.
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
  send: SendUnary<I, O>,
): Promise<UnaryResponse<I, O>> {
  let req: UnaryRequest<I, O>;
  let life: CallSignal;
  try {
    const header = new Headers(call.header);
    life = callSignal(call.signal, call.timeoutMs);
    req = {
      stream: false,
      service: method.parent,
      method,
      requestMethod: "POST",
      url: call.url,
      signal: life.signal,
      header,
      contextValues: call.contextValues ?? createContextValues(),
      message: toMessage(method.input, input),
    };
  } catch (err) {
    return Promise.reject(toEtcdError(err));
  }
  const inner = (r: UnaryRequest<I, O>): Promise<UnaryResponse<I, O>> =>
    send(r, r.signal === life.signal ? call.signal : r.signal, r.contextValues.get(callReportKey)).then(plainUnaryResponse);
  return settle(chain(inner, interceptors)(req), life);
}

/**
 * Runs a streaming call through `interceptors` as Connect's transports do (`runStreamingCall`):
 * as {@link interceptUnary}, with the input messages normalized as they are sent; `req.signal`
 * aborts once the stream is over (`onEnd`).
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
  open: OpenStream<I, O>,
): Promise<StreamResponse<I, O>> {
  let req: StreamRequest<I, O>;
  let life: CallSignal;
  try {
    const header = new Headers(call.header);
    life = callSignal(call.signal, call.timeoutMs);
    req = {
      stream: true,
      service: method.parent,
      method,
      requestMethod: "POST",
      url: call.url,
      signal: life.signal,
      header,
      contextValues: call.contextValues ?? createContextValues(),
      message: normalizeInput(method.input, input),
    };
  } catch (err) {
    return Promise.reject(toEtcdError(err));
  }
  const ended = (): void => life.end(undefined);
  const inner = (r: StreamRequest<I, O>): Promise<StreamResponse<I, O>> =>
    open(r, r.signal === life.signal ? call.signal : r.signal, r.contextValues.get(callReportKey), ended);
  return chain(inner, interceptors)(req).then(
    (response) => response,
    (err: unknown) => {
      const error = toEtcdError(err);
      life.end(error);
      throw error;
    },
  );
}

/** Connect's `applyInterceptors`: the first interceptor of the list is the outermost. */
function chain<T>(inner: T, interceptors: readonly Interceptor[]): T {
  let next = inner as unknown as Parameters<Interceptor>[0];
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next);
  return ((req: unknown) => {
    try {
      return next(req as never);
    } catch (err) {
      return Promise.reject(err); // an interceptor that throws instead of rejecting
    }
  }) as unknown as T;
}

function settle<T>(result: Promise<T>, life: CallSignal): Promise<T> {
  return result.then(
    (response) => {
      life.end(undefined);
      return response;
    },
    (err: unknown) => {
      const error = toEtcdError(err);
      life.end(error);
      throw error;
    },
  );
}

/**
 * The transport's unary response as a plain object whose `header` and `trailer` are own getters:
 * an interceptor that copies it (`{ ...res, message }`, as Connect's own examples do) keeps them.
 */
function plainUnaryResponse<I extends DescMessage, O extends DescMessage>(res: UnaryResponse<I, O>): UnaryResponse<I, O> {
  const url = (res as { readonly url?: string }).url;
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
    ...(url === undefined ? {} : { url }),
  };
}

/** The signal interceptors get, and how to end it. */
interface CallSignal {
  readonly signal: AbortSignal;
  /** The call is over (with its error, if it failed): aborts the signal, releases timer and listener. */
  end(reason: unknown): void;
}

function callSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): CallSignal {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  // A bad signal or timeoutMs is the call's to reject (with "invalid-argument"), not ours.
  if (signal !== undefined && isAbortSignal(signal)) {
    if (signal.aborted) controller.abort(signal.reason);
    else {
      onAbort = () => controller.abort(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    }
  }
  if (typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS && !controller.signal.aborted) {
    timer = setTimeout(() => controller.abort(deadlineError(timeoutMs)), timeoutMs);
  }
  return {
    signal: controller.signal,
    end(reason) {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal!.removeEventListener("abort", onAbort);
      timer = undefined;
      onAbort = undefined;
      if (!controller.signal.aborted) controller.abort(reason);
    },
  };
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
      const out: AsyncIterator<MessageShape<I>> = { next: () => it.next().then(map) };
      if (it.return !== undefined) out.return = (value?: unknown) => it.return!(value).then(map);
      if (it.throw !== undefined) out.throw = (error?: unknown) => it.throw!(error).then(map);
      return out;
    },
  };
}
