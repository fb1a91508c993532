import { Code, type Client } from "@connectrpc/connect";
import type { Lease as LeaseService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, EtcdError, isEtcdError, MAX_TIMER_MS, monotonicNow, type CallOptions, type EtcdErrorReason, type LeaseId, type ResponseHeader } from "@etcdkit/transport";
import { checkCallOptions, ownOptions, reconnectDelayMs, RequestQueue, toEtcdError, toResponseHeader } from "@etcdkit/transport/internal";
import { checkLeaseId } from "./lease-arguments.js";

/**
 * Failures after which a keepalive is simply sent again (the stream, not the lease, failed): as
 * Go's `KeepAliveOnce`, which retries every code Unavailable, etcd's "request timed out" included.
 */
const RETRYABLE: readonly EtcdErrorReason[] = [
  "unavailable",
  "no-leader",
  "leader-changed",
  "stopped",
  "timeout",
  "timeout-due-to-leader-fail",
  "timeout-due-to-connection-lost",
  "timeout-wait-applied-index",
];
const MAX_ATTEMPTS = 5;

/**
 * The answer to one keepalive: etcd's TTL (≤ 0: the lease does not exist) and when the request
 * was sent (ms on the monotonic clock), which starts the lease's new local deadline.
 *
 * @example
 * ```ts
 * const { ttl, sentAt } = await keepAliveOnce(client, id);
 * ```
 */
export interface KeepAliveOnceResult {
  readonly ttl: number;
  readonly header: ResponseHeader;
  readonly sentAt: number;
}

/**
 * Sends one LeaseKeepAlive on a short stream of its own and returns the first answer, retrying
 * (up to 5 attempts, with backoff) when the stream fails with a retryable error, like Go's
 * `KeepAliveOnce`. Everything, the backoff included, stays inside `signal` and `timeoutMs`:
 * undefined → no deadline (a stream is not bounded by the transport's default); a positive
 * number → that deadline for all attempts together; Infinity (or anything over MAX_TIMER_MS) →
 * no deadline; ≤ 0 → "deadline-exceeded" before any I/O.
 *
 * Throws EtcdError "invalid-argument" (before any I/O) for an ID that is not a non-zero int64
 * bigint or bad call options, "unavailable" / "timeout" / "no-leader" (after the retries),
 * "deadline-exceeded" / "canceled" (from `timeoutMs` / `signal`), or any other server reason.
 *
 * @example
 * ```ts
 * const result = await keepAliveOnce(createClient(Lease, transport), id, { timeoutMs: 2000 });
 * if (result.ttl <= 0) console.log("lease is gone");
 * ```
 */
export async function keepAliveOnce(
  client: Client<typeof LeaseService>,
  id: LeaseId,
  given?: CallOptions,
): Promise<KeepAliveOnceResult> {
  checkLeaseId(id);
  const options = ownOptions(given); // own properties only: a polluted Object.prototype sets none
  checkCallOptions(options);
  const signal = options.signal;
  const aborted = (): boolean => signal?.aborted === true;
  const timeoutMs = options.timeoutMs;
  const deadline = timeoutMs === undefined || timeoutMs > MAX_TIMER_MS ? Infinity : monotonicNow() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const sentAt = monotonicNow();
    // whole milliseconds: a gRPC deadline header takes no fraction
    const remaining = deadline === Infinity ? undefined : Math.floor(deadline - sentAt);
    if (remaining !== undefined && remaining <= 0) throw deadlineError(timeoutMs!);
    if (aborted()) throw canceledError(signal!.reason);
    const requests = new RequestQueue<{ ID: bigint }>();
    requests.push({ ID: id });
    let error: EtcdError;
    try {
      const call = connectCallOptions({ signal, timeoutMs: remaining, requireLeader: options.requireLeader });
      for await (const response of client.leaseKeepAlive(requests, call)) {
        return { ttl: Number(response.TTL), header: toResponseHeader(response.header), sentAt };
      }
      error = new EtcdError("etcd ended the keepalive stream without an answer", "unavailable", Code.Unavailable);
    } catch (err) {
      error = toEtcdError(err);
    } finally {
      requests.end();
    }
    if (!isEtcdError(error, RETRYABLE) || attempt >= MAX_ATTEMPTS || aborted()) throw error;
    await backoff(reconnectDelayMs(attempt), deadline, signal, timeoutMs);
  }
}

/**
 * Waits `delayMs` before the next attempt, but no longer: settles with "canceled" as soon as
 * `signal` aborts, and with "deadline-exceeded" at `deadline` if that comes first.
 */
function backoff(delayMs: number, deadline: number, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const left = deadline - monotonicNow();
    const expires = left <= delayMs;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(canceledError(signal!.reason));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        if (expires) reject(deadlineError(timeoutMs!));
        else resolve();
      },
      Math.max(0, Math.min(delayMs, left)),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function deadlineError(timeoutMs: number): EtcdError {
  return new EtcdError(`the keepalive did not complete within ${timeoutMs} ms`, "deadline-exceeded", Code.DeadlineExceeded);
}

/** As the transport reports an aborted call: an EtcdError or TimeoutError reason passes through. */
function canceledError(reason: unknown): EtcdError {
  if (isEtcdError(reason) || (reason instanceof Error && reason.name === "TimeoutError")) return toEtcdError(reason);
  return new EtcdError("the keepalive was canceled by its AbortSignal", "canceled", Code.Canceled, { cause: reason });
}
