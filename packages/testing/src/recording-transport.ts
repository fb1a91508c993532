/**
 * Connect transports for unit tests of the etcdkit packages: one that records every call and never
 * does I/O (for "rejected before any I/O" assertions and for checking what a package would send),
 * and one that records calls while passing them on to a real transport.
 */
import type { Transport } from "@connectrpc/connect";

/** A call a recording or spy transport saw. */
export interface RecordedCall {
  /** The RPC's method name, e.g. "Range", "LeaseGrant". */
  readonly method: string;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  /** The request init or message (undefined for streams). */
  readonly input: unknown;
}

/**
 * A Transport that records every call and fails it (or, for unary calls, answers with
 * `respond(call)`), without any I/O. Streams are recorded and fail.
 *
 * @example
 * ```ts
 * const transport = createRecordingTransport();
 * await createKV(transport).get("").catch(() => undefined);
 * expect(transport.calls).toEqual([]); // rejected before any call
 * ```
 */
export function createRecordingTransport(respond?: (call: RecordedCall) => unknown): Transport & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    async unary(method, signal, timeoutMs, _header, input) {
      const call = { method: method.name, signal, timeoutMs, input };
      calls.push(call);
      if (respond === undefined) throw new Error("recording transport: no I/O here");
      return { stream: false, service: method.parent, method, header: new Headers(), trailer: new Headers(), message: respond(call) } as never;
    },
    async stream(method, signal, timeoutMs) {
      calls.push({ method: method.name, signal, timeoutMs, input: undefined });
      throw new Error("recording transport: no streams here");
    },
  };
}

/**
 * A Transport that records each unary call's method and input, then hands it to `inner`.
 *
 * @example
 * ```ts
 * const spy = createSpyTransport(createTransport({ endpoints }));
 * await createKV(spy).put("k", "v");
 * expect(spy.calls.map((c) => c.method)).toEqual(["Put"]);
 * ```
 */
export function createSpyTransport(inner: Transport): Transport & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    unary(method, signal, timeoutMs, header, input, contextValues) {
      calls.push({ method: method.name, signal, timeoutMs, input });
      return inner.unary(method, signal, timeoutMs, header, input, contextValues);
    },
    stream(method, signal, timeoutMs, header, input, contextValues) {
      return inner.stream(method, signal, timeoutMs, header, input, contextValues);
    },
  };
}
