import { Code, type Client } from "@connectrpc/connect";
import type { Lease as LeaseService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { EtcdError, isEtcdError, toEtcdError, type EtcdErrorReason, type LeaseId, type Revision } from "@etcdkit/transport";
import { monotonicNow, reconnectDelayMs } from "@etcdkit/transport";
import { RequestQueue } from "@etcdkit/transport";
import { checkCallOptions } from "@etcdkit/transport";
import { checkLeaseId } from "./lease-arguments.js";

/** Failures after which a keepalive is simply sent again (the stream, not the lease, failed). */
const RETRYABLE: readonly EtcdErrorReason[] = [
  "unavailable",
  "no-leader",
  "leader-changed",
  "stopped",
  "timeout-due-to-leader-fail",
  "timeout-due-to-connection-lost",
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
  readonly revision: Revision;
  readonly sentAt: number;
}

/**
 * Sends one LeaseKeepAlive on a short stream of its own and returns the first answer, retrying
 * (up to 5 attempts, with backoff) when the stream breaks, like Go's `KeepAliveOnce`.
 *
 * Throws EtcdError "invalid-argument" (before any I/O) for an ID that is not a non-zero int64
 * bigint or bad call options, "unavailable" (after the retries), "deadline-exceeded" /
 * "canceled" (from `timeoutMs` / `signal`), "no-leader", or any other server reason.
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
  options?: { readonly signal?: AbortSignal; readonly timeoutMs?: number },
): Promise<KeepAliveOnceResult> {
  checkLeaseId(id);
  checkCallOptions(options);
  const started = monotonicNow();
  for (let attempt = 1; ; attempt++) {
    const requests = new RequestQueue<{ ID: bigint }>();
    const sentAt = monotonicNow();
    requests.push({ ID: id });
    const remaining = options?.timeoutMs === undefined ? undefined : options.timeoutMs - (sentAt - started);
    let error: EtcdError;
    try {
      if (remaining !== undefined && remaining <= 0) throw deadline(options!.timeoutMs!);
      for await (const response of client.leaseKeepAlive(requests, { signal: options?.signal, timeoutMs: remaining })) {
        requests.end();
        return { ttl: Number(response.TTL), revision: response.header?.revision ?? 0n, sentAt };
      }
      error = new EtcdError("etcd ended the keepalive stream without an answer", "unavailable", Code.Unavailable);
    } catch (err) {
      error = toEtcdError(err);
    } finally {
      requests.end();
    }
    if (!isEtcdError(error, RETRYABLE) || attempt >= MAX_ATTEMPTS || options?.signal?.aborted === true) throw error;
    await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(attempt)));
  }
}

function deadline(timeoutMs: number): EtcdError {
  return new EtcdError(`the keepalive did not complete within ${timeoutMs} ms`, "deadline-exceeded", Code.DeadlineExceeded);
}
