import type { Transport } from "@connectrpc/connect";
import { createAuthenticator } from "../auth/authenticator.js";
import { CallContext } from "../call/call-context.js";
import { transportClosedError } from "../call/call-errors.js";
import { encodeRequest } from "../call/encode-request.js";
import { methodInfo } from "../call/method-info.js";
import { LazyUnaryResponse } from "../call/unary-response.js";
import { startAutoSync } from "../endpoints/auto-sync.js";
import { fetchMemberEndpoints, type MemberListCaller } from "../endpoints/member-endpoints.js";
import { EndpointPool } from "../endpoints/endpoint-pool.js";
import type { ConnectionSettings } from "../http2/endpoint-connection.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { connectCallOptions } from "../call-options.js";
import { callerHeaders } from "../grpc/headers.js";
import { callWithRetry, poolReaches, type CallEnv } from "../retry/call-with-retry.js";
import { finalCallError } from "../retry/write-outcome.js";
import { createCallEntries, type StreamRunner, type UnaryRunner } from "../observe/call-entries.js";
import { attachListener } from "../observe/transport-events.js";
import { openStream } from "./open-stream.js";
import { createMemberTransports, type EtcdMemberTransport } from "./member-transport.js";
import { resolveOptions, type TransportOptions } from "./transport-options.js";
import { warnIfUnverified } from "../tls.js";

/** Deadline of the Authenticate call when the transport has no default `timeoutMs`. */
const AUTHENTICATE_TIMEOUT_MS = 30_000;

/**
 * Counters of a transport, for tests and diagnostics.
 *
 * @example
 * ```ts
 * const before = transport.stats.authentications;
 * await kv.range({ key });
 * transport.stats.authentications - before; // 1 after the token expired
 * ```
 */
export interface TransportStats {
  /** Calls started (unary and streaming). */
  readonly calls: number;
  /** HTTP/2 streams opened, i.e. requests handed to a connection (attempts that may have reached etcd). */
  readonly streams: number;
  /** Unary attempts repeated after a retryable failure (not counting auth token refreshes). */
  readonly retries: number;
  /** Authenticate RPCs sent (with `auth`). */
  readonly authentications: number;
  /** Connections established (HTTP/2 handshake completed), to the endpoints and to members addressed by `forEndpoint`. */
  readonly connections: number;
}

/**
 * A Connect `Transport` to an etcd cluster (gRPC over node:http2), usable with `createClient`
 * for every etcd service, plus lifecycle and diagnostics.
 *
 * @example
 * ```ts
 * await using transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * const kv = createClient(KV, transport);
 * await kv.put({ key: toBytes("a"), value: toBytes("1") });
 * ```
 */
export interface EtcdTransport extends Transport, AsyncDisposable {
  /**
   * Closes all connections and stops timers. Pending calls and open streams fail with reason
   * "transport-closed"; later calls fail the same way. Idempotent.
   */
  close(): Promise<void>;
  /** The endpoint URLs in use (changes with auto-sync). */
  readonly endpoints: readonly string[];
  readonly stats: TransportStats;
  /**
   * Refreshes the endpoint list from Cluster.MemberList now (what auto-sync does periodically,
   * with a 5 s deadline). `timeoutMs` follows the call rules: absent, the transport's default
   * `timeoutMs` applies; `Infinity` means no deadline; <= 0 fails "deadline-exceeded" before any
   * I/O. Resolves with the endpoints in use afterwards.
   */
  syncEndpoints(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<readonly string[]>;
  /**
   * A Connect Transport bound to one member, by client URL, for the calls that must reach that
   * member (Status, Defragment, Hash, HashKV, Snapshot, MoveLeader...): every attempt and retry
   * goes to it, with this transport's TLS, auth token, keepalive, counters and retry rules. When
   * the URL is one of this transport's endpoints its connection is shared; otherwise one
   * connection per URL is kept and closed with this transport. No new handshake or Authenticate
   * per call. Throws EtcdError "invalid-argument" for a malformed URL, and for an `http://` URL on a
   * TLS transport (its token would go in cleartext), before any I/O.
   *
   * @example
   * ```ts
   * const status = await createClient(Maintenance, transport.forEndpoint("http://10.0.0.2:2379")).status({});
   * ```
   */
  forEndpoint(url: string): EtcdMemberTransport;
}

/**
 * Creates the transport: a fast gRPC client on node:http2 with one session per endpoint,
 * round-robin balancing, failover, Go-compatible retry rules, keepalive pings, auth tokens, TLS
 * and typed errors (every rejection is an EtcdError).
 *
 * Deadlines follow Connect's Transport contract: a call's `timeoutMs` undefined is the option
 * `timeoutMs` for unary calls and no deadline for streams (Watch, LeaseKeepAlive, Snapshot live as
 * long as their caller wants); 0 or less, `Infinity` or more than MAX_TIMER_MS is no deadline.
 *
 * Throws EtcdError "invalid-argument" for bad options (no endpoints, a non-http(s) URL...).
 * Calls can fail with "unavailable", "deadline-exceeded", "canceled", "transport-closed",
 * "outcome-unknown", "message-too-large", "auth-failed", or any etcd server reason.
 *
 * @example
 * ```ts
 * const transport = createTransport({
 *   endpoints: ["http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379"],
 *   dialTimeoutMs: 3000,
 * });
 * const kv = createClient(KV, transport);
 * const { kvs } = await kv.range({ key: toBytes("foo") }, { timeoutMs: 1000 });
 * await transport.close();
 * ```
 */
export function createTransport(options: TransportOptions): EtcdTransport {
  const resolved = resolveOptions(options);
  warnIfUnverified(resolved.tls);
  const calls = new Set<CallContext>();
  const counters = { calls: 0, streams: 0, retries: 0, connections: 0 };
  const settings: ConnectionSettings = {
    secure: resolved.secure,
    tls: resolved.tls,
    dialTimeoutMs: resolved.dialTimeoutMs,
    keepAlive: { intervalMs: resolved.keepAliveIntervalMs, timeoutMs: resolved.keepAliveTimeoutMs },
    counters,
    emit: resolved.emit,
  };
  const { interceptors, emit } = resolved;
  const pool = new EndpointPool(resolved.endpoints, settings);
  let closed = false;
  let closing: Promise<void> | undefined;

  const env: CallEnv = {
    pool,
    dialTimeoutMs: resolved.dialTimeoutMs,
    requireLeader: resolved.requireLeader,
    maxReceiveMessageBytes: resolved.maxReceiveMessageBytes,
    tokens: undefined,
    stats: counters,
    reaches: poolReaches,
    emit,
  };

  /**
   * The unary path shared by the public `unary()`, the transport's own calls (auth, sync) and
   * the member transports (`on`: a call environment bound to one member), inside the interceptors.
   */
  const runUnary: UnaryRunner<CallEnv> = (on, method, signal, timeoutMs, header, input, useToken, report) => {
    if (closed) return Promise.reject(transportClosedError());
    counters.calls++;
    let frame: Buffer;
    let extra: Array<[string, string]> | undefined;
    try {
      frame = encodeRequest(method.input, input, resolved.maxSendMessageBytes);
      extra = header === undefined ? undefined : callerHeaders(header);
    } catch (err) {
      return Promise.reject(toEtcdError(err));
    }
    const ctx = new CallContext(calls, signal, timeoutMs ?? resolved.timeoutMs);
    if (report !== undefined) ctx.report = report;
    return callWithRetry(on, methodInfo(method), frame, method.output, ctx, extra, useToken).then(
      (result) => {
        ctx.dispose();
        return new LazyUnaryResponse(method, result);
      },
      (err: unknown) => {
        ctx.dispose();
        throw finalCallError(toEtcdError(err), methodInfo(method), ctx.mayHaveApplied);
      },
    );
  };

  /** The stream path shared by the public `stream()` and the member transports, inside the interceptors. */
  const runStream: StreamRunner<CallEnv> = (on, method, signal, timeoutMs, header, input, report, onEnd) => {
    if (closed) return Promise.reject(transportClosedError());
    counters.calls++;
    // The transport's default deadline bounds unary calls only: a stream (Watch, LeaseKeepAlive,
    // Snapshot) lives as long as its caller wants, as Go's DialTimeout never bounds a stream.
    return openStream(on, calls, resolved, method, signal, timeoutMs, header, input, report, onEnd);
  };

  /** Every call (public, member transports, the transport's own) enters here: interceptors first, if any. */
  const entries = createCallEntries<CallEnv>({
    interceptors,
    unaryTimeoutMs: resolved.timeoutMs,
    path: (method) => methodInfo(method).path,
    runUnary,
    runStream,
  });

  const ownUnary: MemberListCaller = (method, signal, timeoutMs, header, input, useToken) =>
    entries.unary(env, "", method, signal, timeoutMs, header, input, undefined, useToken);

  if (resolved.auth !== undefined) {
    const auth = resolved.auth;
    // Bounded even when calls have no deadline: waiting calls share this one authentication.
    const authTimeoutMs = resolved.timeoutMs ?? AUTHENTICATE_TIMEOUT_MS;
    env.tokens = createAuthenticator(auth, (method, input, signal, shown) =>
      entries.unary(env, "", method, signal, authTimeoutMs, undefined, input, undefined, false, shown),
    );
  }

  const autoSync = resolved.autoSyncIntervalMs > 0 ? startAutoSync(resolved.autoSyncIntervalMs, syncEndpoints) : undefined;

  /** MemberList with the call rules: the caller's timeoutMs, else the transport's default. */
  async function syncEndpoints(opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<readonly string[]> {
    let callOptions: { signal?: AbortSignal; timeoutMs?: number };
    try {
      callOptions = connectCallOptions(opts); // bad options, or no time left: before any I/O
    } catch (err) {
      throw toEtcdError(err);
    }
    const endpoints = await fetchMemberEndpoints(ownUnary, callOptions.signal, callOptions.timeoutMs, resolved.secure);
    const before = pool.urls;
    pool.setEndpoints(endpoints);
    const after = pool.urls;
    if (emit !== undefined && after.join() !== before.join()) {
      const added = after.filter((url) => !before.includes(url));
      emit({ type: "endpoints-changed", endpoints: after, added, removed: before.filter((url) => !after.includes(url)) });
    }
    return after;
  }

  const forEndpoint = createMemberTransports({ pool, settings, env, entries });

  const transport: EtcdTransport = {
    unary: (method, signal, timeoutMs, header, input, contextValues) => entries.unary(env, "", method, signal, timeoutMs, header, input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) => entries.stream(env, "", method, signal, timeoutMs, header, input, contextValues),

    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        autoSync?.stop();
        const error = transportClosedError();
        for (const ctx of [...calls]) ctx.cancel(error);
        pool.close();
      })();
      return closing;
    },

    [Symbol.asyncDispose](): Promise<void> {
      return transport.close();
    },

    get endpoints(): readonly string[] {
      return pool.urls;
    },

    get stats(): TransportStats {
      return {
        calls: counters.calls,
        streams: counters.streams,
        retries: counters.retries,
        connections: counters.connections,
        authentications: env.tokens?.authentications ?? 0,
      };
    },

    syncEndpoints,
    forEndpoint,
  };
  attachListener(transport, emit);
  return transport;
}
