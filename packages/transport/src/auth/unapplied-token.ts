import { sleepFor, type CallContext } from "../call/call-context.js";
import { endedWhile } from "../call/call-errors.js";
import { monotonicNow } from "../clock.js";
import type { EndpointPool } from "../endpoints/endpoint-pool.js";
import type { EtcdError } from "../errors/etcd-error.js";
import type { LiveSession } from "../http2/live-session.js";

/**
 * A fresh auth token rejected by a member that may not have applied its Authenticate yet (see
 * `TokenSource.mayBeUnapplied`) is kept, and the call is sent again with it at most this many
 * times: to the member that issued it when the call may go anywhere, else (a call bound to one
 * member) to the same member after a short wait. Then the rejection is the call's answer; the
 * token is still not thrown away.
 *
 * etcd 3.4 makes a lagging member wait for the Authenticate entry until the call's own deadline
 * before it answers "invalid auth token", so most such rejections come when the call is over.
 *
 * @example
 * ```ts
 * if (unapplied < MAX_UNAPPLIED_TOKEN_RETRIES) retryWithSameToken();
 * ```
 */
export const MAX_UNAPPLIED_TOKEN_RETRIES = 2;

/**
 * The first wait before a call bound to one member sends a fresh token again to the member that
 * rejected it; it grows linearly with each retry.
 *
 * @example
 * ```ts
 * await sleepFor(ctx, UNAPPLIED_TOKEN_WAIT_MS * attempt);
 * ```
 */
export const UNAPPLIED_TOKEN_WAIT_MS = 100;

/**
 * The issuing member's session, for sending the call again there: only when `pool` reaches that
 * member (a pool of several endpoints; a pool bound to another member does not) and it is not
 * the member that just rejected the token.
 *
 * @example
 * ```ts
 * const next = issuerSession(env.pool, tokens.issuer(token), live) ?? env.pool.pick();
 * ```
 */
export function issuerSession(pool: EndpointPool, issuer: string | undefined, rejectedBy: LiveSession): LiveSession | undefined {
  if (issuer === undefined || issuer === rejectedBy.url) return undefined;
  return pool.pickUrl(issuer);
}

/**
 * Waits `UNAPPLIED_TOKEN_WAIT_MS × attempt` before the same member is asked again. When no time
 * would be left after the wait, the call fails at once with `rejection` (etcd's answer). When the
 * call's deadline or signal ends the wait, it fails with its own reason, naming the rejection it
 * was waiting to retry after (which is also the cause), as the other retry waits do.
 *
 * @example
 * ```ts
 * await waitForApply(ctx, attempt, error);
 * ```
 */
export async function waitForApply(ctx: CallContext, attempt: number, rejection: EtcdError): Promise<void> {
  const delay = UNAPPLIED_TOKEN_WAIT_MS * attempt;
  if (monotonicNow() + delay >= ctx.deadline) throw rejection;
  try {
    await sleepFor(ctx, delay);
  } catch (stopped) {
    throw endedWhile(stopped as EtcdError, `while waiting to retry after: ${rejection.rawMessage}`, rejection);
  }
}
