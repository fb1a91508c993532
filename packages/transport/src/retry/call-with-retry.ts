import type { DescMessage } from "@bufbuild/protobuf";
import type { TokenSource } from "../auth/token-source.js";
import { isStaleTokenError } from "../auth/token-source.js";
import { issuerSession, MAX_UNAPPLIED_TOKEN_RETRIES, waitForApply } from "../auth/unapplied-token.js";
import { sleepFor, untilCanceled, type CallContext } from "../call/call-context.js";
import { monotonicNow } from "../clock.js";
import { AttemptFailure, endedWhile } from "../call/call-errors.js";
import type { MethodInfo } from "../call/method-info.js";
import type { EndpointPool } from "../endpoints/endpoint-pool.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { requestHeaders } from "../grpc/headers.js";
import type { LiveSession } from "../http2/live-session.js";
import { unaryCall, type UnaryResult } from "../http2/unary-call.js";
import { isRetryableError } from "../retry-policy.js";
import { MAX_RETRIES_WITHOUT_DEADLINE, retryBackoffMs } from "./backoff.js";
import { mayHaveBeenApplied } from "./write-outcome.js";

/**
 * What the call path of a transport shares between calls.
 *
 * @example
 * ```ts
 * const env: CallEnv = { pool, dialTimeoutMs: 5000, requireLeader: false, maxReceiveMessageBytes: 2 ** 31 - 1, tokens: undefined, stats: { retries: 0 } };
 * ```
 */
export interface CallEnv {
  readonly pool: EndpointPool;
  readonly dialTimeoutMs: number;
  readonly requireLeader: boolean;
  readonly maxReceiveMessageBytes: number;
  /** Set when the transport authenticates. */
  tokens: TokenSource | undefined;
  readonly stats: { retries: number };
}

/**
 * Runs a unary call with etcd's retry rules (as Go's `client/v3/retry.go`):
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
  let retries = 0;
  let tokenRefreshed = false;
  let unapplied = 0;
  /** Where the next attempt goes, if still usable (the member that issued the token). */
  let preferred: LiveSession | undefined;
  for (;;) {
    // A call that is over before an attempt (aborted, no time left, bad options) does no I/O at
    // all: no token request, no dial.
    if (ctx.error !== undefined) throw ctx.error;
    const token = useToken && env.tokens !== undefined ? await untilCanceled(ctx, env.tokens.token()) : undefined;
    const live: LiveSession =
      (preferred?.usable === true ? preferred : undefined) ??
      env.pool.pick() ??
      (await env.pool.acquire(ctx, Math.min(ctx.deadline, monotonicNow() + env.dialTimeoutMs)));
    preferred = undefined;
    // Never start an attempt for a call that is already over (e.g. aborted before it began).
    const over = callError(ctx);
    if (over !== undefined) throw over;
    const remaining = ctx.deadline === Infinity ? undefined : ctx.deadline - monotonicNow();
    const headers = requestHeaders(info.path, remaining, token || undefined, env.requireLeader, extraHeaders);
    try {
      const result = await unaryCall(live, headers, frame, output, env.maxReceiveMessageBytes, ctx);
      if (token) env.tokens!.accepted(token, live.url);
      return result;
    } catch (failure) {
      if (!(failure instanceof AttemptFailure)) throw failure;
      if (info.mutates && !ctx.mayHaveApplied) ctx.mayHaveApplied = mayHaveBeenApplied(failure.error, failure.sent, failure.fromServer);
      if (ctx.error !== undefined) throw ctx.error;
      const { error, sent, fromServer } = failure;
      if (token !== undefined && fromServer && needsNewToken(token, error)) {
        const tokens = env.tokens!;
        if (tokens.mayBeUnapplied(token, live.url)) {
          // Issued by another member a moment ago: this one may not have applied it yet.
          if (unapplied >= MAX_UNAPPLIED_TOKEN_RETRIES) throw error;
          unapplied++;
          preferred = issuerSession(env.pool, tokens.issuer(token), live);
          if (preferred === undefined) await waitForApply(ctx, unapplied, error);
          continue;
        }
        if (!tokenRefreshed) {
          tokenRefreshed = true;
          tokens.invalidate(token);
          continue;
        }
      }
      if (isRetryableError(error, info.policy, sent)) {
        retries++;
        // With a deadline, retry until it; without, a bounded number of times.
        if (ctx.deadline !== Infinity || retries <= MAX_RETRIES_WITHOUT_DEADLINE) {
          try {
            await sleepFor(ctx, retryBackoffMs(retries));
          } catch (stopped) {
            // As Go's retry interceptor: the deadline (or signal) ends the call, with its own
            // reason; the failure it was about to retry is the cause, and named in the message.
            throw endedWhile(stopped as EtcdError, `while waiting to retry after: ${error.rawMessage}`, error);
          }
          env.stats.retries++;
          continue;
        }
      }
      throw error;
    }
  }
}

/** The call's error, read fresh (TypeScript keeps `ctx.error` narrowed across awaits). */
function callError(ctx: CallContext): EtcdError | undefined {
  return ctx.error;
}

/**
 * A failure that a fresh token may fix: the token expired or the auth store changed, or the call
 * went without a token (auth was not enabled when the transport authenticated) and etcd now
 * wants one ("user-empty"), as Go's client refreshes on ErrUserEmpty.
 */
function needsNewToken(usedToken: string, error: EtcdError): boolean {
  return isStaleTokenError(error) || (usedToken === "" && isEtcdError(error, "user-empty"));
}
