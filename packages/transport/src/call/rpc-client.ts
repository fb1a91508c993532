import { makeAnyClient, type CallOptions, type Client, type StreamResponse, type Transport } from "@connectrpc/connect";
import type { DescMessage, DescMethod, DescMethodStreaming, DescMethodUnary, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";

/**
 * Connect's `createClient(service, transport)` for etcd's services, built on Connect's own
 * `makeAnyClient` and `Transport`: the same methods with the same behaviour for the kinds of RPC
 * etcd has.
 *
 * - unary: calls `transport.unary` with the call options (signal, timeoutMs, headers,
 *   contextValues), reports the response's header and trailer to `onHeader`/`onTrailer` and
 *   resolves with the response message;
 * - server streaming (Snapshot, Observe) and bidi streaming (Watch, LeaseKeepAlive): opens
 *   `transport.stream` when called (a server-streaming request is sent as a one-message stream)
 *   and returns an async iterable of the responses, with `onHeader` before the first and
 *   `onTrailer` after the last; like Connect's, the iterator has `next` only.
 *
 * A client-streaming RPC (etcd has none) is left out of the client. It exists for bundle size: Connect's client
 * carries its client-streaming code and TypeScript's async-generator helpers into every bundle,
 * about 1 KB gzip that etcd's clients never run.
 *
 * @example
 * ```ts
 * const kv = createRpcClient(KV, transport);
 * const response = await kv.range({ key: toBytes("foo") }, { timeoutMs: 1000 });
 * for await (const answer of createRpcClient(Watch, transport).watch(requests)) console.log(answer.events);
 * ```
 */
export function createRpcClient<S extends DescService>(service: S, transport: Transport): Client<S> {
  return makeAnyClient(service, (method: DescMethod) => {
    switch (method.methodKind) {
      case "unary":
        return unaryFn(transport, method as DescMethodUnary);
      case "server_streaming":
      case "bidi_streaming":
        return streamFn(transport, method as DescMethodStreaming);
      default:
        // Client streaming: etcd has no such RPC. Should a newer etcd's protos add one, the
        // client leaves it out (as makeAnyClient does) rather than fail for the others.
        return null;
    }
  }) as Client<S>;
}

function unaryFn<I extends DescMessage, O extends DescMessage>(transport: Transport, method: DescMethodUnary<I, O>) {
  return async (input: MessageInitShape<I>, options?: CallOptions): Promise<MessageShape<O>> => {
    const response = await transport.unary(method, options?.signal, options?.timeoutMs, options?.headers, input, options?.contextValues);
    options?.onHeader?.(response.header);
    options?.onTrailer?.(response.trailer);
    return response.message;
  };
}

function streamFn<I extends DescMessage, O extends DescMessage>(transport: Transport, method: DescMethodStreaming<I, O>) {
  return (input: MessageInitShape<I> | AsyncIterable<MessageInitShape<I>>, options?: CallOptions): AsyncIterable<MessageShape<O>> => {
    const requests = method.methodKind === "server_streaming" ? oneMessage(input as MessageInitShape<I>) : (input as AsyncIterable<MessageInitShape<I>>);
    const opened = transport.stream(method, options?.signal, options?.timeoutMs, options?.headers, requests, options?.contextValues);
    const responses = readStream(opened, options);
    return { [Symbol.asyncIterator]: () => ({ next: () => responses.next() }) };
  };
}

async function* readStream<I extends DescMessage, O extends DescMessage>(
  opened: Promise<StreamResponse<I, O>>,
  options: CallOptions | undefined,
): AsyncGenerator<MessageShape<O>> {
  const response = await opened;
  options?.onHeader?.(response.header);
  yield* response.message;
  options?.onTrailer?.(response.trailer);
}

async function* oneMessage<T>(message: T): AsyncGenerator<T> {
  yield message;
}
