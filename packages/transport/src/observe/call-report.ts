import { createContextKey, type ContextKey, type ContextValues } from "@connectrpc/connect";

/**
 * What etcdkit's transports tell about one call while it runs, for interceptors (tracing,
 * metrics) and callers: where it went and how often it was tried. The transport fills it in when
 * the call's `contextValues` hold one (see {@link callReport}).
 *
 * @example
 * ```ts
 * const report: CallReport = { endpoint: "http://10.0.0.1:2379", attempts: 2, retries: 1 };
 * ```
 */
export interface CallReport {
  /** The endpoint of the latest attempt: the one that answered, or the last one tried; "" before any. */
  endpoint: string;
  /** Attempts started: the first, retries, and resends with a fresh auth token. Streams: opening attempts. */
  attempts: number;
  /** Attempts repeated after a retryable failure (as counted by the transport's `stats.retries`). */
  retries: number;
}

/**
 * The context key under which a call's {@link CallReport} lives. Use {@link callReport} rather
 * than setting it yourself.
 *
 * @example
 * ```ts
 * const report = req.contextValues.get(callReportKey); // undefined unless someone asked for one
 * ```
 */
export const callReportKey: ContextKey<CallReport | undefined> = /*@__PURE__*/ createContextKey<CallReport | undefined>(undefined, {
  description: "etcdkit call report",
});

/**
 * The {@link CallReport} of a call, created (and stored in its context values) on first use: call
 * it in an interceptor before `next(req)` and read it when the call settled. Calls without one
 * cost nothing extra.
 *
 * @example
 * ```ts
 * const traced: Interceptor = (next) => async (req) => {
 *   const report = callReport(req);
 *   try {
 *     return await next(req);
 *   } finally {
 *     console.log(req.method.name, report.endpoint, report.retries);
 *   }
 * };
 * ```
 */
export function callReport(call: { readonly contextValues: ContextValues }): CallReport {
  let report = call.contextValues.get(callReportKey);
  if (report === undefined) {
    report = { endpoint: "", attempts: 0, retries: 0 };
    call.contextValues.set(callReportKey, report);
  }
  return report;
}
