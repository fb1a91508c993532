/** What one concurrency-bench cell measures, and what it reports. */

/** The clients compared: etcdkit's client-side primitives, etcd's server-side services, etcd3. */
export type ConcurrencyClient = "etcdkit" | "server" | "etcd3";

export type ConcurrencyKind = "uncontended" | "handoff" | "watch-latency" | "failover-resign" | "failover-crash";

export interface ConcurrencySpec {
  readonly kind: ConcurrencyKind;
  readonly client: ConcurrencyClient;
  readonly url: string;
  /** Measured window of the uncontended loop (ms). */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Waiters queued behind the holder (hand-off). */
  readonly waiters: number;
  /** Hand-offs, watch events or failovers to sample. */
  readonly samples: number;
  /** Session TTL of the crash failover (s). */
  readonly ttlSeconds: number;
  /** A fresh key prefix for this cell. */
  readonly name: string;
}

/** Uncontended lock + unlock in a loop. */
export interface UncontendedResult {
  /** Lock + unlock cycles per second. */
  readonly opsPerSec: number;
  /** Latency of the lock call alone (µs). */
  readonly lockP50Us: number;
  readonly lockP99Us: number;
  /** Requests (HTTP/2 streams) the client opened before the lock was acquired, median over the counted cycles. */
  readonly requestsToAcquire: number;
  /** Requests per whole lock + unlock cycle, median over the counted cycles. */
  readonly requestsPerCycle: number;
  /** Client CPU per cycle (µs). */
  readonly cpuUsPerCycle: number;
}

/** Latencies of a chain of events (hand-offs, watch deliveries, failovers), in ms. */
export interface LatencyResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Hand-off latencies, with the baseline measured in the same run: each unlock call → that
 * unlock's delete event arriving at a passive watcher in another process.
 */
export interface HandoffResult extends LatencyResult {
  readonly event: LatencyResult;
  /** Per hand-off: the next holder's lock resolving − the delete event's arrival at the passive watcher. */
  readonly afterEvent: LatencyResult;
}
