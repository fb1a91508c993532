/**
 * A Connect transport for the lease package's unit tests whose LeaseKeepAlive streams answer only
 * what the test tells them to, when it tells them to: a test can hold answers in flight, deliver
 * them late, twice, or after the client gave up on the stream, and break a stream. Unary calls
 * are recorded and fail. (Integration tests use real etcd; this only drives the client's own
 * bookkeeping into the orders a network can produce.)
 *
 * @example
 * const transport = createKeepAliveScript();
 * createLease(transport).attach(7n, { ttl: 10 }).keepAlive();
 * await settle();
 * transport.streams[0]!.answer(7n, 10);
 */
import { create } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { LeaseKeepAliveResponseSchema, type LeaseKeepAliveResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";

/** One LeaseKeepAlive stream the client opened. */
export interface ScriptedStream {
  /** Lease IDs of the requests the client has sent on it so far. */
  readonly requests: bigint[];
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  /** True once the client aborted the stream. */
  readonly aborted: boolean;
  /** Delivers an answer (even after the client aborted: a late packet already in the pipe). */
  answer(id: bigint, ttl: number, revision?: bigint): void;
  /** Ends the stream with `error`. */
  fail(error: unknown): void;
}

type Item = { readonly value: LeaseKeepAliveResponse } | { readonly error: unknown };

/**
 * A transport whose keepalive streams the test drives (see the file comment).
 *
 * @example
 * const transport = createKeepAliveScript();
 */
export function createKeepAliveScript(): Transport & { readonly streams: ScriptedStream[] } {
  const streams: ScriptedStream[] = [];
  return {
    streams,
    unary() {
      return Promise.reject(new Error("keepalive script: no unary calls here"));
    },
    async stream(method, signal, timeoutMs, _header, input) {
      const requests: bigint[] = [];
      const items: Item[] = [];
      let wake: (() => void) | undefined;
      const push = (item: Item): void => {
        items.push(item);
        wake?.();
      };
      const scripted: ScriptedStream = {
        requests,
        signal,
        timeoutMs,
        get aborted() {
          return signal?.aborted === true;
        },
        answer: (id, ttl, revision = 1n) =>
          push({ value: create(LeaseKeepAliveResponseSchema, { ID: id, TTL: BigInt(ttl), header: { revision } }) }),
        fail: (error) => push({ error }),
      };
      streams.push(scripted);
      void (async () => {
        for await (const request of input as AsyncIterable<{ ID: bigint }>) requests.push(request.ID);
      })();
      async function* responses(): AsyncIterable<LeaseKeepAliveResponse> {
        for (;;) {
          const item = items.shift();
          if (item === undefined) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          if ("error" in item) throw item.error;
          yield item.value;
        }
      }
      return {
        stream: true,
        service: method.parent,
        method,
        header: new Headers(),
        trailer: new Headers(),
        message: responses(),
      } as never;
    },
  };
}

/** Lets pending promise callbacks and I/O callbacks run (a few event-loop turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
