/**
 * The one clock of etcdkit's deadlines. Every deadline in the SDK (a call's `timeoutMs`, a lease's
 * local expiry, a keepalive stall, an endpoint's backoff) is measured on a monotonic clock, so a
 * wall-clock step (NTP, a VM resume, an operator's `date -s`) can neither make a lease look alive
 * after etcd expired it nor end a call early. Wall-clock time (`Date.now()`) is only for display.
 *
 * @example
 * ```ts
 * const deadline = monotonicNow() + ttlSeconds * 1000;
 * if (monotonicNow() >= deadline) markLost();
 * ```
 */
export function monotonicNow(): number {
  return performance.now();
}
