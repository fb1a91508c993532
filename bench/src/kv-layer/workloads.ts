/** Workloads of the kv suite: get, put and a 4-op txn, at c=1 (with latency) and c=64. */

/** One kv-suite workload: which call, how many concurrent loops, how big the values are. */
export interface KvLayerWorkload {
  /** Command-line id, e.g. "txn4-c64". */
  readonly id: string;
  /** Table title, e.g. "txn4, c=64". */
  readonly name: string;
  /**
   * `get`: Range of one key; `put`: Put of one key; `txn4`: a Txn with one compare and four
   * success ops (put, put, get, delete), see {@link LoopKeys}.
   */
  readonly op: "get" | "put" | "txn4";
  /** Number of concurrent loops, each awaiting one call at a time. */
  readonly concurrency: number;
  readonly valueBytes: number;
  /** Record per-call latency (p50/p99). Costs two performance.now() per call, so only where reported. */
  readonly latency: boolean;
}

export const KV_VALUE_BYTES = 256;

/**
 * Loops the warm-up runs at least: at c=1 a 1 s warm-up of one loop is ~1,000 calls, too few for
 * V8 to finish optimizing (CPU/op keeps falling for seconds, and the compiler threads' CPU lands in
 * the measured phase, more so for the client with more code). 16 loops reach steady state in ~1 s.
 */
export const WARMUP_LOOPS = 16;

export const KV_LAYER_WORKLOADS: readonly KvLayerWorkload[] = [
  { id: "get-c1", name: "get, c=1", op: "get", concurrency: 1, valueBytes: KV_VALUE_BYTES, latency: true },
  { id: "put-c1", name: "put, c=1", op: "put", concurrency: 1, valueBytes: KV_VALUE_BYTES, latency: true },
  { id: "txn4-c1", name: "txn4, c=1", op: "txn4", concurrency: 1, valueBytes: KV_VALUE_BYTES, latency: true },
  { id: "get-c64", name: "get, c=64", op: "get", concurrency: 64, valueBytes: KV_VALUE_BYTES, latency: false },
  { id: "put-c64", name: "put, c=64", op: "put", concurrency: 64, valueBytes: KV_VALUE_BYTES, latency: false },
  { id: "txn4-c64", name: "txn4, c=64", op: "txn4", concurrency: 64, valueBytes: KV_VALUE_BYTES, latency: false },
];

/**
 * The keys of one loop, as text (the way users write them; each client converts them the way its
 * users would). `key` is written by put, read by get, and in txn4 is the guard
 * (`version(key) > 0`) and the read; txn4 also puts `putA` and `putB` and deletes `del` (etcd
 * rejects a txn that puts and deletes the same key, so the four keys differ).
 */
export interface LoopKeys {
  readonly key: string;
  readonly putA: string;
  readonly putB: string;
  readonly del: string;
}

/** The keys of loop `i` of a cell under `prefix`. */
export function loopKeys(prefix: string, i: number): LoopKeys {
  const key = `${prefix}/${i}`;
  return { key, putA: `${key}/a`, putB: `${key}/b`, del: `${key}/d` };
}
