/**
 * Shared setup of the KV integration tests: a Connect transport to a real etcd, and a recording
 * transport that never does I/O (for "rejected before any I/O" assertions).
 *
 * @example
 * const { kv, close } = connectKV(cluster.endpoints);
 */
import type { Transport } from "@connectrpc/connect";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { createKV } from "./create-kv.js";
import type { KV } from "./kv.js";

let counter = 0;

/** A KV over etcdkit's transport, plus a close() for afterAll. */
export function connectKV(endpoints: readonly string[]): { kv: KV; transport: EtcdTransport; close: () => Promise<void> } {
  const transport = createTransport({ endpoints: [...endpoints], dialTimeoutMs: 5_000 });
  return { kv: createKV(transport), transport, close: () => transport.close() };
}

/** A fresh key prefix per test, so tests sharing one etcd never see each other's keys. */
export function uniquePrefix(name: string): string {
  counter += 1;
  return `/kv-test/${name}/${counter}/`;
}

/** A unary call a recording transport saw. */
export interface RecordedCall {
  readonly method: string;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly input: unknown;
}

/**
 * A Transport that records every call and fails it (or answers with `respond`), without any I/O.
 */
export function createRecordingTransport(respond?: (call: RecordedCall) => unknown): Transport & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    async unary(method, signal, timeoutMs, _header, input) {
      const call = { method: method.name, signal, timeoutMs, input };
      calls.push(call);
      if (respond === undefined) throw new Error("recording transport: no I/O here");
      return {
        stream: false,
        service: method.parent,
        method,
        header: new Headers(),
        trailer: new Headers(),
        message: respond(call),
      } as never;
    },
    async stream(method) {
      calls.push({ method: method.name, signal: undefined, timeoutMs: undefined, input: undefined });
      throw new Error("recording transport: no streams here");
    },
  };
}

/** A Transport that records each unary call's method and input, then hands it to `inner`. */
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
