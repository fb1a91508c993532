import { isStaleTokenError, type TokenSource } from "../auth/token-source.js";
import { sleepFor, untilCanceled, type CallContext } from "../call/call-context.js";
import { AttemptFailure, endedWhile } from "../call/call-errors.js";
import type { MethodInfo } from "../call/method-info.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { isRetryableError } from "../retry-policy.js";
import { MAX_RETRIES_WITHOUT_DEADLINE, retryBackoffMs } from "./backoff.js";
import { mayHaveBeenApplied } from "./write-outcome.js";

/**
 * One attempt of a unary call, sent with `token` (undefined without auth). It settles with the
 * answer, or rejects with an `AttemptFailure` saying whether the request may have left the client
 * and whether etcd itself answered; anything else it throws ends the call as it is.
 *
 * @example
 * ```ts
 * const attempt: Attempt<Response> = (token) => sendOnce(endpoint, body, token);
 * ```
 */
export type Attempt<T> = (token: string | undefined) => Promise<T>;

/**
 * The retry rules of etcd's Go client (`client/v3/retry.go`) around any transport's attempts,
 * shared by the gRPC and the gateway transports:
 *
 * - before each attempt the call's current token is fetched (one shared Authenticate);
 * - a stale token ("invalid-auth-token", "auth-old-revision", or "user-empty" after a call sent
 *   without one) is dropped and the call sent again, once;
 * - `isRetryableError` decides the rest: repeatable RPCs are retried on code Unavailable,
 *   non-repeatable ones only when the request provably never left the client; typed etcd errors
 *   never are. Retries wait a short jittered backoff, until the deadline or, without one, up to
 *   MAX_RETRIES_WITHOUT_DEADLINE times. A deadline (or signal) that ends the call during a backoff
 *   fails it "deadline-exceeded" ("canceled"), with the failure it was about to retry as cause;
 * - a write (`info.mutates`) whose request may have reached etcd with no definitive answer that
 *   it was not applied sets `ctx.mayHaveApplied` (see `finalCallError`).
 *
 * @example
 * ```ts
 * const response = await retryAttempts(ctx, methodInfo(KV.method.range), tokens, stats, true, (token) => send(token));
 * ```
 */
export async function retryAttempts<T>(
  ctx: CallContext,
  info: MethodInfo,
  tokens: TokenSource | undefined,
  stats: { retries: number },
  useToken: boolean,
  attempt: Attempt<T>,
): Promise<T> {
  let retries = 0;
  let tokenRefreshed = false;
  for (;;) {
    // A call that is over before an attempt (aborted, no time left) does no I/O at all.
    if (ctx.error !== undefined) throw ctx.error;
    const token = useToken && tokens !== undefined ? await untilCanceled(ctx, tokens.token()) : undefined;
    try {
      return await attempt(token);
    } catch (failure) {
      if (!(failure instanceof AttemptFailure)) throw failure;
      if (info.mutates && !ctx.mayHaveApplied) ctx.mayHaveApplied = mayHaveBeenApplied(failure.error, failure.sent, failure.fromServer);
      if (ctx.error !== undefined) throw ctx.error;
      const { error, sent, fromServer } = failure;
      if (token !== undefined && fromServer && !tokenRefreshed && needsNewToken(token, error)) {
        tokenRefreshed = true;
        tokens!.invalidate(token);
        continue;
      }
      if (isRetryableError(error, info.policy, sent)) {
        retries++;
        if (ctx.deadline !== Infinity || retries <= MAX_RETRIES_WITHOUT_DEADLINE) {
          try {
            await sleepFor(ctx, retryBackoffMs(retries));
          } catch (stopped) {
            throw endedWhile(stopped as EtcdError, `while waiting to retry after: ${error.rawMessage}`, error);
          }
          stats.retries++;
          continue;
        }
      }
      throw error;
    }
  }
}

/**
 * A failure that a fresh token may fix: the token expired or the auth store changed, or the call
 * went without a token (auth was not enabled when the transport authenticated) and etcd now wants
 * one ("user-empty"), as Go's client refreshes on ErrUserEmpty.
 */
function needsNewToken(usedToken: string, error: EtcdError): boolean {
  return isStaleTokenError(error) || (usedToken === "" && isEtcdError(error, "user-empty"));
}
