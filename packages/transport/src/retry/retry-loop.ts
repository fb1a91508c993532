import { isStaleTokenError, type TokenSource } from "../auth/token-source.js";
import { MAX_UNAPPLIED_TOKEN_RETRIES, waitForApply } from "../auth/unapplied-token.js";
import { sleepFor, untilCanceled, type CallContext } from "../call/call-context.js";
import { AttemptFailure, endedWhile } from "../call/call-errors.js";
import type { MethodInfo } from "../call/method-info.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { isRetryableError } from "../retry-policy.js";
import { MAX_RETRIES_WITHOUT_DEADLINE, retryBackoffMs } from "./backoff.js";
import { mayHaveBeenApplied } from "./write-outcome.js";
import type { TransportEventListener } from "../observe/transport-events.js";

/**
 * What the retry loop needs from a transport besides its attempts.
 *
 * @example
 * ```ts
 * const env: RetryEnv = { tokens, stats: { retries: 0 }, reaches: (url) => pool.pickUrl(url) !== undefined };
 * ```
 */
export interface RetryEnv {
  /** Set when the transport authenticates. */
  tokens: TokenSource | undefined;
  readonly stats: { retries: number };
  /** Whether the next attempt can be sent to the endpoint `url` (the member that issued a token). */
  reaches(url: string): boolean;
  /** The transport's event listener (retries, token refreshes), when it has one. */
  readonly emit?: TransportEventListener | undefined;
}

/**
 * Where an attempt went: the attempt sets `url` to the endpoint it sends to, before sending.
 *
 * @example
 * ```ts
 * target.url = live.url;
 * ```
 */
export interface AttemptTarget {
  url: string;
}

/**
 * One attempt of a unary call, sent with `token` (undefined without auth), to the endpoint
 * `prefer` when it is given (the member that issued the token), else to any. It records its
 * endpoint in `target`, and settles with the answer or rejects with an `AttemptFailure` saying
 * whether the request may have left the client and whether etcd itself answered; anything else
 * it throws (the call's own error when it is over) ends the call as it is.
 *
 * @example
 * ```ts
 * const attempt: Attempt<Result> = async (token, prefer) => send(pick(prefer), token);
 * ```
 */
export type Attempt<T> = (token: string | undefined, prefer: string | undefined) => Promise<T>;

/**
 * The retry rules of etcd's Go client (`client/v3/retry.go`) around any transport's attempts,
 * shared by the gRPC and the gateway transports:
 *
 * - before each attempt the current token is fetched (one Authenticate shared by all calls);
 * - a stale token ("invalid-auth-token", "auth-old-revision", or "user-empty" after a call sent
 *   without one) is replaced and the call sent again, once; but a fresh token rejected by a member
 *   that may not have applied it yet is kept (`TokenSource.mayBeUnapplied`) and the call sent
 *   again with it, to the issuing member when the transport reaches it, else to the same one after
 *   a short wait (MAX_UNAPPLIED_TOKEN_RETRIES);
 * - `isRetryableError` decides the rest: repeatable RPCs are retried on code Unavailable (a failed
 *   connection, or etcd's transient errors such as "no-leader" and "timeout"), non-repeatable ones
 *   only when the request provably never left the client; other typed etcd errors never are.
 *   Retries wait a short jittered backoff, until the deadline or, without one, up to
 *   MAX_RETRIES_WITHOUT_DEADLINE times (then the last failure is the error). A deadline (or
 *   signal) that ends the call during a backoff fails it "deadline-exceeded" ("canceled"), as Go's
 *   retry interceptor does, with the failure it was about to retry as cause and in the message;
 * - a write (`info.mutates`) whose request may have reached etcd, with no definitive etcd answer
 *   that it was not applied (`mayHaveBeenApplied`), sets `ctx.mayHaveApplied`; a non-repeatable
 *   one is never resent. The caller turns the final error with `finalCallError`.
 *
 * @example
 * ```ts
 * const target = { url: "" };
 * const answer = await retryAttempts(ctx, methodInfo(KV.method.range), env, true, target, (token, prefer) => send(token, prefer, target));
 * ```
 */
export async function retryAttempts<T>(
  ctx: CallContext,
  info: MethodInfo,
  env: RetryEnv,
  useToken: boolean,
  target: AttemptTarget,
  attempt: Attempt<T>,
): Promise<T> {
  let retries = 0;
  let tokenRefreshed = false;
  let unapplied = 0;
  let prefer: string | undefined;
  const report = ctx.report;
  for (;;) {
    // A call that is over before an attempt (aborted, no time left) does no I/O at all.
    if (ctx.error !== undefined) throw ctx.error;
    const tokens = useToken ? env.tokens : undefined;
    const token = tokens !== undefined ? await untilCanceled(ctx, tokens.token()) : undefined;
    if (report !== undefined) report.attempts++;
    try {
      const answer = await attempt(token, prefer);
      if (token) tokens!.accepted(token, target.url);
      if (report !== undefined) report.endpoint = target.url;
      return answer;
    } catch (failure) {
      if (report !== undefined) report.endpoint = target.url;
      if (!(failure instanceof AttemptFailure)) throw failure;
      prefer = undefined;
      if (info.mutates && !ctx.mayHaveApplied) ctx.mayHaveApplied = mayHaveBeenApplied(failure.error, failure.sent, failure.fromServer);
      if (ctx.error !== undefined) throw ctx.error;
      const { error, sent, fromServer } = failure;
      if (token !== undefined && fromServer && needsNewToken(token, error)) {
        if (tokens!.mayBeUnapplied(token, target.url)) {
          // Issued by another member a moment ago: this one may not have applied it yet.
          if (unapplied >= MAX_UNAPPLIED_TOKEN_RETRIES) throw error;
          unapplied++;
          const issuer = tokens!.issuer(token);
          if (issuer !== undefined && issuer !== target.url && env.reaches(issuer)) prefer = issuer;
          else await waitForApply(ctx, unapplied, error);
          continue;
        }
        if (!tokenRefreshed) {
          tokenRefreshed = true;
          tokens!.invalidate(token);
          env.emit?.({ type: "token-refresh", endpoint: target.url, error });
          continue;
        }
      }
      if (isRetryableError(error, info.policy, sent)) {
        retries++;
        // With a deadline, retry until it; without, a bounded number of times.
        if (ctx.deadline !== Infinity || retries <= MAX_RETRIES_WITHOUT_DEADLINE) {
          const backoffMs = retryBackoffMs(retries);
          try {
            await sleepFor(ctx, backoffMs);
          } catch (stopped) {
            // As Go's retry interceptor: the deadline (or signal) ends the call, with its own
            // reason; the failure it was about to retry is the cause, and named in the message.
            throw endedWhile(stopped as EtcdError, `while waiting to retry after: ${error.rawMessage}`, error);
          }
          env.stats.retries++;
          if (report !== undefined) report.retries = retries;
          env.emit?.({ type: "retry", method: info.name, attempt: retries, endpoint: target.url, error, backoffMs });
          continue;
        }
      }
      throw error;
    }
  }
}

/**
 * A failure that a fresh token may fix: the token expired or the auth store changed, or the call
 * went without a token (auth was not enabled when the transport authenticated) and etcd now
 * wants one ("user-empty"), as Go's client refreshes on ErrUserEmpty.
 */
function needsNewToken(usedToken: string, error: EtcdError): boolean {
  return isStaleTokenError(error) || (usedToken === "" && isEtcdError(error, "user-empty"));
}
