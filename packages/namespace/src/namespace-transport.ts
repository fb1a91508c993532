import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { ContextValues, StreamResponse, Transport, UnaryResponse } from "@connectrpc/connect";
import { isBytes, toOwnedBytes, type Bytes } from "@etcdkit/transport";
import { canAddressMembers, checkTransport, invalidArgumentError, toEtcdError } from "@etcdkit/transport/internal";
import { namespaceMappings, type MethodMapping } from "./method-table.js";
import { mapAsyncIterable } from "./map-async-iterable.js";

/**
 * A Connect `Transport` confined to the keys under one prefix (see {@link namespaceTransport}).
 *
 * @example
 * ```ts
 * const app: NamespacedTransport = namespaceTransport(transport, "app/");
 * app.parent === transport; // true
 * ```
 */
export interface NamespacedTransport extends Transport {
  /** The prefix every key gets, as bytes (nested namespaces: the whole prefix). */
  readonly namespace: Uint8Array;
  /** The transport underneath (for a nested namespace: the outer namespace's transport). */
  readonly parent: Transport;
  /**
   * The same namespace over one member (present when the parent can address members, as
   * etcdkit's transport can): see `EtcdTransport.forEndpoint`.
   */
  readonly forEndpoint?: (url: string) => NamespacedTransport;
  /** The parent's endpoint URLs, when it has them. */
  readonly endpoints?: readonly string[];
}

type Init = Record<string, unknown>;

const cache = new WeakMap<Transport, Map<string, NamespacedTransport>>();

/**
 * A transport whose every key lives under `prefix`, as Go's `namespace` package does for its KV,
 * Watcher and Lease, but at the RPC level, so that everything built on a transport stays inside:
 * `createKV`, `createWatch` (and `listThenWatch`), `createLease`, and packages such as
 * `@etcdkit/concurrency`, `@etcdkit/naming` and `@etcdkit/mirror`.
 *
 * - Requests: every key, range end, txn comparison and nested txn op gets the prefix; a range to
 *   the end of the keyspace ends at the end of the namespace, so nothing outside is ever read,
 *   written, compared or watched. A watch's create request likewise.
 * - Responses: the prefix is stripped from every key (range results, prevKv, txn responses,
 *   watch events and their prevKv, server-side lock keys and election leader keys); a lease's
 *   `timeToLive({ keys: true })` lists only its keys inside the namespace, stripped.
 * - Not namespaced: Compact (one history), lease grant/revoke/keepalive (leases have no keys),
 *   cluster, maintenance and auth calls.
 *
 * The same transport and prefix give the same object, so watchers and lease clients created over
 * it share one watch stream and one keepalive stream (per namespace; they are separate from the
 * parent's streams). Namespaces nest. Closing is the parent's business.
 *
 * Throws EtcdError "invalid-argument" (at once) for a transport that is not a Connect transport
 * or a prefix that is not text or bytes. Calls fail with "empty-key" before any I/O for an empty
 * single key, which inside a namespace would otherwise name the namespace key itself.
 *
 * @example
 * ```ts
 * const app = namespaceTransport(transport, "app/");
 * await createKV(app).put("config", "{}");        // writes "app/config"
 * for await (const batch of createWatch(app).watch("", { prefix: true })) {
 *   console.log(batch.events[0]?.kv.keyText());   // "config", not "app/config"
 * }
 * ```
 */
export function namespaceTransport(transport: Transport, prefix: Bytes): NamespacedTransport {
  checkTransport(transport, "namespaceTransport");
  if (!isBytes(prefix)) throw invalidArgumentError("namespaceTransport: the prefix must be a string or a Uint8Array");
  const namespace = toOwnedBytes(prefix);
  const id = cacheKey(namespace);
  let byPrefix = cache.get(transport);
  if (byPrefix === undefined) cache.set(transport, (byPrefix = new Map()));
  let namespaced = byPrefix.get(id);
  if (namespaced === undefined) byPrefix.set(id, (namespaced = createNamespaced(transport, namespace)));
  return namespaced;
}

function createNamespaced(parent: Transport, namespace: Uint8Array): NamespacedTransport {
  const fullNamespace = concatNamespaces((parent as Partial<NamespacedTransport>).namespace, namespace);
  const forEndpoint = canAddressMembers(parent)
    ? (url: string): NamespacedTransport => namespaceTransport(parent.forEndpoint(url), namespace)
    : undefined;
  const transport: NamespacedTransport = {
    namespace: fullNamespace,
    parent,
    ...(forEndpoint === undefined ? {} : { forEndpoint }),
    get endpoints() {
      return (parent as Partial<NamespacedTransport>).endpoints;
    },
    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const mapping = mappingOf(method);
      if (mapping === undefined) return parent.unary(method, signal, timeoutMs, header, input, contextValues);
      let request = input;
      try {
        if (mapping.request !== undefined) request = mapping.request(namespace, input as Init) as MessageInitShape<I>;
      } catch (err) {
        return Promise.reject(toEtcdError(err));
      }
      return parent.unary(method, signal, timeoutMs, header, request, contextValues).then((response) => {
        mapping.response?.(namespace, response.message as Init);
        return response;
      });
    },
    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ): Promise<StreamResponse<I, O>> {
      const mapping = mappingOf(method);
      if (mapping === undefined) return parent.stream(method, signal, timeoutMs, header, input, contextValues);
      const requestMap = mapping.request;
      const requests =
        requestMap === undefined ? input : mapAsyncIterable(input, (m) => requestMap(namespace, m as Init) as MessageInitShape<I>);
      const response = await parent.stream(method, signal, timeoutMs, header, requests, contextValues);
      const responseMap = mapping.response;
      if (responseMap === undefined) return response;
      const messages = mapAsyncIterable(response.message, (m) => {
        responseMap(namespace, m as Init);
        return m;
      });
      return withMessages(response, messages);
    },
  };
  return Object.freeze(transport);
}

function mappingOf(method: { readonly name: string; readonly parent: { readonly typeName: string } }): MethodMapping | undefined {
  return namespaceMappings.get(`${method.parent.typeName}/${method.name}`);
}

/** The stream response with other messages; header and trailer are read from it when asked (they may be lazy). */
function withMessages<I extends DescMessage, O extends DescMessage>(
  response: StreamResponse<I, O>,
  message: StreamResponse<I, O>["message"],
): StreamResponse<I, O> {
  return {
    stream: true,
    service: response.service,
    method: response.method,
    message,
    get header() {
      return response.header;
    },
    get trailer() {
      return response.trailer;
    },
  };
}

function concatNamespaces(outer: Uint8Array | undefined, inner: Uint8Array): Uint8Array {
  if (outer === undefined || outer.length === 0) return inner;
  const out = new Uint8Array(outer.length + inner.length);
  out.set(outer);
  out.set(inner, outer.length);
  return out;
}

function cacheKey(bytes: Uint8Array): string {
  let key = "";
  for (const byte of bytes) key += String.fromCharCode(byte);
  return key;
}
