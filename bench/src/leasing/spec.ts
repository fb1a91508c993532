/** What the leasing suite's worker measures, and what it returns. */

/** One cell of `pnpm bench leasing`. */
export interface LeasingSpec {
  readonly kind: "get" | "write";
  readonly url: string;
  readonly warmupMs: number;
  /** get: pairs of windows of cached and plain gets. */
  readonly pairs: number;
  readonly windowMs: number;
  /** write: keys written per kind. */
  readonly writes: number;
  /** A fresh name per cell (prefixes and keys). */
  readonly name: string;
}

/** One client's side of a measurement. */
export interface SideResult {
  readonly ops: number;
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** Client CPU (user + system) per op, µs; undefined where not measured. */
  readonly cpuUsPerOp: number | undefined;
}

/** The get cell: the same key read from the leasing KV's cache and by a plain KV, alternating. */
export interface GetResult {
  readonly cached: SideResult;
  readonly plain: SideResult;
  /** The leasing KV's counters after the cell: every cached read must have been a hit. */
  readonly hits: number;
  readonly misses: number;
}

/** The write cell: a plain put, a leasing put of a key nobody owns, and one of a key another process owns. */
export interface WriteResult {
  readonly plain: SideResult;
  readonly unowned: SideResult;
  readonly revoke: SideResult;
  /** REVOKE requests the writer sent (one per owned key written). */
  readonly revokes: number;
}
