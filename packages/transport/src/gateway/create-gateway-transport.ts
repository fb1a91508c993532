import type { DescMethodStreaming, DescMethodUnary } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { createAuthenticator } from "../auth/authenticator.js";
import { CallContext } from "../call/call-context.js";
import { transportClosedError } from "../call/call-errors.js";
import { methodInfo } from "../call/method-info.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { finalCallError } from "../retry/write-outcome.js";
import { parseEndpoint } from "../endpoints/parse-endpoint.js";
import type { MemberAddressingTransport } from "../endpoint-connector.js";
import { endpointsReach, gatewayUnary, type GatewayEnv } from "./gateway-call.js";
import { GatewayEndpoints } from "./gateway-endpoints.js";
import { resolveGatewayOptions, type GatewayTransportOptions } from "./gateway-options.js";
import { openGatewayStream } from "./gateway-stream.js";
import { gatewayPath } from "./routes.js";
import { createCallEntries, type StreamRunner, type UnaryRunner } from "../observe/call-entries.js";
import { attachListener } from "../observe/transport-events.js";

/** Deadline of the Authenticate call when the transport has no default `timeoutMs`. */
const AUTHENTICATE_TIMEOUT_MS = 30_000;

/**
 * Counters of a gateway transport, for tests and diagnostics.
 *
 * @example
 * ```ts
 * transport.stats.requests; // HTTP requests sent so far
 * ```
 */
export interface GatewayTransportStats {
  /** Calls started (unary and streaming). */
  readonly calls: number;
  /** HTTP requests sent (attempts, and the requests of streams). */
  readonly requests: number;
  /** Unary attempts repeated after a retryable failure. */
  readonly retries: number;
  /** Authenticate RPCs sent (with `auth`). */
  readonly authentications: number;
}

/**
 * A Connect `Transport` over etcd's JSON gateway and `fetch`, plus lifecycle and diagnostics.
 *
 * @example
 * ```ts
 * await using transport = createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * const kv = createKV(transport);
 * ```
 */
export interface EtcdGatewayTransport extends MemberAddressingTransport, AsyncDisposable {
  /** Aborts every pending call and open stream ("transport-closed"); later calls fail the same way. Idempotent. */
  close(): Promise<void>;
  /** The endpoint URLs in use. */
  readonly endpoints: readonly string[];
  readonly stats: GatewayTransportStats;
  /**
   * A transport bound to one member (for the cluster and maintenance calls that address one):
   * every call and retry goes to `url`, with this transport's token, counters and options.
   * Throws EtcdError "invalid-argument" for a malformed URL.
   */
  forEndpoint(url: string): Transport;
}

/**
 * Creates a transport that speaks etcd's gRPC gateway (JSON over HTTP/1.1) with `fetch` only
 * (no `node:` imports), for runtimes without an HTTP/2 client with trailers: browsers, Cloudflare
 * Workers (workerd), Deno Deploy, Vercel and Netlify edge functions. The kv, watch, lease,
 * cluster, maintenance and auth packages run on it unchanged.
 *
 * - Every RPC is a POST of its request's JSON to the route of the protos' `google.api.http`
 *   annotations (`/v3/kv/range`); answers are decoded into the same messages as over gRPC.
 * - Endpoints, failover and retries follow the gRPC transport's rules (shared code): reads are
 *   retried on Unavailable across endpoints, writes only when the request provably never left
 *   (a refused connection where the runtime says so); a write whose outcome is unknown fails with
 *   `outcomeUnknown: true` and is never resent.
 * - With `auth`, one shared Authenticate; the token goes raw in `Authorization`; a stale token is
 *   replaced once per call.
 * - Streams: see `openGatewayStream` (Watch with its resume rules, LeaseKeepAlive answered once
 *   per request, Snapshot).
 *
 * Throws EtcdError "invalid-argument" for bad options. Calls fail with the gRPC transport's
 * reasons ("unavailable", "deadline-exceeded", "canceled", "transport-closed", "outcome-unknown",
 * "auth-failed", "unimplemented", or any etcd server reason).
 *
 * @example
 * ```ts
 * import { createGatewayTransport } from "@etcdkit/transport/gateway";
 * import { createKV } from "@etcdkit/kv";
 *
 * const transport = createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * const kv = createKV(transport);
 * await kv.put("greeting", "hello");
 * console.log((await kv.get("greeting")).kv?.text());
 * await transport.close();
 * ```
 */
export function createGatewayTransport(options: GatewayTransportOptions): EtcdGatewayTransport {
  const resolved = resolveGatewayOptions(options);
  const calls = new Set<CallContext>();
  const stats = { calls: 0, requests: 0, retries: 0 };
  const { interceptors, emit } = resolved;
  const env: GatewayEnv = {
    endpoints: new GatewayEndpoints(resolved.endpoints, emit),
    fetch: resolved.fetch,
    tokens: undefined,
    requireLeader: resolved.requireLeader,
    sendMetadata: resolved.sendMetadata,
    maxReceiveMessageBytes: resolved.maxReceiveMessageBytes,
    stats,
    reaches: endpointsReach,
    emit,
  };
  let closed = false;

  const runUnary: UnaryRunner<GatewayEnv> = (on, method, signal, timeoutMs, header, input, useToken, report) => {
    if (closed) return Promise.reject(transportClosedError());
    stats.calls++;
    const ctx = new CallContext(calls, signal, timeoutMs ?? resolved.timeoutMs);
    if (report !== undefined) ctx.report = report;
    return gatewayUnary(on, method, ctx, input, header, useToken).then(
      (response) => {
        ctx.dispose();
        return response;
      },
      (err: unknown) => {
        ctx.dispose();
        throw finalCallError(toEtcdError(err), methodInfo(method), ctx.mayHaveApplied);
      },
    );
  };

  const runStream: StreamRunner<GatewayEnv> = (on, method, signal, timeoutMs, header, input, report, onEnd) => {
    if (closed) return Promise.reject(transportClosedError());
    stats.calls++;
    // As on the gRPC transport, the default deadline bounds unary calls only.
    const ctx = new CallContext(calls, signal, timeoutMs);
    if (report !== undefined) ctx.report = report;
    const ended = (): void => {
      ctx.dispose();
      onEnd?.();
    };
    try {
      return Promise.resolve(openGatewayStream(on, method, ctx, header, input, ended));
    } catch (err) {
      ctx.dispose();
      return Promise.reject(toEtcdError(err));
    }
  };

  /** Every call (public, member transports, the transport's own) enters here: interceptors first, if any. */
  const entries = createCallEntries<GatewayEnv>({
    interceptors,
    unaryTimeoutMs: resolved.timeoutMs,
    path: routeOrPath,
    runUnary,
    runStream,
  });

  if (resolved.auth !== undefined) {
    const timeout = resolved.timeoutMs ?? AUTHENTICATE_TIMEOUT_MS;
    env.tokens = createAuthenticator(resolved.auth, (method, input, signal, shown) =>
      entries.unary(env, "", method, signal, timeout, undefined, input, undefined, false, shown),
    );
  }

  const transport: EtcdGatewayTransport = {
    unary: (method, signal, timeoutMs, header, input, contextValues) => entries.unary(env, "", method, signal, timeoutMs, header, input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) => entries.stream(env, "", method, signal, timeoutMs, header, input, contextValues),

    forEndpoint(url: string): Transport {
      const endpoint = parseEndpoint(url);
      if (resolved.secure && !endpoint.secure) {
        throw invalidArgumentError(`forEndpoint: "${endpoint.url}" is not https://, and this transport's endpoints are: its token would go in cleartext`);
      }
      const member: GatewayEnv = { ...env, endpoints: new GatewayEndpoints([endpoint.url], emit) };
      const memberTransport: Transport = {
        unary: (method, signal, timeoutMs, header, input, contextValues) =>
          entries.unary(member, endpoint.url, method, signal, timeoutMs, header, input, contextValues),
        stream: (method, signal, timeoutMs, header, input, contextValues) =>
          entries.stream(member, endpoint.url, method, signal, timeoutMs, header, input, contextValues),
      };
      attachListener(memberTransport, emit);
      return memberTransport;
    },
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        const error = transportClosedError();
        for (const ctx of [...calls]) ctx.cancel(error);
      }
      return Promise.resolve();
    },

    [Symbol.asyncDispose](): Promise<void> {
      return transport.close();
    },

    get endpoints(): readonly string[] {
      return resolved.endpoints;
    },

    get stats(): GatewayTransportStats {
      return { ...stats, authentications: env.tokens?.authentications ?? 0 };
    },
  };
  attachListener(transport, emit);
  return transport;
}

/** The URL path interceptors see: the method's gateway route, or its gRPC path when it has none. */
function routeOrPath(method: DescMethodUnary | DescMethodStreaming): string {
  return gatewayPath(method) ?? methodInfo(method).path;
}
