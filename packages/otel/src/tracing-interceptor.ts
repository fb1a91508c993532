import type { Interceptor, StreamResponse } from "@connectrpc/connect";
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type TracerProvider } from "@opentelemetry/api";
import { callReport, type CallReport } from "@etcdkit/transport";
import { ownOptions, toEtcdError, invalidArgumentError } from "@etcdkit/transport/internal";
import { requestAttributes, responseAttributes, type KeyPolicy, type KeyRecording } from "./etcd-attributes.js";

/** The instrumentation scope of the spans. */
const SCOPE = "@etcdkit/otel";
const VERSION = "0.1.0";

/**
 * Options of {@link createTracingInterceptor}.
 *
 * @example
 * ```ts
 * const options: TracingOptions = { tracerProvider: provider, keys: false };
 * ```
 */
export interface TracingOptions {
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`, set by your OpenTelemetry SDK setup). */
  tracerProvider?: TracerProvider;
  /**
   * Record the keys of KV Range, Put and DeleteRange (`etcd.key`, `etcd.range_end`): `true`
   * (default) as text, `false` never, or a function that returns the text to record (undefined:
   * none) to redact keys that carry tenant names or other data. Values are never recorded.
   */
  keys?: KeyRecording;
  /** Longest key text recorded, in characters; longer keys are cut and end with "…". Default 256. */
  maxKeyLength?: number;
}

/**
 * A Connect interceptor that traces every etcd RPC of a transport as an OpenTelemetry client
 * span, for `createTransport({ interceptors: [...] })` (or the gateway transport, or any Connect
 * transport). One span per call, all retries included, named `etcdserverpb.KV/Range`, a child of
 * the active span; the call runs with its span active. Attributes:
 *
 * - `rpc.system` "grpc", `rpc.service`, `rpc.method`, `db.system` "etcd";
 * - `etcd.key` and `etcd.range_end` (KV Range, Put, DeleteRange; see `keys`), `etcd.lease_id`,
 *   `etcd.read_revision`, `etcd.compact_revision`, `etcd.lease_ttl` where the request has them;
 * - when it settles: `etcd.endpoint`, `server.address`, `server.port` (the member that answered
 *   or was tried last), `etcd.attempts` and `etcd.retries` (from etcdkit's transports), `etcd.revision`
 *   (the response header's), `etcd.count` (Range), `rpc.grpc.status_code`;
 * - on failure: status ERROR with the error's message, `error.type` and `etcd.error.reason` (the
 *   EtcdError reason), `etcd.outcome_unknown` (a write that may have been applied).
 *
 * Never a value, a password, a token or anything else of a request than the fields above.
 * Streams (Watch, LeaseKeepAlive, Snapshot) get one span from opening to their end, with
 * `etcd.messages_received`. Throws EtcdError "invalid-argument" for bad options.
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createTracingInterceptor } from "@etcdkit/otel";
 *
 * const transport = createTransport({ endpoints, interceptors: [createTracingInterceptor()] });
 * ```
 */
export function createTracingInterceptor(options?: TracingOptions): Interceptor {
  const o = ownOptions(options, "createTracingInterceptor: options");
  const provider = o.tracerProvider ?? trace.getTracerProvider();
  if (typeof provider?.getTracer !== "function") {
    throw invalidArgumentError('createTracingInterceptor: "tracerProvider" must be an OpenTelemetry TracerProvider');
  }
  const keys = o.keys ?? true;
  if (typeof keys !== "boolean" && typeof keys !== "function") {
    throw invalidArgumentError('createTracingInterceptor: "keys" must be true, false or a function');
  }
  const maxKeyLength = o.maxKeyLength ?? 256;
  if (typeof maxKeyLength !== "number" || !(maxKeyLength > 0) || !Number.isFinite(maxKeyLength)) {
    throw invalidArgumentError('createTracingInterceptor: "maxKeyLength" must be a positive number of characters');
  }
  const tracer = provider.getTracer(SCOPE, VERSION);
  const policy: KeyPolicy = { keys, maxKeyLength };

  return (next) => async (req) => {
    const service = req.service.typeName;
    const method = req.method.name;
    const attributes: Attributes = {
      "rpc.system": "grpc",
      "rpc.service": service,
      "rpc.method": method,
      "db.system": "etcd",
      ...(req.stream ? {} : requestAttributes(service, method, req.message, policy)),
    };
    const parent = context.active();
    const span = tracer.startSpan(`${service}/${method}`, { kind: SpanKind.CLIENT, attributes }, parent);
    const report = callReport(req);
    let response;
    try {
      response = await context.with(trace.setSpan(parent, span), () => next(req));
    } catch (err) {
      endFailed(span, report, err);
      throw err;
    }
    if (!response.stream) {
      span.setAttributes(responseAttributes(service, method, response.message));
      endOk(span, report);
      return response;
    }
    return traceStream(span, report, response, req.signal);
  };
}

/** The span of a stream ends with it: iterated to the end, failed, left by its consumer, or its call over. */
function traceStream(span: Span, report: CallReport, response: StreamResponse, signal: AbortSignal): StreamResponse {
  let received = 0;
  let ended = false;
  const end = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    signal.removeEventListener("abort", onAbort);
    span.setAttribute("etcd.messages_received", received);
    if (error === undefined) endOk(span, report);
    else endFailed(span, report, error);
  };
  const onAbort = (): void => end();
  if (signal.aborted) queueMicrotask(onAbort);
  else signal.addEventListener("abort", onAbort, { once: true });
  const messages = response.message;
  return {
    ...response,
    message: {
      [Symbol.asyncIterator]() {
        const it = messages[Symbol.asyncIterator]();
        const wrapped: AsyncIterator<unknown> = {
          next: () =>
            it.next().then(
              (r) => {
                if (r.done === true) end();
                else received++;
                return r;
              },
              (error: unknown) => {
                end(error);
                throw error;
              },
            ),
          return: (value?: unknown) => {
            end();
            return it.return?.(value) ?? Promise.resolve({ done: true, value: undefined });
          },
        };
        return wrapped;
      },
    } as StreamResponse["message"],
  };
}

function endOk(span: Span, report: CallReport): void {
  span.setAttributes(reportAttributes(report));
  span.setAttribute("rpc.grpc.status_code", 0);
  span.end();
}

function endFailed(span: Span, report: CallReport, err: unknown): void {
  const error = toEtcdError(err);
  span.setAttributes(reportAttributes(report));
  span.setAttributes({
    "rpc.grpc.status_code": error.code,
    "error.type": error.reason,
    "etcd.error.reason": error.reason,
    "etcd.outcome_unknown": error.outcomeUnknown,
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.rawMessage });
  span.end();
}

/** Where the call went and how often it was tried, when an etcdkit transport filled in the report. */
function reportAttributes(report: CallReport): Attributes {
  if (report.endpoint === "") return {};
  const attributes: Attributes = { "etcd.endpoint": report.endpoint, "etcd.attempts": report.attempts, "etcd.retries": report.retries };
  try {
    const url = new URL(report.endpoint);
    attributes["server.address"] = url.hostname;
    attributes["server.port"] = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  } catch {
    // not a URL: the endpoint attribute says it all
  }
  return attributes;
}
