import { Code } from "@connectrpc/connect";
import { EtcdError, type LeaseId } from "@etcdkit/transport";

/**
 * Why a lease is lost:
 *
 * - "expired": etcd says the lease does not exist any more (a keepalive answered TTL ≤ 0, or a
 *   call on it failed with "lease-not-found"): it expired or was revoked elsewhere.
 * - "revoked": revoked through this client.
 * - "deadline": no renewal came back before the local deadline (when the last successful
 *   renewal was sent + its TTL). etcd may still hold it for a moment, but nothing can rely on it.
 * - "closed": the lease client (or its transport) was closed, so nothing renews it any more.
 *
 * @example
 * ```ts
 * const { reason } = await lease.lost;
 * if (reason === "deadline") console.warn("etcd unreachable for longer than the lease's TTL");
 * ```
 */
export type LeaseLossReason = "expired" | "revoked" | "deadline" | "closed";

/**
 * How a lease was lost: the reason, an EtcdError describing it ("lease-not-found" for expired
 * and revoked, "deadline-exceeded" for deadline, "canceled" or the transport's error for
 * closed), and when it was noticed (ms on the monotonic clock, `monotonicNow()` from
 * `@etcdkit/transport`, comparable with `lease.deadline`).
 *
 * @example
 * ```ts
 * const loss: LeaseLoss = await lease.lost;
 * console.log(loss.reason, loss.error.message, `${Math.round(monotonicNow() - loss.at)} ms ago`);
 * ```
 */
export interface LeaseLoss {
  readonly reason: LeaseLossReason;
  readonly error: EtcdError;
  readonly at: number;
}

/**
 * etcd's message for a lease it does not know (rpctypes.ErrLeaseNotFound).
 *
 * @example
 * ```ts
 * error.message.includes(LEASE_NOT_FOUND_MESSAGE);
 * ```
 */
export const LEASE_NOT_FOUND_MESSAGE = "etcdserver: requested lease not found";

/**
 * The EtcdError of a loss.
 *
 * @example
 * ```ts
 * lossError("deadline", 0x1234n, 3).reason; // "deadline-exceeded"
 * ```
 */
export function lossError(reason: LeaseLossReason, id: LeaseId, ttl: number, cause?: EtcdError): EtcdError {
  const lease = `lease ${id.toString(16)}`;
  switch (reason) {
    case "expired":
      return new EtcdError(`${LEASE_NOT_FOUND_MESSAGE} (${lease} expired or was revoked)`, "lease-not-found", Code.NotFound, { cause });
    case "revoked":
      return new EtcdError(`${LEASE_NOT_FOUND_MESSAGE} (${lease} was revoked)`, "lease-not-found", Code.NotFound);
    case "deadline":
      return new EtcdError(
        `${lease}: no keepalive answered within its TTL of ${ttl} s; it may have expired`,
        "deadline-exceeded",
        Code.DeadlineExceeded,
        { cause },
      );
    case "closed":
      return cause ?? new EtcdError(`${lease}: the lease client was closed; it is no longer renewed`, "canceled", Code.Canceled);
  }
}
