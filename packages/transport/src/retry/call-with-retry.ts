import type { DescMessage } from "@bufbuild/protobuf";
import type { TokenSource } from "../auth/token-source.js";
import type { CallContext } from "../call/call-context.js";
import { monotonicNow } from "../clock.js";
import type { MethodInfo } from "../call/method-info.js";
import type { EndpointPool } from "../endpoints/endpoint-pool.js";
import type { EtcdError } from "../errors/etcd-error.js";
import { requestHeaders } from "../grpc/headers.js";
import type { LiveSession } from "../http2/live-session.js";
import { unaryCall, type UnaryResult } from "../http2/unary-call.js";
import { retryAttempts, type RetryEnv } from "./retry-loop.js";

/**
 * What the call path of a transport shares between calls.
 *
 * @example
 * ```ts
 * const env: CallEnv = { pool, dialTimeoutMs: 5000, requireLeader: false, maxReceiveMessageBytes: 2 ** 31 - 1, tokens: undefined, stats: { retries: 0 }, reaches: poolReaches };
 * ```
 */
export interface CallEnv extends RetryEnv {
  readonly pool: EndpointPool;
  readonly dialTimeoutMs: number;
  readonly requireLeader: boolean;
  readonly maxReceiveMessageBytes: number;
  /** Set when the transport authenticates. */
  tokens: TokenSource | undefined;
  readonly stats: { retries: number };
}

/**
 * `RetryEnv.reaches` of a call environment: its pool has a usable session to `url`. Written as a
 * method (`this` is the environment it is called on), so that an environment copied for one
 * member (`{ ...env, pool }`) asks its own pool.
 *
 * @example
 * ```ts
 * const env: CallEnv = { pool, ..., reaches: poolReaches };
 * ```
 */
export function poolReaches(this: CallEnv, url: string): boolean {
  return this.pool.pickUrl(url) !== undefined;
}

/**
 * Runs a unary call over HTTP/2 with etcd's retry rules (as Go's `client/v3/retry.go`; the loop
 * itself is `retryAttempts`, shared with the gateway transport):
 *
 * - each attempt picks a healthy endpoint round-robin, or waits for one: up to the dial timeout
 *   ("unavailable"), or the call's deadline ("deadline-exceeded", saying what the endpoints were
 *   doing, with the last connection error as cause);
 * - a stale auth token ("invalid-auth-token", "auth-old-revision") is replaced and the call sent
 *   again, once; but a fresh token rejected by a member that may not have applied it yet is kept
 *   (see `TokenSource.mayBeUnapplied`) and the call sent again with it, to the issuing member or
 *   after a short wait (MAX_UNAPPLIED_TOKEN_RETRIES);
 * - `isRetryableError` decides the rest: repeatable RPCs are retried on code Unavailable (a failed
 *   connection, or etcd's transient errors such as "no-leader" and "timeout"), non-repeatable ones
 *   only when the request provably never left the client; other typed etcd errors never are.
 *   Retries wait a short jittered backoff, until the deadline or, without one, up to
 *   MAX_RETRIES_WITHOUT_DEADLINE times (then the last failure is the error). A deadline (or
 *   signal) that ends the call during a backoff fails it "deadline-exceeded" ("canceled"), as Go's
 *   retry interceptor does, with the failure it was about to retry as cause and in the message;
 * - a write (`info.mutates`) whose request may have reached etcd, with no definitive etcd answer
 *   that it was not applied (`mayHaveBeenApplied`), sets `ctx.mayHaveApplied`; a non-repeatable
 *   one is never resent. The caller turns the final error with `finalCallError`: whatever ended
 *   the call, it then says `outcomeUnknown: true` (and reason "outcome-unknown" when nothing says
 *   more), also on the final typed answer of a repeatable write retried after such an attempt.
 *
 * @example
 * ```ts
 * const result = await callWithRetry(env, methodInfo(KV.method.put), frame, PutResponseSchema, ctx, undefined, true);
 * ```
 */
export async function callWithRetry<O extends DescMessage>(
  env: CallEnv,
  info: MethodInfo,
  frame: Buffer,
  output: O,
  ctx: CallContext,
  extraHeaders: ReadonlyArray<readonly [string, string]> | undefined,
  useToken: boolean,
): Promise<UnaryResult<O>> {
  const target = { url: "" };
  return retryAttempts(ctx, info, env, useToken, target, async (token, prefer) => {
    const live: LiveSession =
      (prefer !== undefined ? env.pool.pickUrl(prefer) : undefined) ??
      env.pool.pick() ??
      (await env.pool.acquire(ctx, Math.min(ctx.deadline, monotonicNow() + env.dialTimeoutMs)));
    // Never start an attempt for a call that is already over (e.g. aborted before it began).
    const over = callError(ctx);
    if (over !== undefined) throw over;
    target.url = live.url;
    const remaining = ctx.deadline === Infinity ? undefined : ctx.deadline - monotonicNow();
    const headers = requestHeaders(info.path, remaining, token || undefined, env.requireLeader, extraHeaders);
    return unaryCall(live, headers, frame, output, env.maxReceiveMessageBytes, ctx);
  });
}

/** The call's error, read fresh (TypeScript keeps `ctx.error` narrowed across awaits). */
function callError(ctx: CallContext): EtcdError | undefined {
  return ctx.error;
}
